"""X12 code lists that Premia reads from and writes to 834 and 820 transaction sets.

Each enumeration contains the codes that the 005010X220A1 (834) or 005010X218 and
005010X306 (820) implementation guides allow for that element. A value outside the list
is reported as an invalid code for the member or file that carries it.
"""

from __future__ import annotations

from enum import StrEnum


class UsageIndicator(StrEnum):
    """ISA15: whether an interchange carries production, test or information data."""

    PRODUCTION = "P"
    TEST = "T"
    INFORMATION = "I"


class TransactionPurpose(StrEnum):
    """BGN01."""

    ORIGINAL = "00"
    RESUBMISSION = "15"
    INFORMATION_COPY = "22"


class TransactionAction(StrEnum):
    """BGN08: how the receiver applies the whole transaction set."""

    CHANGE = "2"
    VERIFY = "4"
    REPLACE = "RX"


class MaintenanceType(StrEnum):
    """INS03 for a member, HD01 for one coverage line."""

    CHANGE = "001"
    ADDITION = "021"
    CANCELLATION_OR_TERMINATION = "024"
    REINSTATEMENT = "025"
    AUDIT_OR_COMPARE = "030"
    EMPLOYEE_INFORMATION_NOT_APPLICABLE = "032"


class MaintenanceReason(StrEnum):
    """INS04: why the sender made the change."""

    DIVORCE = "01"
    BIRTH = "02"
    DEATH = "03"
    RETIREMENT = "04"
    ADOPTION = "05"
    STRIKE = "06"
    TERMINATION_OF_BENEFITS = "07"
    TERMINATION_OF_EMPLOYMENT = "08"
    COBRA = "09"
    COBRA_PREMIUM_PAID = "10"
    SURVIVING_SPOUSE = "11"
    VOLUNTARY_WITHDRAWAL = "14"
    PRIMARY_CARE_PROVIDER_CHANGE = "15"
    QUIT = "16"
    FIRED = "17"
    SUSPENDED = "18"
    ACTIVE = "20"
    DISABILITY = "21"
    PLAN_CHANGE = "22"
    CHANGE_IN_IDENTIFYING_DATA = "25"
    DECLINED_COVERAGE = "26"
    PRE_ENROLLMENT = "27"
    INITIAL_ENROLLMENT = "28"
    BENEFIT_SELECTION = "29"
    LEGAL_SEPARATION = "31"
    MARRIAGE = "32"
    PERSONNEL_DATA = "33"
    LEAVE_OF_ABSENCE_WITH_BENEFITS = "37"
    LEAVE_OF_ABSENCE_WITHOUT_BENEFITS = "38"
    LAY_OFF_WITH_BENEFITS = "39"
    LAY_OFF_WITHOUT_BENEFITS = "40"
    RE_ENROLLMENT = "41"
    CHANGE_OF_LOCATION = "43"
    NON_PAYMENT = "59"
    DISSATISFACTION_WITH_OFFICE_STAFF = "AA"
    DISSATISFACTION_WITH_MEDICAL_CARE = "AB"
    INCONVENIENCE_OF_OFFICE_LOCATION = "AC"
    DISSATISFACTION_WITH_OFFICE_HOURS = "AD"
    UNABLE_TO_SCHEDULE_APPOINTMENTS = "AE"
    DISSATISFACTION_WITH_PHYSICIAN_REFERRAL_POLICY = "AF"
    LESS_RESPECT_AND_ATTENTION = "AG"
    PATIENT_MOVED_TO_NEW_LOCATION = "AH"
    NO_REASON_GIVEN = "AI"
    APPOINTMENT_TIMES_NOT_MET = "AJ"
    ADDITIONAL_MAINTENANCE_REASON = "AL"
    MEMBER_BENEFIT_SELECTION = "EC"
    NOTIFICATION_ONLY = "XN"
    TRANSFER = "XT"


class RelationshipCode(StrEnum):
    """INS02: the member's relationship to the subscriber."""

    SPOUSE = "01"
    FATHER_OR_MOTHER = "03"
    GRANDPARENT = "04"
    GRANDCHILD = "05"
    UNCLE_OR_AUNT = "06"
    NEPHEW_OR_NIECE = "07"
    COUSIN = "08"
    ADOPTED_CHILD = "09"
    FOSTER_CHILD = "10"
    SON_OR_DAUGHTER_IN_LAW = "11"
    BROTHER_OR_SISTER_IN_LAW = "12"
    MOTHER_OR_FATHER_IN_LAW = "13"
    BROTHER_OR_SISTER = "14"
    WARD = "15"
    STEPPARENT = "16"
    STEPSON_OR_STEPDAUGHTER = "17"
    SELF = "18"
    CHILD = "19"
    SPONSORED_DEPENDENT = "23"
    DEPENDENT_OF_MINOR_DEPENDENT = "24"
    EX_SPOUSE = "25"
    GUARDIAN = "26"
    COURT_APPOINTED_GUARDIAN = "31"
    COLLATERAL_DEPENDENT = "38"
    # X12 names code 53 "life partner"; Premia's product model calls it domestic partner.
    DOMESTIC_PARTNER = "53"
    ANNUITANT = "60"
    TRUSTEE = "D2"
    OTHER_RELATIONSHIP = "G8"
    OTHER_RELATIVE = "G9"


class BenefitStatus(StrEnum):
    """INS05."""

    ACTIVE = "A"
    COBRA = "C"
    SURVIVING_INSURED = "S"
    TEFRA = "T"


class EmploymentStatus(StrEnum):
    """INS08."""

    ACTIVE = "AC"
    ACTIVE_MILITARY_OVERSEAS = "AO"
    ACTIVE_MILITARY_USA = "AU"
    FULL_TIME = "FT"
    LEAVE_OF_ABSENCE = "L1"
    PART_TIME = "PT"
    RETIRED = "RT"
    TERMINATED = "TE"


class Gender(StrEnum):
    """DMG03."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class MaritalStatus(StrEnum):
    """DMG04."""

    REGISTERED_DOMESTIC_PARTNER = "B"
    DIVORCED = "D"
    SINGLE = "I"
    MARRIED = "M"
    UNREPORTED = "R"
    SEPARATED = "S"
    UNMARRIED = "U"
    WIDOWED = "W"
    LEGALLY_SEPARATED = "X"


class ContactKind(StrEnum):
    """PER03, PER05 and PER07: what a contact number or address is."""

    ALTERNATE_PHONE = "AP"
    BEEPER = "BN"
    CELL_PHONE = "CP"
    EMAIL = "EM"
    EXTENSION = "EX"
    FAX = "FX"
    HOME_PHONE = "HP"
    TELEPHONE = "TE"
    WORK_PHONE = "WP"


class InsuranceLine(StrEnum):
    """HD03."""

    PREVENTIVE_CARE = "AG"
    TWENTY_FOUR_HOUR_CARE = "AH"
    MEDICARE_RISK = "AJ"
    MENTAL_HEALTH = "AK"
    DENTAL_CAPITATION = "DCP"
    DENTAL = "DEN"
    EXCLUSIVE_PROVIDER_ORGANIZATION = "EPO"
    FACILITY = "FAC"
    HEARING = "HE"
    HEALTH = "HLT"
    HEALTH_MAINTENANCE_ORGANIZATION = "HMO"
    LONG_TERM_CARE = "LTC"
    LONG_TERM_DISABILITY = "LTD"
    MAJOR_MEDICAL = "MM"
    MAIL_ORDER_DRUG = "MOD"
    PRESCRIPTION_DRUG = "PDG"
    POINT_OF_SERVICE = "POS"
    PREFERRED_PROVIDER_ORGANIZATION = "PPO"
    PRACTITIONERS = "PRA"
    SHORT_TERM_DISABILITY = "STD"
    UTILIZATION_REVIEW = "UR"
    VISION = "VIS"


class CoverageLevel(StrEnum):
    """HD05: who a coverage line covers."""

    CHILDREN_ONLY = "CHD"
    DEPENDENTS_ONLY = "DEP"
    EMPLOYEE_AND_ONE_DEPENDENT = "E1D"
    EMPLOYEE_AND_TWO_DEPENDENTS = "E2D"
    EMPLOYEE_AND_THREE_DEPENDENTS = "E3D"
    EMPLOYEE_AND_ONE_OR_MORE_DEPENDENTS = "E5D"
    EMPLOYEE_AND_TWO_OR_MORE_DEPENDENTS = "E6D"
    EMPLOYEE_AND_THREE_OR_MORE_DEPENDENTS = "E7D"
    EMPLOYEE_AND_FOUR_OR_MORE_DEPENDENTS = "E8D"
    EMPLOYEE_AND_FIVE_OR_MORE_DEPENDENTS = "E9D"
    EMPLOYEE_AND_CHILDREN = "ECH"
    EMPLOYEE_ONLY = "EMP"
    EMPLOYEE_AND_SPOUSE = "ESP"
    FAMILY = "FAM"
    INDIVIDUAL = "IND"
    SPOUSE_AND_CHILDREN = "SPC"
    SPOUSE_ONLY = "SPO"
    TWO_PARTY = "TWO"


class PartyRole(StrEnum):
    """N101 in the 834 header and the 820 name loops."""

    SPONSOR = "P5"
    INSURER = "IN"
    BROKER = "BO"
    THIRD_PARTY_ADMINISTRATOR = "TV"
    PAYEE = "PE"
    PAYER = "PR"
    REMITTER = "RM"


class DateQualifier(StrEnum):
    """DTP01 and DTM01 qualifiers that Premia maps to named fields."""

    FILE_EFFECTIVE = "007"
    MAINTENANCE_EFFECTIVE = "303"
    EMPLOYMENT_BEGIN = "336"
    BENEFIT_BEGIN = "348"
    BENEFIT_END = "349"
    ELIGIBILITY_BEGIN = "356"
    ELIGIBILITY_END = "357"
    COVERAGE_PERIOD = "582"


# DTP01 qualifiers that 005010X220A1 allows anywhere in an 834. Any other qualifier is kept
# with a warning, because some senders add their own (DTP*358 in loop 2000, for example).
KNOWN_834_DATE_QUALIFIERS = frozenset(
    {
        "007",
        "050",
        "090",
        "091",
        "286",
        "296",
        "297",
        "300",
        "301",
        "303",
        "336",
        "337",
        "338",
        "339",
        "340",
        "341",
        "343",
        "344",
        "345",
        "348",
        "349",
        "350",
        "351",
        "356",
        "357",
        "360",
        "361",
        "382",
        "383",
        "385",
        "386",
        "388",
        "393",
        "394",
        "473",
        "474",
        "543",
        "695",
    }
)


class ExchangeCategory(StrEnum):
    """N102 names of the 2750 reporting categories that carry Exchange amounts (FFE companion guide)."""

    PREMIUM_AMOUNT = "PRE AMT 1"
    PREMIUM_TOTAL = "PRE AMT TOT"
    APTC_AMOUNT = "APTC AMT"
    CSR_AMOUNT = "CSR AMT"
    RESPONSIBILITY_AMOUNT = "TOT RES AMT"
    RATING_AREA = "RATING AREA"
    SOURCE_EXCHANGE_ID = "SOURCE EXCHANGE ID"


class PaymentHandling(StrEnum):
    """BPR01: whether the 820 moves money, carries remittance only, or both."""

    PAYMENT_WITH_REMITTANCE = "C"
    PAYMENT_ONLY = "D"
    REMITTANCE_ONLY = "I"
    PRENOTIFICATION = "P"
    SPLIT_PAYMENT = "U"
    HANDLING_PARTY_OPTION = "X"


class CreditDebit(StrEnum):
    """BPR03."""

    CREDIT = "C"
    DEBIT = "D"


class PaymentMethod(StrEnum):
    """BPR04."""

    ACH = "ACH"
    BOOK_ENTRY = "BOP"
    CHECK = "CHK"
    WIRE = "FWT"
    NON_PAYMENT_DATA = "NON"


class ExchangePaymentType(StrEnum):
    """RMR02 payment types in an Exchange 820 (005010X306)."""

    APTC = "APTC"
    APTC_ADJUSTMENT = "APTCADJ"
    CSR = "CSR"
    CSR_ADJUSTMENT = "CSRADJ"
    USER_FEE = "UF"
    USER_FEE_ADJUSTMENT = "UFADJ"
    ADMINISTRATIVE_FEE = "ADM"
    BALANCE = "BAL"


class Implementation(StrEnum):
    """GS08 and ST03 implementation guide versions that Premia reads."""

    ENROLLMENT_834 = "005010X220A1"
    GROUP_PREMIUM_820 = "005010X218"
    EXCHANGE_PAYMENT_820 = "005010X306"
    ACKNOWLEDGMENT_999 = "005010X231A1"
