"""Read one 834 member loop (INS up to the next INS) into a ``Member834``.

Any error inside the loop rejects only that member: the reader returns a ``RejectedMember``
naming the findings, and the members beside it parse normally. The loop is read segment by
segment with a small state: which name loop (2100A to 2100H), coverage loop (2300, 2310,
2320) or reporting category loop (2700, 2750) the segment belongs to. REF, DTP and AMT
segments go to the list of the loop they are in, which the state switches as loops start.

This is the hot path of a large file, so it avoids per-segment allocations it does not
need: dates parse once per distinct value, and code lists are dictionary lookups.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from premia.formats.x12.codes import (
    KNOWN_834_DATE_QUALIFIERS,
    BenefitStatus,
    ContactKind,
    CoverageLevel,
    DateQualifier,
    EmploymentStatus,
    ExchangeCategory,
    Gender,
    InsuranceLine,
    MaintenanceReason,
    MaintenanceType,
    MaritalStatus,
    RelationshipCode,
)
from premia.formats.x12.elements import (
    ElementError,
    code_lookup,
    parse_cents,
    parse_code,
    parse_d8,
    parse_dated_value,
    parse_optional_code,
    require,
)
from premia.formats.x12.enrollment_drafts import CategoryDraft, CoordinationDraft, CoverageDraft
from premia.formats.x12.enrollment_records import (
    Contact,
    Demographics,
    Language,
    Member834,
    RejectedMember,
)
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.interchange import SetContext
from premia.formats.x12.segments import (
    Address,
    Amount,
    EntityName,
    QualifiedDate,
    Reference,
    first_reference,
)

PADDING = [""] * 20
# Build records without the Python-level __new__ of NamedTuple, as make_segment does.
new_reference = tuple.__new__
new_date = tuple.__new__
new_member = tuple.__new__
# Segments that 005010X220A1 allows in a member loop but that Premia does not keep:
# employment class, income, health, identification card, place change, disability.
SKIPPED_MEMBER_SEGMENTS = frozenset({"EC", "ICM", "HLH", "IDC", "PLA", "DSB", "AD1"})
MEMBER_NAME_CODES = frozenset({"IL", "74"})
RELATIONSHIPS = code_lookup(RelationshipCode)
MAINTENANCE_TYPES = code_lookup(MaintenanceType)
MAINTENANCE_REASONS = code_lookup(MaintenanceReason)
BENEFIT_STATUSES = code_lookup(BenefitStatus)
EMPLOYMENT_STATUSES = code_lookup(EmploymentStatus)
INSURANCE_LINES = code_lookup(InsuranceLine)
COVERAGE_LEVELS = code_lookup(CoverageLevel)
GENDERS = code_lookup(Gender)
CONTACT_KINDS = code_lookup(ContactKind)
CONTACT_ELEMENTS = ((3, "PER03", "PER04"), (5, "PER05", "PER06"), (7, "PER07", "PER08"))
AMOUNT_CATEGORIES = frozenset(
    {
        ExchangeCategory.PREMIUM_AMOUNT,
        ExchangeCategory.PREMIUM_TOTAL,
        ExchangeCategory.APTC_AMOUNT,
        ExchangeCategory.CSR_AMOUNT,
        ExchangeCategory.RESPONSIBILITY_AMOUNT,
    }
)


class Loop(Enum):
    MEMBER = "2000"
    MEMBER_NAME = "2100A"
    INCORRECT_NAME = "2100B"
    MAILING_ADDRESS = "2100C"
    OTHER_NAME = "2100D-H"
    DISABILITY = "2200"
    COVERAGE = "2300"
    PROVIDER = "2310"
    COORDINATION = "2320"
    COORDINATION_NAME = "2330"
    REPORTING = "2700"
    REPORTING_CATEGORY = "2750"


class MemberReader:
    """Reads the member loops of one transaction set, one ``read`` call per member."""

    def __init__(self, context: SetContext, component_separator: str) -> None:
        self.context = context
        self.component = component_separator
        self.dates_by_text: dict[str, date] = {}
        self.handlers = {
            "REF": self._reference,
            "DTP": self._date,
            "NM1": self._name,
            "PER": self._contact,
            "N3": self._street,
            "N4": self._city,
            "DMG": self._demographics,
            "AMT": self._amount,
            "LUI": self._language,
            "HD": self._coverage,
            "LX": self._loop_number,
            "COB": self._coordination,
            "LS": self._reporting_start,
            "N1": self._category_name,
            "LE": self._reporting_end,
        }

    def read(self, first_position: int, segments: list[list[str]]) -> Member834 | RejectedMember:
        self._start(first_position)
        handlers = self.handlers
        dates_by_text = self.dates_by_text
        position = first_position
        for index in range(1, len(segments)):
            elements = segments[index]
            position += 1
            tag = elements[0]
            # REF, DTP, LX and N1 are most of the segments of a member loop. Their common,
            # valid form is stored right here, and anything else goes to its handler, which
            # checks it.
            if tag == "REF":
                if len(elements) > 2 and elements[1] and elements[2]:
                    self.reference_list.append(new_reference(Reference, (elements[1], elements[2], position)))
                    continue
            elif tag == "DTP" and len(elements) > 3 and elements[2] == "D8":
                start = dates_by_text.get(elements[3])
                if start is not None and elements[1] in KNOWN_834_DATE_QUALIFIERS:
                    self.date_list.append(new_date(QualifiedDate, (elements[1], start, None, position)))
                    continue
            elif tag == "LX" and (self.loop is Loop.REPORTING or self.loop is Loop.REPORTING_CATEGORY):
                self.categories.append(CategoryDraft(elements[1] if len(elements) > 1 else "", position))
                self._enter_unkept(Loop.REPORTING)
                continue
            elif (
                tag == "N1"
                and self.loop is Loop.REPORTING
                and self.categories
                and len(elements) > 2
                and elements[1] == "75"
                and elements[2]
            ):
                category = self.categories[-1]
                category.name = elements[2]
                unkept: list[Amount] = self.unkept  # type: ignore[assignment]
                self._enter(Loop.REPORTING_CATEGORY, category.references, category.dates, unkept)
                continue
            handler = handlers.get(tag)
            try:
                if handler is not None:
                    handler(position, elements)
                else:
                    self._other_segment(position, elements[0])
            except ElementError as error:
                self._element_error(error, elements[0], position)
        return self._build(segments[0])

    # Loop state -----------------------------------------------------------------------

    def _start(self, first_position: int) -> None:
        self.position = first_position
        self.findings: list[Finding] = []
        self.references: list[Reference] = []
        self.dates: list[QualifiedDate] = []
        self.contacts: list[Contact] = []
        self.amounts: list[Amount] = []
        self.languages: list[Language] = []
        self.other_names: list[EntityName] = []
        self.coverages: list[CoverageDraft] = []
        self.categories: list[CategoryDraft] = []
        self.name: EntityName | None = None
        self.incorrect_name: EntityName | None = None
        self.address: Address | None = None
        self.mailing_address: Address | None = None
        self.demographics: Demographics | None = None
        self.incorrect_demographics: Demographics | None = None
        self.unkept: list[object] = []
        self._enter(Loop.MEMBER, self.references, self.dates, self.amounts)

    def _enter(
        self, loop: Loop, references: list[Reference], dates: list[QualifiedDate], amounts: list[Amount]
    ) -> None:
        """Switch to ``loop``; its REF, DTP and AMT segments go to the given lists."""
        self.loop = loop
        self.reference_list = references
        self.date_list = dates
        self.amount_list = amounts

    def _enter_unkept(self, loop: Loop) -> None:
        """Switch to a loop whose REF, DTP and AMT segments Premia does not keep."""
        unkept = self.unkept
        self._enter(loop, unkept, unkept, unkept)  # type: ignore[arg-type]

    # Segment handlers -----------------------------------------------------------------

    def _reference(self, position: int, elements: list[str]) -> None:
        if len(elements) < 3 or not elements[1] or not elements[2]:
            require(elements[1] if len(elements) > 1 else "", "REF01", "reference qualifier")
            require("", "REF02", "reference value")
        self.reference_list.append(Reference(elements[1], elements[2], position))

    def _date(self, position: int, elements: list[str]) -> None:
        values = elements if len(elements) > 3 else elements + PADDING
        qualifier = values[1]
        if values[2] == "D8":
            start = self.dates_by_text.get(values[3])
            if start is None:
                start = self.dates_by_text[values[3]] = parse_d8(values[3], "DTP03")
            end = None
        else:
            start, end = parse_dated_value(values[2], values[3], "DTP03")
        if qualifier not in KNOWN_834_DATE_QUALIFIERS:
            self._unknown_date_qualifier(position, qualifier)
        self.date_list.append(QualifiedDate(qualifier, start, end, position))

    def _name(self, position: int, elements: list[str]) -> None:
        values = elements if len(elements) > 9 else elements + PADDING
        entity_code = require(values[1], "NM101", "entity identifier code")
        name = EntityName(
            entity_code,
            values[2],
            values[3],
            values[4],
            values[5],
            values[6],
            values[7],
            values[8],
            values[9],
            position,
        )
        loop = self.loop
        if loop is Loop.COVERAGE or loop is Loop.PROVIDER:
            self.coverages[-1].providers.append(name)
            self._enter_unkept(Loop.PROVIDER)
        elif loop is Loop.COORDINATION or loop is Loop.COORDINATION_NAME:
            self._enter_unkept(Loop.COORDINATION_NAME)
        elif entity_code in MEMBER_NAME_CODES:
            self.name = name
            unkept = self.unkept
            self._enter(Loop.MEMBER_NAME, unkept, unkept, self.amounts)  # type: ignore[arg-type]
            require(values[3], "NM103", "member last name")
        elif entity_code == "70":
            self.incorrect_name = name
            self._enter_unkept(Loop.INCORRECT_NAME)
        elif entity_code == "31":
            self._enter_unkept(Loop.MAILING_ADDRESS)
        else:
            self.other_names.append(name)
            self._enter_unkept(Loop.OTHER_NAME)

    def _contact(self, position: int, elements: list[str]) -> None:
        if self.loop is not Loop.MEMBER_NAME:
            return
        for index, kind_element, value_element in CONTACT_ELEMENTS:
            if index + 1 < len(elements) and elements[index]:
                code = elements[index]
                kind = CONTACT_KINDS.get(code) or parse_code(ContactKind, code, kind_element)
                value = elements[index + 1] or require("", value_element, "contact number or address")
                self.contacts.append(Contact(kind, value))

    def _street(self, position: int, elements: list[str]) -> None:
        line1 = require(elements[1] if len(elements) > 1 else "", "N301", "address line")
        address = Address(line1, elements[2] if len(elements) > 2 else "", position=position)
        if self.loop is Loop.MEMBER_NAME:
            self.address = address
        elif self.loop is Loop.MAILING_ADDRESS:
            self.mailing_address = address

    def _city(self, position: int, elements: list[str]) -> None:
        if self.loop is Loop.MEMBER_NAME:
            self.address = _with_city(self.address, elements, position)
        elif self.loop is Loop.MAILING_ADDRESS:
            self.mailing_address = _with_city(self.mailing_address, elements, position)

    def _demographics(self, position: int, elements: list[str]) -> None:
        values = elements if len(elements) > 4 else elements + PADDING
        if values[1] and values[1] != "D8":
            raise ElementError(
                FindingCode.INVALID_CODE,
                "DMG01",
                f"DMG01 date format {values[1]!r} is not D8.",
                "Send the birth date as D8 (CCYYMMDD).",
                values[1],
            )
        birth_date = None
        if values[2]:
            birth_date = self.dates_by_text.get(values[2])
            if birth_date is None:
                birth_date = self.dates_by_text[values[2]] = parse_d8(values[2], "DMG02")
        gender = None
        if values[3]:
            gender = GENDERS.get(values[3]) or parse_code(Gender, values[3], "DMG03")
        marital_status = parse_optional_code(MaritalStatus, values[4], "DMG04")
        demographics = Demographics(birth_date, gender, marital_status, position)
        if self.loop is Loop.MEMBER_NAME:
            self.demographics = demographics
        elif self.loop is Loop.INCORRECT_NAME:
            self.incorrect_demographics = demographics

    def _amount(self, position: int, elements: list[str]) -> None:
        qualifier = require(elements[1] if len(elements) > 1 else "", "AMT01", "amount qualifier")
        cents = parse_cents(elements[2] if len(elements) > 2 else "", "AMT02")
        self.amount_list.append(Amount(qualifier, cents, position))

    def _language(self, position: int, elements: list[str]) -> None:
        values = elements if len(elements) > 4 else elements + PADDING
        self.languages.append(Language(values[1], values[2], values[3], values[4], position))

    def _coverage(self, position: int, elements: list[str]) -> None:
        values = elements if len(elements) > 5 else elements + PADDING
        maintenance_type = MAINTENANCE_TYPES.get(values[1]) or parse_code(MaintenanceType, values[1], "HD01")
        insurance_line = INSURANCE_LINES.get(values[3]) or parse_code(InsuranceLine, values[3], "HD03")
        coverage_level = None
        if values[5]:
            coverage_level = COVERAGE_LEVELS.get(values[5]) or parse_code(CoverageLevel, values[5], "HD05")
        draft = CoverageDraft(maintenance_type, insurance_line, values[4], coverage_level, position)
        self.coverages.append(draft)
        self._enter(Loop.COVERAGE, draft.references, draft.dates, draft.amounts)

    def _loop_number(self, position: int, elements: list[str]) -> None:
        if self.loop is Loop.REPORTING or self.loop is Loop.REPORTING_CATEGORY:
            self.categories.append(CategoryDraft(elements[1] if len(elements) > 1 else "", position))
            self._enter_unkept(Loop.REPORTING)
        elif self.coverages:
            self._enter_unkept(Loop.PROVIDER)
        else:
            self._unexpected_segment(position, "LX", "a provider loop (2310) must follow an HD coverage line")

    def _coordination(self, position: int, elements: list[str]) -> None:
        if not self.coverages:
            self._unexpected_segment(
                position, "COB", "coordination of benefits (2320) must follow an HD line"
            )
            return
        draft = CoordinationDraft(elements if len(elements) > 3 else elements + PADDING, position)
        self.coverages[-1].coordination.append(draft)
        self._enter(Loop.COORDINATION, draft.references, draft.dates, self.unkept)  # type: ignore[arg-type]

    def _reporting_start(self, position: int, elements: list[str]) -> None:
        self._enter_unkept(Loop.REPORTING)

    def _category_name(self, position: int, elements: list[str]) -> None:
        if self.loop is not Loop.REPORTING or not self.categories:
            self._unexpected_segment(
                position, "N1", "an N1 in a member loop must follow LS and LX (loop 2750)"
            )
            return
        values = elements if len(elements) > 2 else elements + PADDING
        if values[1] != "75":
            raise ElementError(
                FindingCode.INVALID_CODE,
                "N101",
                f"N101 {values[1]!r} in loop 2750 is not 75.",
                "Send reporting categories as N1*75.",
                values[1],
            )
        category = self.categories[-1]
        category.name = require(values[2], "N102", "reporting category name")
        self._enter(Loop.REPORTING_CATEGORY, category.references, category.dates, self.unkept)  # type: ignore[arg-type]

    def _reporting_end(self, position: int, elements: list[str]) -> None:
        self._enter_unkept(Loop.MEMBER)

    def _other_segment(self, position: int, tag: str) -> None:
        if tag == "DSB":
            self._enter_unkept(Loop.DISABILITY)
        elif tag not in SKIPPED_MEMBER_SEGMENTS:
            self._member_error(
                FindingCode.UNKNOWN_SEGMENT,
                tag,
                position,
                f"Segment {tag} is not part of an 834 member loop.",
                "Remove the segment or correct its id.",
            )

    # Findings -------------------------------------------------------------------------

    def _element_error(self, error: ElementError, segment_id: str, position: int) -> None:
        finding = self.context.add_element_error(
            error, FindingScope.MEMBER, segment_id, position, self.position
        )
        self.findings.append(finding)

    def _member_error(
        self, code: FindingCode, segment_id: str, position: int, message: str, hint: str
    ) -> None:
        finding = self.context.add(
            code,
            FindingScope.MEMBER,
            segment_id,
            position,
            None,
            message,
            hint,
            member_position=self.position,
        )
        self.findings.append(finding)

    def _unexpected_segment(self, position: int, tag: str, reason: str) -> None:
        self._member_error(
            FindingCode.SEGMENT_OUT_OF_PLACE,
            tag,
            position,
            f"Segment {tag} is out of place: {reason}.",
            "Send the member loop in the 005010X220A1 order.",
        )

    def _unknown_date_qualifier(self, position: int, qualifier: str) -> None:
        self.context.add(
            FindingCode.UNKNOWN_QUALIFIER,
            FindingScope.MEMBER,
            "DTP",
            position,
            "DTP01",
            f"DTP01 date qualifier {qualifier!r} is not one 005010X220A1 allows; the date was kept.",
            "Check the date qualifier with the sender's companion guide.",
            value=qualifier,
            severity=Severity.WARNING,
            member_position=self.position,
        )

    # Building the record --------------------------------------------------------------

    def _build(self, ins: list[str]) -> Member834 | RejectedMember:
        subscriber_id = first_reference(self.references, "0F")
        if not subscriber_id:
            self._member_error(
                FindingCode.REQUIRED_SEGMENT_MISSING,
                "REF",
                self.position,
                f"The member loop at segment {self.position} has no REF*0F subscriber identifier.",
                "Send REF*0F with the subscriber identifier after INS.",
            )
        if self.name is None:
            self._member_error(
                FindingCode.REQUIRED_SEGMENT_MISSING,
                "NM1",
                self.position,
                f"The member loop at segment {self.position} has no NM1*IL member name.",
                "Send NM1*IL with the member's name (loop 2100A).",
            )
        values = ins if len(ins) > 17 else ins + PADDING
        if values[3] == MaintenanceType.CANCELLATION_OR_TERMINATION and not self._has_end_date():
            self._member_error(
                FindingCode.REQUIRED_SEGMENT_MISSING,
                "DTP",
                self.position,
                f"The member loop at segment {self.position} cancels or terminates coverage (INS03 024) "
                f"but sends no end date.",
                "Send DTP*357 (eligibility end) or DTP*349 (benefit end) with the last day of coverage.",
            )
        self._check_category_amounts()
        member = self._member_record(values)
        if member is None or self.findings:
            return RejectedMember(
                self.position, subscriber_id, self.name, tuple(self.findings), subscriber_loop(values)
            )
        return member

    def _member_record(self, values: list[str]) -> Member834 | None:
        if values[1] not in ("Y", "N"):
            self._element_error(
                ElementError(
                    FindingCode.INVALID_CODE,
                    "INS01",
                    f"INS01 subscriber indicator {values[1]!r} is not Y or N.",
                    "Send Y for the subscriber and N for a dependent.",
                    values[1],
                ),
                "INS",
                self.position,
            )
        relationship = RELATIONSHIPS.get(values[2])
        maintenance_type = MAINTENANCE_TYPES.get(values[3])
        benefit_status = BENEFIT_STATUSES.get(values[5])
        maintenance_reason = MAINTENANCE_REASONS.get(values[4]) if values[4] else None
        employment_status = EMPLOYMENT_STATUSES.get(values[8]) if values[8] else None
        if (
            relationship is None
            or maintenance_type is None
            or benefit_status is None
            or (values[4] and maintenance_reason is None)
            or (values[8] and employment_status is None)
        ):
            self._report_ins_errors(values)
            return None
        try:
            death_date = parse_d8(values[12], "INS12") if values[12] else None
        except ElementError as error:
            self._element_error(error, "INS", self.position)
            return None
        if self.findings or self.name is None:
            return None
        return new_member(
            Member834,
            (
                values[1] == "Y",
                relationship,
                maintenance_type,
                maintenance_reason,
                benefit_status,
                self.name,
                values[6].split(self.component)[0].strip(),
                values[7],
                employment_status,
                values[9],
                values[10],
                death_date,
                values[17],
                tuple(self.references),
                tuple(self.dates),
                tuple(self.contacts),
                self.address,
                self.demographics,
                tuple(self.amounts),
                tuple(self.languages),
                self.incorrect_name,
                self.incorrect_demographics,
                self.mailing_address,
                tuple(self.other_names),
                tuple([draft.build() for draft in self.coverages]),
                tuple([category.build() for category in self.categories]),
                self.position,
            ),
        )

    def _report_ins_errors(self, values: list[str]) -> None:
        """Report every INS code that is missing or not in its code list."""
        checks = (
            (lambda: parse_code(RelationshipCode, values[2], "INS02")),
            (lambda: parse_code(MaintenanceType, values[3], "INS03")),
            (lambda: parse_optional_code(MaintenanceReason, values[4], "INS04")),
            (lambda: parse_code(BenefitStatus, values[5], "INS05")),
            (lambda: parse_optional_code(EmploymentStatus, values[8], "INS08")),
        )
        for check in checks:
            try:
                check()
            except ElementError as error:
                self._element_error(error, "INS", self.position)

    def _has_end_date(self) -> bool:
        if any(entry.qualifier == DateQualifier.ELIGIBILITY_END for entry in self.dates):
            return True
        return any(
            entry.qualifier == DateQualifier.BENEFIT_END for draft in self.coverages for entry in draft.dates
        )

    def _check_category_amounts(self) -> None:
        for category in self.categories:
            if category.name in AMOUNT_CATEGORIES and category.references:
                reference = category.references[0]
                try:
                    parse_cents(reference.value, "REF02")
                except ElementError as error:
                    self._element_error(error, "REF", reference.position)


def subscriber_loop(ins: list[str]) -> bool:
    """Return whether the loop is a subscriber's: INS01 is Y, or INS01 is invalid and INS02 is 18 (self).

    The reader rejects a loop with an invalid INS01, and the dependents after it belong to
    it all the same.
    """
    indicator = ins[1] if len(ins) > 1 else ""
    if indicator in ("Y", "N"):
        return indicator == "Y"
    return len(ins) > 2 and ins[2] == RelationshipCode.SELF.value


def _with_city(street: Address | None, elements: list[str], position: int) -> Address:
    """Complete the address that N3 started with the N4 city, state, ZIP, country and county."""
    values = elements if len(elements) > 6 else elements + PADDING
    county = values[6] if values[5] == "CY" else ""
    if street is None:
        return Address("", "", values[1], values[2], values[3], values[4], county, position)
    return Address(
        street.line1, street.line2, values[1], values[2], values[3], values[4], county, street.position
    )
