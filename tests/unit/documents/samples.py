"""Document content for every rendered notice type, built by hand for rendering tests and previews.

The household: Ana Lopez (subscriber, age 35, 400.00 x 1.222 = 488.80) and Bruno Lopez
(spouse, age 34, 400.00 x 1.214 = 485.60) on an exchange policy with APTC 300.00 and 200.00;
a daughter, Carla, joined on 2026-03-17 (15 of 31 days of 306.00 = 148.06).
"""

from __future__ import annotations

from datetime import date

from premia.documents.content import (
    Adjustment,
    Amount,
    Carrier,
    Coupon,
    DocumentContent,
    Enrollment,
    Fact,
    Fee,
    GraceStatus,
    InvoiceContent,
    LetterContent,
    MemberCharge,
    Phrase,
)
from premia.documents.model import MailingAddress
from premia.documents.scanline import scan_line
from premia.kernel.dates import Month
from premia.notices.model import NoticeType

CARRIER = Carrier(
    name="Blue Ridge Health Plan",
    phone="1-800-555-0142",
    address_lines=("PO Box 26110", "Richmond, VA 23261-6110"),
)
HOME = MailingAddress(
    name="Ana Lopez", line1="48 Oak Ave", line2="Apt 2", city="Richmond", state="VA", zip_code="232201234"
)
MARCH = Month(2026, 3)
ACCOUNT = "BA-000012"
INVOICE_NUMBER = "PRM-2026-000114"
MEMBERS = ("Ana Lopez", "Bruno Lopez", "Carla Lopez")

# Current charges: 488.80 + 485.60 + 148.06 = 1,122.46 gross, less APTC 300.00 + 200.00 = 622.46.
# February adjustment for Carla: 306.00 x 1/28 = 10.93 (rounded half-up from 10.928...).
# Total due: previous 974.40 - payments 999.40 + fee 25.00 + adjustment 10.93 + current 622.46 = 633.39.
INVOICE_AMOUNT_DUE = 63_339


def carla_charge() -> MemberCharge:
    return MemberCharge("Carla Lopez", "M000000003", "child", MARCH, 0, 15, 31, 14_806)


def invoice_content() -> InvoiceContent:
    charges = (
        MemberCharge("Ana Lopez", "M000000001", "subscriber", MARCH, 35, 31, 31, 48_880, aptc_cents=30_000),
        MemberCharge("Bruno Lopez", "M000000002", "spouse", MARCH, 34, 31, 31, 48_560, aptc_cents=20_000),
        carla_charge(),
    )
    return InvoiceContent(
        invoice_number=INVOICE_NUMBER,
        issue_date=date(2026, 2, 15),
        period_start=MARCH.first_day,
        period_end=MARCH.last_day,
        due_date=date(2026, 3, 2),
        previous_balance_cents=97_440,
        payments_cents=-99_940,
        fees=(Fee("returned payment fee", 2_500),),
        adjustments=(Adjustment(Month(2026, 2), "Carla Lopez", "premium", 1_093, 1, 28),),
        current_charges_cents=62_246,
        gross_cents=112_246,
        aptc_cents=50_000,
        credits_applied_cents=0,
        amount_due_cents=INVOICE_AMOUNT_DUE,
        charges=charges,
    )


def coupon(amount_due_cents: int, due: date | None, invoice_number: str | None = INVOICE_NUMBER) -> Coupon:
    return Coupon(
        payer_name=HOME.name,
        account_number=ACCOUNT,
        invoice_number=invoice_number,
        due_date=due,
        amount_due_cents=amount_due_cents,
        scan_line=scan_line(ACCOUNT, invoice_number or "0", amount_due_cents),
    )


def invoice_document(language: str = "en") -> DocumentContent:
    statement = invoice_content()
    return DocumentContent(
        notice_type=NoticeType.INVOICE,
        language=language,
        document_date=statement.issue_date,
        reference="N-00000031",
        carrier=CARRIER,
        recipient_name=HOME.name,
        recipient_address=HOME,
        account_number=ACCOUNT,
        invoice=statement,
        grace=GraceStatus(in_grace=False, aptc=True),
        coupon=coupon(statement.amount_due_cents, statement.due_date),
    )


# Group roster, March 2026, employer pays 75% of each premium (half-up, employee takes the rest):
#   Dana Reyes 488.80 -> employer 366.60, employee 122.20
#   Eli Reyes (spouse) 485.60 -> employer 364.20, employee 121.40
#   Farah Khan 577.60 -> employer 433.20, employee 144.40
# Gross 1,552.00; employer 1,164.00; employee 388.00.
LIST_BILL_GROSS = 155_200
LIST_BILL_EMPLOYER = 116_400
LIST_BILL_EMPLOYEE = 38_800


def list_bill_document() -> DocumentContent:
    reyes = Enrollment(
        subscriber_name="Dana Reyes",
        member_id="M000000101",
        policy_number="P-0000101",
        charges=(
            MemberCharge(
                "Dana Reyes", "M000000101", "subscriber", MARCH, 35, 31, 31, 48_880, employer_cents=36_660
            ),
            MemberCharge(
                "Eli Reyes", "M000000102", "spouse", MARCH, 34, 31, 31, 48_560, employer_cents=36_420
            ),
        ),
    )
    khan = Enrollment(
        subscriber_name="Farah Khan",
        member_id="M000000103",
        policy_number="P-0000102",
        charges=(
            MemberCharge(
                "Farah Khan", "M000000103", "subscriber", MARCH, 45, 31, 31, 57_760, employer_cents=43_320
            ),
        ),
    )
    charges = reyes.charges + khan.charges
    statement = InvoiceContent(
        invoice_number="PRM-2026-000115",
        issue_date=date(2026, 2, 15),
        period_start=MARCH.first_day,
        period_end=MARCH.last_day,
        due_date=date(2026, 3, 2),
        previous_balance_cents=0,
        payments_cents=0,
        fees=(),
        adjustments=(),
        current_charges_cents=LIST_BILL_GROSS,
        gross_cents=LIST_BILL_GROSS,
        aptc_cents=0,
        credits_applied_cents=0,
        amount_due_cents=LIST_BILL_GROSS,
        charges=charges,
        enrollments=(khan, reyes),
    )
    office = MailingAddress(
        name="Reyes Hardware LLC",
        attention="Pat Morgan",
        line1="900 Main St",
        line2="Suite 4",
        city="Richmond",
        state="VA",
        zip_code="23219",
    )
    return DocumentContent(
        notice_type=NoticeType.LIST_BILL,
        language="en",
        document_date=statement.issue_date,
        reference="N-00000032",
        carrier=CARRIER,
        recipient_name=office.name,
        recipient_address=office,
        account_number="BA-000040",
        invoice=statement,
        grace=GraceStatus(in_grace=False, aptc=False),
        coupon=Coupon(office.name, "BA-000040", statement.invoice_number, statement.due_date, LIST_BILL_GROSS,
                      scan_line("BA-000040", statement.invoice_number, LIST_BILL_GROSS)),
    )  # fmt: skip


def letter_document(
    notice_type: NoticeType, letter: LetterContent, *, language: str = "en", **extra: object
) -> DocumentContent:
    return DocumentContent(
        notice_type=notice_type,
        language=language,
        document_date=date(2026, 4, 2),
        reference="N-00000040",
        carrier=CARRIER,
        recipient_name=HOME.name,
        recipient_address=HOME,
        account_number=ACCOUNT,
        policy_number="P-0000012",
        letter=letter,
        **extra,  # type: ignore[arg-type]
    )


def letters() -> dict[NoticeType, Sample]:
    """Each letter type with phrases its PDF must show (English)."""
    grace = GraceStatus(
        in_grace=True,
        aptc=True,
        grace_end=date(2026, 6, 30),
        termination_date=date(2026, 4, 30),
        claims_pended=True,
    )
    return {
        NoticeType.AUTODRAFT_PRENOTIFICATION: autodraft_letter(),
        NoticeType.PAYMENT_RECEIPT: receipt_letter(),
        NoticeType.RETURNED_PAYMENT: returned_letter(),
        NoticeType.DELINQUENCY: (
            letter_document(
                NoticeType.DELINQUENCY,
                dunning("delinquency_intro"),
                grace=grace,
                coupon=coupon(10_000, date(2026, 6, 30)),
            ),
            ["Notice of missed premium payment", "$100.00", "June 30, 2026", "April 30, 2026", "Bruno Lopez"],
        ),
        NoticeType.GRACE_SECOND: (
            letter_document(
                NoticeType.GRACE_SECOND,
                dunning("grace_second_intro"),
                grace=grace,
                coupon=coupon(10_000, date(2026, 6, 30)),
            ),
            [
                "Second notice of missed premium payment",
                "This is our second notice",
                "$100.00",
                "June 30, 2026",
            ],
        ),
        NoticeType.FINAL: (
            letter_document(
                NoticeType.FINAL,
                dunning("final_intro"),
                grace=grace,
                coupon=coupon(10_000, date(2026, 6, 30)),
            ),
            ["Final notice before your coverage ends", "This is our final notice", "April 30, 2026"],
        ),
        NoticeType.TERMINATION: termination_letter(),
        NoticeType.RENEWAL: renewal_letter(),
        NoticeType.CANCELLATION: cancellation_letter(),
        NoticeType.REFUND: refund_letter(),
        NoticeType.DISPUTE_OUTCOME: dispute_letter(),
    }


def dunning(opening: str) -> LetterContent:
    """A grace notice for the APTC case: 100.00 missed on 2026-04-01, grace to 06-30, coverage to 04-30."""
    return LetterContent(
        paragraphs=(
            Phrase(opening, {"amount": Amount(10_000), "date": date(2026, 4, 1)}),
            Phrase("grace_pay_by", {"amount": Amount(10_000), "date": date(2026, 6, 30)}),
        ),
        warnings=(
            Phrase("grace_termination_warning", {"date": date(2026, 4, 30)}),
            Phrase("claims_pended_notice"),
        ),
        facts=(
            Fact("amount_due", Amount(10_000)),
            Fact("fact_missed_due_date", date(2026, 4, 1)),
            Fact("fact_grace_end", date(2026, 6, 30)),
            Fact("fact_termination_if_unpaid", date(2026, 4, 30)),
        ),
        members=MEMBERS[:2],
        asks_for_payment=True,
    )


Sample = tuple[DocumentContent, list[str]]


def autodraft_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("autodraft_intro", {"amount": Amount(63_339), "last4": "6789", "date": date(2026, 3, 2)}),
        ),
        facts=(
            Fact("fact_draft_amount", Amount(63_339)),
            Fact("fact_draft_date", date(2026, 3, 2)),
            Fact("fact_bank_account", "****6789"),
        ),
        closing=(Phrase("autodraft_change", {"date": date(2026, 3, 2)}),),
    )
    return letter_document(NoticeType.AUTODRAFT_PRENOTIFICATION, letter), [
        "Automatic payment notice",
        "$633.39",
        "March 2, 2026",
        "6789",
    ]


def receipt_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("receipt_intro", {"amount": Amount(97_440), "date": date(2026, 3, 30)}),
            Phrase("receipt_paid_in_full"),
        ),
        facts=(
            Fact("fact_amount_received", Amount(97_440)),
            Fact("fact_date_received", date(2026, 3, 30)),
            Fact("fact_balance", Amount(0)),
        ),
    )
    return letter_document(NoticeType.PAYMENT_RECEIPT, letter), [
        "Payment receipt",
        "$974.40",
        "March 30, 2026",
        "paid in full",
    ]


def returned_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("returned_intro", {"amount": Amount(99_300), "date": date(2026, 4, 1)}),
            Phrase("returned_reason", {"code": "R01", "reason": Phrase("return_reason_R01")}),
            Phrase("returned_fee", {"amount": Amount(2_500)}),
            # 993.00 premium + 25.00 fee = 1,018.00
            Phrase("returned_pay_now", {"amount": Amount(101_800), "date": date(2026, 4, 15)}),
        ),
        facts=(
            Fact("amount_due", Amount(101_800)),
            Fact("fact_returned_amount", Amount(99_300)),
            Fact("fact_returned_on", date(2026, 4, 3)),
            Fact("fact_return_code", "R01"),
            Fact("fact_fee", Amount(2_500)),
        ),
        asks_for_payment=True,
    )
    document = letter_document(NoticeType.RETURNED_PAYMENT, letter, coupon=coupon(101_800, date(2026, 4, 15)))
    return document, ["Returned payment notice", "R01", "insufficient funds", "$25.00", "$1,018.00"]


def termination_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("termination_intro", {"policy": "P-0000012", "date": date(2026, 4, 30)}),
            Phrase("reason_line", {"reason": Phrase("reason_non_payment")}),
            Phrase("termination_claims", {"date": date(2026, 4, 30)}),
        ),
        facts=(Fact("fact_coverage_end", date(2026, 4, 30)), Fact("fact_balance", Amount(0))),
        members=MEMBERS[:2],
        closing=(Phrase("termination_dispute"),),
    )
    expected = [
        "Notice that your coverage has ended",
        "April 30, 2026",
        "the premium was not paid",
        "Ana Lopez",
    ]
    return letter_document(NoticeType.TERMINATION, letter), expected


def renewal_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("renewal_intro", {"date": date(2027, 1, 1)}),
            Phrase("renewal_premium", {"amount": Amount(101_568)}),
            # 1,015.68 - 974.40 = 41.28
            Phrase("renewal_increase", {"previous": Amount(97_440), "difference": Amount(4_128)}),
        ),
        facts=(
            Fact("fact_renewal_date", date(2027, 1, 1)),
            Fact("fact_plan", "Silver HMO 2027"),
            Fact("fact_new_premium", Amount(101_568)),
            Fact("fact_current_premium", Amount(97_440)),
        ),
        members=MEMBERS,
        closing=(Phrase("renewal_action"),),
    )
    return letter_document(NoticeType.RENEWAL, letter), [
        "Renewal notice",
        "January 1, 2027",
        "$1,015.68",
        "$41.28",
        "Silver HMO 2027",
    ]


def cancellation_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("cancellation_intro", {"policy": "P-0000012", "date": date(2026, 1, 1)}),
            Phrase("reason_line", {"reason": Phrase("reason_binder_not_paid")}),
        ),
        facts=(Fact("fact_cancelled_from", date(2026, 1, 1)),),
        members=MEMBERS[:1],
    )
    return letter_document(NoticeType.CANCELLATION, letter), [
        "Notice of policy cancellation",
        "January 1, 2026",
        "first premium payment",
    ]


def refund_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("refund_intro", {"amount": Amount(47_940), "date": date(2026, 7, 10)}),
            Phrase("refund_method_check"),
        ),
        facts=(Fact("fact_refund_amount", Amount(47_940)), Fact("fact_refund_date", date(2026, 7, 10))),
    )
    return letter_document(NoticeType.REFUND, letter), ["Refund notice", "$479.40", "July 10, 2026", "check"]


def dispute_letter() -> Sample:
    letter = LetterContent(
        paragraphs=(
            Phrase("dispute_intro", {"case": "D-000007", "date": date(2026, 5, 12)}),
            Phrase("dispute_adjustment_credit", {"credit": Amount(30_600), "refund": Amount(0)}),
        ),
        facts=(
            Fact("fact_case_number", "D-000007"),
            Fact("fact_decided_on", date(2026, 5, 12)),
            Fact("fact_credit_amount", Amount(30_600)),
        ),
    )
    return letter_document(NoticeType.DISPUTE_OUTCOME, letter), [
        "Decision on your billing dispute",
        "D-000007",
        "$306.00",
        "May 12, 2026",
    ]
