"""Read ISO 20022 bank-to-customer cash-management messages: camt.052, camt.053 and camt.054.

:func:`read_camt` finds the ``Document`` element, directly or inside a wrapper that also contains
a head.001 business application header, and reads it by local element names, so versions
001.02 to 001.08 read alike. It returns a :class:`~premia.formats.camt.records.CamtDocument`
or raises :class:`~premia.formats.camt.errors.CamtDocumentRejected` listing every problem.
Balance, summary and batch arithmetic that does not add up is reported as a warning, because
a document may carry one page of a longer statement.
"""

from __future__ import annotations

from premia.formats.camt.checks import check_report
from premia.formats.camt.codes import MESSAGE_ELEMENTS, BalanceType, CreditDebit
from premia.formats.camt.entries import read_entry
from premia.formats.camt.errors import CamtProblem, problem, reject
from premia.formats.camt.records import AccountReport, ApplicationHeader, Balance, CamtAccount, CamtDocument
from premia.formats.camt.tree import (
    Element,
    children,
    descendants,
    find,
    local_name,
    namespace,
    parse_document,
    text,
)
from premia.formats.camt.values import ValueReader
from premia.kernel.errors import ValidationError

ISO_NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"


def read_camt(data: bytes) -> CamtDocument:
    """Parse and validate a camt document.

    ``data`` is the file's bytes, so that its XML declaration sets the encoding.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"read_camt takes the file's bytes, got {type(data).__name__}")
    problems: list[ValidationError] = []
    warnings: list[ValidationError] = []

    root = parse_document(data, problems)
    if root is None:
        raise reject(problems)
    document = root if local_name(root) == "Document" else next(iter(descendants(root, "Document")), None)
    if document is None:
        problems.append(
            problem(
                CamtProblem.NOT_A_CAMT_DOCUMENT,
                f"No ISO 20022 Document element was found under the root element <{local_name(root)}>.",
                hint="Check that the file is a camt.052, camt.053 or camt.054 message.",
            )
        )
        raise reject(problems)

    result = _read_document(root, document, problems, warnings)
    if problems or result is None:
        raise reject(problems)
    return result


def _read_document(
    root: Element, document: Element, problems: list[ValidationError], warnings: list[ValidationError]
) -> CamtDocument | None:
    message = next((child for child in document if isinstance(child.tag, str)), None)
    message_name = local_name(message) if message is not None else "nothing"
    if message is None or message_name not in MESSAGE_ELEMENTS:
        problems.append(
            problem(
                CamtProblem.NOT_A_CAMT_DOCUMENT,
                f"The Document holds {message_name} ({namespace(document) or 'no namespace'}), not a "
                "camt.052, camt.053 or camt.054 message.",
                value=message_name,
                hint="Send bank statements (camt.053) or debit and credit notifications (camt.054).",
            )
        )
        return None
    kind, report_name = MESSAGE_ELEMENTS[message_name]

    header = find(message, "GrpHdr")
    values = ValueReader(f"{message_name} group header", problems)
    message_id = values.required_text(header, "MsgId")
    created_at = values.datetime(header, "CreDtTm")
    page_number = values.integer(header, "MsgPgntn/PgNb")
    last_page = values.boolean(header, "MsgPgntn/LastPgInd")
    application_header = _application_header(root, document, values)

    reports = []
    report_elements = children(message, report_name)
    if not report_elements:
        values.fail(
            CamtProblem.MISSING_ELEMENT,
            report_name,
            f"the message has no {report_name} element.",
            None,
            f"A {kind.value} message holds at least one {report_name}.",
        )
    for index, element in enumerate(report_elements, start=1):
        report = _read_report(element, report_name, index, problems)
        if report is not None:
            check_report(
                report,
                report_element=element,
                complete=page_number in (None, 1) and last_page is not False,
                warnings=warnings,
            )
            reports.append(report)

    if message_id is None:
        return None
    return CamtDocument(
        kind=kind,
        message_definition=_message_definition(document, application_header),
        message_id=message_id,
        created_at=created_at,
        page_number=page_number,
        last_page=last_page,
        application_header=application_header,
        reports=tuple(reports),
        warnings=tuple(warnings),
    )


def _read_report(
    element: Element, report_name: str, index: int, problems: list[ValidationError]
) -> AccountReport | None:
    report_id = text(element, "Id")
    label = f"{report_name} {report_id or index}"
    values = ValueReader(label, problems)
    values.required_text(element, "Id")

    account = _account(find(element, "Acct"), values)
    balances = tuple(
        balance for node in children(element, "Bal") if (balance := _balance(node, values)) is not None
    )
    entries = tuple(
        entry
        for entry_index, node in enumerate(children(element, "Ntry"), start=1)
        if (entry := read_entry(node, entry_index, label, problems)) is not None
    )
    if not values.valid or report_id is None or account is None:
        return None
    return AccountReport(
        report_id=report_id,
        electronic_sequence_number=values.integer(element, "ElctrncSeqNb"),
        created_at=values.datetime(element, "CreDtTm"),
        from_datetime=values.datetime(element, "FrToDt/FrDtTm"),
        to_datetime=values.datetime(element, "FrToDt/ToDtTm"),
        account=account,
        balances=balances,
        entries=entries,
    )


def _account(element: Element | None, values: ValueReader) -> CamtAccount | None:
    iban = text(element, "Id/IBAN")
    other_id = text(element, "Id/Othr/Id")
    if element is None or (iban is None and other_id is None):
        values.fail(
            CamtProblem.MISSING_ELEMENT,
            "Acct/Id",
            "the account identification (Acct/Id/IBAN or Acct/Id/Othr/Id) is missing.",
            None,
            "Every statement names its account.",
        )
        return None
    return CamtAccount(
        iban=iban,
        other_id=other_id,
        currency=text(element, "Ccy"),
        name=text(element, "Nm"),
        owner_name=text(element, "Ownr/Nm") or text(element, "Ownr/Pty/Nm"),
    )


def _balance(element: Element, values: ValueReader) -> Balance | None:
    type_code = text(element, "Tp/CdOrPrtry/Cd")
    proprietary = text(element, "Tp/CdOrPrtry/Prtry")
    balance_type = None
    if type_code is not None:
        try:
            balance_type = BalanceType(type_code)
        except ValueError:
            proprietary = proprietary or type_code
    amount = values.amount(element, "Amt")
    credit_debit = values.code(element, "CdtDbtInd", CreditDebit)
    balance_date = values.date_choice(element, "Dt")
    if amount is None or credit_debit is None:
        return None
    return Balance(balance_type, proprietary, amount[0], amount[1], credit_debit, balance_date)


def _application_header(root: Element, document: Element, values: ValueReader) -> ApplicationHeader | None:
    if root is document:
        return None
    header = next(iter(descendants(root, "AppHdr")), None)
    if header is None:
        return None
    return ApplicationHeader(
        from_bic=text(header, "Fr/FIId/FinInstnId/BICFI") or text(header, "Fr/FIId/FinInstnId/BIC"),
        to_bic=text(header, "To/FIId/FinInstnId/BICFI") or text(header, "To/FIId/FinInstnId/BIC"),
        business_message_id=text(header, "BizMsgIdr"),
        message_definition=text(header, "MsgDefIdr"),
        created_at=values.datetime(header, "CreDt"),
    )


def _message_definition(document: Element, application_header: ApplicationHeader | None) -> str | None:
    document_namespace = namespace(document) or ""
    if document_namespace.startswith(ISO_NAMESPACE_PREFIX):
        return document_namespace.removeprefix(ISO_NAMESPACE_PREFIX)
    return application_header.message_definition if application_header else None
