"""Builders for payment stories: households on auto-draft, ACH return files, sample paths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest

from premia.accounts import service as accounts
from premia.accounts.model import AuthorizationMethod, BankAccountInput, BankAccountType
from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.enrollment.model import Relationship
from premia.enrollment.tables import Policy
from premia.formats.nacha.controls import HASH_MODULUS, block_count
from premia.formats.x12 import (
    CreditDebit,
    EntityName,
    FunctionalGroup,
    Interchange,
    Party,
    PartyRole,
    PaymentHandling,
    PaymentMethod,
    PaymentOrder,
    QualifiedDate,
    Reference,
    Remittance820,
    RemittanceEntity,
    RemittanceLine,
    SetHeader,
    Trace,
    UsageIndicator,
    write_820,
)
from premia.formats.nacha.layout import BLOCKING_FACTOR, PADDING_RECORD
from premia.payments.config import PaymentsConfig

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples"
ROUTING = "091000019"
BANK_NUMBER = "4455667788"
# The placeholder originator's ODFI: trace numbers Premia sends start with these 8 digits.
ODFI = "09100001"


@pytest.fixture
def sample_files() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"public sample files not found at {SAMPLES.resolve()}; they live beside the repository in shared/samples")
    return SAMPLES


@dataclass
class Household:
    account: object
    policy: Policy


def couple(story, *, effective: date = date(2026, 1, 1), start: date | None = None, on_exchange: bool = False) -> Household:
    """Subscriber A and spouse B on one off-exchange policy.

    A born 1990-08-17 (factor 1.222 at 35) and B born 1993-02-03, base 400.00. Ages are taken
    on the effective date: from 2026-01-01, B is 32 (1.183) and the policy costs
    488.80 + 473.20 = 962.00 a month; from 2026-02-03 on, B is 33 (1.198) and it costs 968.00.
    """
    account = story.at(start or date(effective.year - 1, 12, 1)).account(birth=date(1990, 8, 17))
    policy = story.policy(account, effective=effective, on_exchange=on_exchange)
    story.dependent(policy, first_name="B", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=effective)
    return Household(account, policy)


def on_autodraft(
    story,
    account,
    *,
    day: int | None = None,
    account_type: BankAccountType = BankAccountType.CHECKING,
    authorization: AuthorizationMethod = AuthorizationMethod.PAPER,
) -> None:
    """Give the account a bank account with an authorization (paper: PPD) and switch it to auto-draft."""
    accounts.add_bank_account(
        story.ctx,
        account.account_number,
        BankAccountInput(
            holder_name="Ana Subscriber",
            routing_number=ROUTING,
            account_number=BANK_NUMBER,
            account_type=account_type,
            authorization_method=authorization,
            authorized_by="Ana Subscriber",
        ),
    )
    accounts.update_preferences(story.ctx, account.account_number, {"payment_method": AccountPaymentMethod.ACH_AUTODRAFT, "autodraft_day": day})


def config(**changes) -> PaymentsConfig:
    return PaymentsConfig.model_validate(changes)


@dataclass(frozen=True)
class ReturnLine:
    """One entry of a return or NOC file: the trace number Premia sent and the bank's code."""

    original_trace: str
    amount_cents: int
    code: str
    corrected_data: str = ""
    credit: bool = False


def nacha_return_file(lines: list[ReturnLine], *, created: date = date(2026, 4, 3), modifier: str = "A") -> str:
    """A complete, blocked NACHA file of returns (addenda 99) and notifications of change (addenda 98)."""
    rdfi = ROUTING[:8]
    records = [f"101 {ROUTING}{ROUTING:>10}{created:%y%m%d}0900{modifier}094101{'PREMIA DEMO CARRIER':<23}{'DEMO ODFI':<23}{'':8}"]
    total_hash = total_count = total_debit = total_credit = 0
    for number, line in enumerate(lines, start=1):
        is_change = line.code.startswith("C")
        code = ("21" if line.credit else "26")
        sec = "COR" if is_change else "PPD"
        service = "220" if line.credit else "225"
        amount = 0 if is_change else line.amount_cents
        records.append(f"5{service}{'BANK RETURNS':<16}{'':20}{'1234567890':<10}{sec}{'RETURN':<10}{'':6}{created:%y%m%d}   1{rdfi}{number:07d}")
        trace = f"{rdfi}{number:07d}"
        records.append(f"6{code}{ROUTING}{BANK_NUMBER:<17}{amount:010d}{'':15}{'ANA SUBSCRIBER':<22}  1{trace}")
        if is_change:
            records.append(f"798{line.code}{line.original_trace}{'':6}{rdfi}{line.corrected_data:<29}{'':15}{trace}")
        else:
            records.append(f"799{line.code}{line.original_trace}{'':6}{rdfi}{'':44}{trace}")
        debit = 0 if line.credit else amount
        credit = amount if line.credit else 0
        records.append(f"8{service}{2:06d}{int(rdfi) % HASH_MODULUS:010d}{debit:012d}{credit:012d}{'1234567890':<10}{'':25}{rdfi}{number:07d}")
        total_hash += int(rdfi)
        total_count += 2
        total_debit += debit
        total_credit += credit
    count = len(records) + 1
    records.append(f"9{len(lines):06d}{block_count(count):06d}{total_count:08d}{total_hash % HASH_MODULUS:010d}{total_debit:012d}{total_credit:012d}{'':39}")
    records.extend([PADDING_RECORD] * (-count % BLOCKING_FACTOR))
    return "\n".join(records) + "\n"


@dataclass(frozen=True)
class Credit:
    """A BAI2 transaction: its type code (115 lockbox, 195 wire, 451 debit), amount and references."""

    type_code: str
    amount_cents: int
    customer_reference: str = ""
    text: str = ""
    bank_reference: str = ""


def bai2_file(account: str, on: date, transactions: list[Credit], *, file_id: str = "1") -> str:
    """A one-group, one-account BAI2 report with correct trailer counts and control totals."""
    details = [
        f"16,{tx.type_code},{tx.amount_cents},,{tx.bank_reference},{tx.customer_reference},{tx.text}/" for tx in transactions
    ]
    total = sum(tx.amount_cents for tx in transactions)
    account_records = [f"03,{account},USD,/", *details]
    account_records.append(f"49,{total},{len(account_records) + 1}/")
    group = [f"02,PREMIA,BANK,1,{on:%y%m%d},2400,USD,2/", *account_records]
    group.append(f"98,{total},1,{len(group) + 1}/")
    records = [f"01,BANK,PREMIA,{on:%y%m%d},0600,{file_id},,,2/", *group]
    records.append(f"99,{total},1,{len(records) + 1}/")
    return "\n".join(records) + "\n"


def camt_credit(account: str, on: date, amount: str, *, invoice_number: str, message_id: str = "MSG-1") -> bytes:
    """A camt.054 notification of one booked USD credit whose remittance names an invoice."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{on.isoformat()}T08:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1</Id>
      <CreDtTm>{on.isoformat()}T08:00:00</CreDtTm>
      <Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{on.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{on.isoformat()}</Dt></ValDt>
        <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Amt Ccy="USD">{amount}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Nm>Ana Subscriber</Nm></Dbtr></RltdPties>
          <RmtInf><Strd><RfrdDocInf><Nb>{invoice_number}</Nb></RfrdDocInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode("utf-8")


def remittance_file(
    entities: list[RemittanceEntity],
    *,
    paid_on: date,
    implementation: str,
    control: str = "000000605",
    trace: str = "EXCHANGE-2026-06",
) -> bytes:
    """An 820 interchange of one transaction set whose BPR02 is the sum of ``entities``."""
    total = sum(entity.remitted_cents for entity in entities)
    remittance = Remittance820(
        SetHeader("820", "0001", implementation),
        PaymentOrder(PaymentHandling.PAYMENT_WITH_REMITTANCE, total, CreditDebit.CREDIT, PaymentMethod.ACH, "CCP", payment_date=paid_on),
        Trace("1", trace, "1234567890"),
        payee=Party(PartyRole.PAYEE, "PREMIA HEALTH", "FI", "123456789"),
        payer=Party(PartyRole.REMITTER if implementation.endswith("X306") else PartyRole.PAYER, "PAYER", "FI", "987654321"),
        entities=tuple(entities),
    )
    group = FunctionalGroup("RA", "PAYER", "PREMIA", paid_on, time(9, 0), control.lstrip("0") or "1", implementation, (remittance,))
    interchange = Interchange("ZZ", "PAYER", "ZZ", "PREMIA", paid_on, time(9, 0), control, "00501", UsageIndicator.TEST, False, (group,))
    return write_820(interchange).encode("ascii")


def aptc_loop(number: int, exchange_policy_id: str, lines: list[tuple[str, int, date, date]]) -> RemittanceEntity:
    """An Exchange 820 policy loop: (payment type, cents, coverage start, coverage end) per RMR line."""
    return RemittanceEntity(
        str(number),
        individual=EntityName("IL", "1", "MEMBER", str(number)),
        references=(Reference("POL", exchange_policy_id),),
        lines=tuple(RemittanceLine("IK", kind, cents, dates=(QualifiedDate("582", start, end),)) for kind, cents, start, end in lines),
    )


def member_loop(number: int, policy_number: str, cents: int, start: date, end: date, *, qualifier: str = "AZ") -> RemittanceEntity:
    """An employer 820 member loop with one RMR line for a policy (AZ) or an invoice (IV)."""
    return RemittanceEntity(
        str(number),
        "2J",
        "EI",
        f"E{number:05d}",
        individual=EntityName("QE", "1", "EMPLOYEE", str(number)),
        lines=(RemittanceLine(qualifier, policy_number, cents, dates=(QualifiedDate("582", start, end),)),),
    )
