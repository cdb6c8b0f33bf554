"""The camt reader on inline documents: safe parsing, versions, required elements and arithmetic warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from premia.formats.camt import (
    CamtDocument,
    CamtDocumentRejected,
    CamtProblem,
    CreditDebit,
    EntryStatus,
    read_camt,
)

# A camt.054.001.08 lockbox-style credit: entry status and party names in their version-08 places.
NOTIFICATION_V08 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-2026-04-27</MsgId><CreDtTm>2026-04-27T18:00:00-04:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <Acct><Id><Othr><Id>4400123456</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">968.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-04-27</Dt></BookgDt>
        <ValDt><DtTm>2026-04-28T09:00:00</DtTm></ValDt>
        <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>PRM-2026-000114</EndToEndId></Refs>
            <Amt Ccy="USD">968.00</Amt>
            <CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Pty><Nm>SUBSCRIBER A</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Ustrd>PRM 2026 000114</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def _read(xml: str) -> CamtDocument:
    return read_camt(xml.encode("utf-8"))


def _problems(xml: str) -> list:
    with pytest.raises(CamtDocumentRejected) as caught:
        _read(xml)
    return list(caught.value.problems)


def test_reader_version_08() -> None:
    document = _read(NOTIFICATION_V08)

    (entry,) = document.entries
    (details,) = entry.transactions
    assert document.message_definition == "camt.054.001.08"
    assert document.reports[0].account.identifier == "4400123456"
    assert entry.status is EntryStatus.BOOKED
    assert entry.amount_cents == 96800
    assert entry.value_date == date(2026, 4, 28)
    assert details.debtor_name == "SUBSCRIBER A"
    assert details.remittance_unstructured == ("PRM 2026 000114",)
    assert document.warnings == ()


def test_document_without_namespace() -> None:
    xml = NOTIFICATION_V08.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"', "")

    document = _read(xml)

    assert document.message_definition is None
    assert document.entries[0].amount_cents == 96800


def test_external_entity_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("ROUTING 231380104 ACCOUNT 4400123456789")
    xml = NOTIFICATION_V08.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Document [<!ENTITY leak SYSTEM "file://{secret}">]>',
    ).replace("<Ustrd>PRM 2026 000114</Ustrd>", "<Ustrd>&leak;</Ustrd>")

    (problem,) = _problems(xml)

    assert problem.code is CamtProblem.DTD_NOT_ALLOWED
    assert "4400123456789" not in problem.message


def test_entity_expansion_not_performed() -> None:
    xml = NOTIFICATION_V08.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ).replace("<Ustrd>PRM 2026 000114</Ustrd>", "<Ustrd>&b;&b;&b;</Ustrd>")

    (problem,) = _problems(xml)

    assert problem.code is CamtProblem.DTD_NOT_ALLOWED


def test_other_message_rejected() -> None:
    xml = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt/></Document>'

    (problem,) = _problems(xml)

    assert problem.code is CamtProblem.NOT_A_CAMT_DOCUMENT
    assert problem.value == "CstmrPmtStsRpt"


def test_no_document_element() -> None:
    (problem,) = _problems("<message><AppHdr/></message>")

    assert problem.code is CamtProblem.NOT_A_CAMT_DOCUMENT
    assert "<message>" in problem.message


def test_entry_without_amount() -> None:
    problems = _problems(
        NOTIFICATION_V08.replace('<Amt Ccy="USD">968.00</Amt>\n        <CdtDbtInd>', "<CdtDbtInd>")
    )

    assert problems[0].code is CamtProblem.MISSING_ELEMENT
    assert problems[0].record == "Ntfctn NTF-1 entry 1 (BANKREF-1)"
    assert problems[0].field == "Amt"


def test_sub_cent_amount() -> None:
    problems = _problems(
        NOTIFICATION_V08.replace("968.00</Amt>\n        <CdtDbtInd>", "968.005</Amt>\n        <CdtDbtInd>")
    )

    assert problems[0].code is CamtProblem.INVALID_VALUE
    assert "968.005" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>",
            "<CdtDbtInd>CREDIT</CdtDbtInd>\n        <Sts>",
            "CdtDbtInd",
        ),
        ("<Sts><Cd>BOOK</Cd></Sts>", "<Sts><Cd>DONE</Cd></Sts>", "Sts"),
        ("<BookgDt><Dt>2026-04-27</Dt>", "<BookgDt><Dt>2026-04-31</Dt>", "BookgDt/Dt"),
        ("<Id>NTF-1</Id>", "", "Id"),
        (
            '<Amt Ccy="USD">968.00</Amt>\n        <CdtDbtInd>',
            "<Amt>968.00</Amt>\n        <CdtDbtInd>",
            "Amt/@Ccy",
        ),
    ],
)
def test_invalid_values(old: str, new: str, field: str) -> None:
    problems = _problems(NOTIFICATION_V08.replace(old, new, 1))

    assert problems[0].field == field


def test_bytes_required() -> None:
    with pytest.raises(TypeError, match="bytes"):
        read_camt(NOTIFICATION_V08)  # type: ignore[arg-type]


def test_details_mismatch_warns() -> None:
    xml = NOTIFICATION_V08.replace(
        '<Amt Ccy="USD">968.00</Amt>\n            <CdtDbtInd>',
        '<Amt Ccy="USD">986.00</Amt>\n            <CdtDbtInd>',
    )

    document = _read(xml)

    (warning,) = document.warnings
    assert warning.code is CamtProblem.DETAILS_MISMATCH
    assert "986.00" in warning.message


def test_summary_mismatch_warns() -> None:
    summary = "<TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries><Sum>968.00</Sum></TtlNtries></TxsSummry>"
    xml = NOTIFICATION_V08.replace("</Acct>", "</Acct>" + summary)

    document = _read(xml)

    (warning,) = document.warnings
    assert warning.code is CamtProblem.SUMMARY_MISMATCH
    assert warning.value == "2"


def _statement(closing: str, *, page: int | None = None) -> str:
    """The notification above as a one-entry camt.053 statement with an opening balance of 100.00 debit."""
    balances = (
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">100.00</Amt>'
        "<CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-04-27</Dt></Dt></Bal>"
        f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{closing}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-04-27</Dt></Dt></Bal>"
    )
    statement = (
        NOTIFICATION_V08.replace("camt.054.001.08", "camt.053.001.08")
        .replace("BkToCstmrDbtCdtNtfctn", "BkToCstmrStmt")
        .replace("Ntfctn>", "Stmt>")
        .replace("</Acct>", "</Acct>" + balances)
    )
    if page is None:
        return statement
    pagination = f"<MsgPgntn><PgNb>{page}</PgNb><LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>"
    return statement.replace("</GrpHdr>", pagination)


def test_statement_balances() -> None:
    # -100.00 + 968.00 = 868.00
    document = _read(_statement("868.00"))

    assert document.warnings == ()
    assert document.reports[0].balances[0].signed_amount_cents == -10000
    assert document.entries[0].credit_debit is CreditDebit.CREDIT


def test_statement_balance_mismatch_warns() -> None:
    document = _read(_statement("869.00"))

    assert [warning.code for warning in document.warnings] == [CamtProblem.BALANCE_MISMATCH]


def test_balance_check_skipped_on_later_page() -> None:
    document = _read(_statement("869.00", page=2))

    assert document.page_number == 2
    assert document.warnings == ()
