"""Read camt entries (``Ntry``) with their batch and transaction details."""

from __future__ import annotations

from premia.formats.camt.codes import CreditDebit, EntryStatus
from premia.formats.camt.errors import CamtProblem
from premia.formats.camt.records import (
    BankTransactionCode,
    CamtEntry,
    EntryBatch,
    ReturnInformation,
    TransactionDetails,
)
from premia.formats.camt.tree import Element, find, find_all, text, texts
from premia.formats.camt.values import ValueReader
from premia.kernel.errors import ValidationError


def read_entry(
    element: Element, index: int, report_label: str, problems: list[ValidationError]
) -> CamtEntry | None:
    """Read one entry; return None when its amount, direction or status is missing or invalid."""
    reference = text(element, "AcctSvcrRef") or text(element, "NtryRef")
    label = f"{report_label} entry {index}" + (f" ({reference})" if reference else "")
    values = ValueReader(label, problems)

    amount = values.amount(element, "Amt")
    credit_debit = values.code(element, "CdtDbtInd", CreditDebit)
    status_text = values.status(element)
    status = None
    if status_text is None:
        values.fail(
            CamtProblem.MISSING_ELEMENT,
            "Sts",
            "Sts is missing.",
            None,
            "Every entry states whether it is booked.",
        )
    else:
        try:
            status = EntryStatus(status_text)
        except ValueError:
            values.fail(
                CamtProblem.INVALID_VALUE,
                "Sts",
                f"Sts {status_text!r} is not BOOK, PDNG, INFO or FUTR.",
                status_text,
                "Use an ISO 20022 entry status.",
            )
    reversal = values.boolean(element, "RvslInd") or False
    booking_date = values.date_choice(element, "BookgDt")
    value_date = values.date_choice(element, "ValDt")

    details = find_all(element, "NtryDtls")
    batches = tuple(_batch(batch, values) for detail in details for batch in find_all(detail, "Btch"))
    transactions = tuple(
        _transaction(transaction, values) for detail in details for transaction in find_all(detail, "TxDtls")
    )
    if not values.valid or amount is None or credit_debit is None or status is None:
        return None
    return CamtEntry(
        index=index,
        entry_reference=text(element, "NtryRef"),
        amount_cents=amount[0],
        currency=amount[1],
        credit_debit=credit_debit,
        reversal=reversal,
        status=status,
        booking_date=booking_date,
        value_date=value_date,
        account_servicer_reference=text(element, "AcctSvcrRef"),
        bank_transaction_code=bank_transaction_code(find(element, "BkTxCd")),
        batches=batches,
        transactions=transactions,
        additional_information=text(element, "AddtlNtryInf"),
    )


def bank_transaction_code(element: Element | None) -> BankTransactionCode | None:
    if element is None:
        return None
    return BankTransactionCode(
        domain=text(element, "Domn/Cd"),
        family=text(element, "Domn/Fmly/Cd"),
        subfamily=text(element, "Domn/Fmly/SubFmlyCd"),
        proprietary=text(element, "Prtry/Cd"),
    )


def _batch(element: Element, values: ValueReader) -> EntryBatch:
    total = values.amount(element, "TtlAmt", required=False)
    return EntryBatch(
        message_id=text(element, "MsgId"),
        payment_information_id=text(element, "PmtInfId"),
        number_of_transactions=values.integer(element, "NbOfTxs"),
        total_amount_cents=total[0] if total else None,
        currency=total[1] if total else None,
        credit_debit=values.code(element, "CdtDbtInd", CreditDebit, required=False),
    )


def _transaction(element: Element, values: ValueReader) -> TransactionDetails:
    # Version 02 puts the amount in AmtDtls/TxAmt; later versions add Amt directly under TxDtls.
    amount = values.amount(element, "Amt", required=False) or values.amount(
        element, "AmtDtls/TxAmt/Amt", required=False
    )
    refs = find(element, "Refs")
    return TransactionDetails(
        amount_cents=amount[0] if amount else None,
        currency=amount[1] if amount else None,
        credit_debit=values.code(element, "CdtDbtInd", CreditDebit, required=False),
        message_id=text(refs, "MsgId"),
        account_servicer_reference=text(refs, "AcctSvcrRef"),
        payment_information_id=text(refs, "PmtInfId"),
        instruction_id=text(refs, "InstrId"),
        end_to_end_id=text(refs, "EndToEndId"),
        transaction_id=text(refs, "TxId"),
        mandate_id=text(refs, "MndtId"),
        cheque_number=text(refs, "ChqNb"),
        bank_transaction_code=bank_transaction_code(find(element, "BkTxCd")),
        debtor_name=_party_name(element, "Dbtr"),
        creditor_name=_party_name(element, "Cdtr"),
        remittance_unstructured=texts(element, "RmtInf/Ustrd"),
        creditor_references=texts(element, "RmtInf/Strd/CdtrRefInf/Ref"),
        referred_document_numbers=texts(element, "RmtInf/Strd/RfrdDocInf/Nb"),
        return_information=_return_information(find(element, "RtrInf")),
        additional_information=text(element, "AddtlTxInf"),
    )


def _party_name(element: Element, role: str) -> str | None:
    # Up to version 07 the name sits in RltdPties/Dbtr/Nm; from version 08 in RltdPties/Dbtr/Pty/Nm.
    return text(element, f"RltdPties/{role}/Nm") or text(element, f"RltdPties/{role}/Pty/Nm")


def _return_information(element: Element | None) -> ReturnInformation | None:
    if element is None:
        return None
    return ReturnInformation(
        reason_code=text(element, "Rsn/Cd"),
        proprietary_reason=text(element, "Rsn/Prtry"),
        additional_information=texts(element, "AddtlInf"),
    )
