"""Changes to a payer's ACH mandate that a bank return or NOC calls for: stop drafting, deactivate, correct.

Returns and notifications of change arrive from the bank, so these functions change the
billing account and bank account rows directly, each with an audit row naming the NACHA
code that caused it. The audit rows name fields only, never account numbers.
"""

from __future__ import annotations

from sqlalchemy import select

from premia.accounts.model import BankAccountType
from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.accounts.tables import BankAccount, BillingAccount
from premia.audit import service as audit
from premia.formats.nacha import ChangeCode, NotificationOfChange
from premia.infra.context import ServiceContext

ACTIVE = "active"
INACTIVE = "inactive"
# NOC codes whose corrected data Premia applies to the stored bank account.
APPLIED_CHANGES = frozenset(
    {ChangeCode.C01, ChangeCode.C02, ChangeCode.C03, ChangeCode.C04, ChangeCode.C05, ChangeCode.C06, ChangeCode.C07}
)


def active_bank(ctx: ServiceContext, billing_account_id: int) -> BankAccount | None:
    """Return the account's newest active bank account, the one drafts go to."""
    return ctx.session.scalars(
        select(BankAccount)
        .where(BankAccount.billing_account_id == billing_account_id, BankAccount.status == ACTIVE)
        .order_by(BankAccount.id.desc())
    ).first()


def stop_autodraft(ctx: ServiceContext, account: BillingAccount, *, reason: str) -> bool:
    """Move the account off ACH auto-draft to paying by invoice; return whether it was drafting."""
    if account.payment_method != AccountPaymentMethod.ACH_AUTODRAFT.value:
        return False
    account.payment_method = AccountPaymentMethod.INVOICE.value
    account.autodraft_day = None
    account.updated_at = ctx.now()
    ctx.session.flush()
    audit.record(
        ctx,
        action="stop_autodraft",
        record_type="billing_account",
        record_id=account.account_number,
        fields=["payment_method", "autodraft_day"],
        detail={"reason": reason},
    )
    return True


def deactivate_bank(ctx: ServiceContext, bank: BankAccount, *, reason: str) -> None:
    """Stop using a bank account for ACH, keeping the row and the reason."""
    if bank.status != ACTIVE:
        return
    bank.status = INACTIVE
    bank.deactivated_at = ctx.now()
    bank.deactivation_reason = reason[:128]
    ctx.session.flush()
    audit.record(ctx, action="deactivate", record_type="bank_account", record_id=bank.id, fields=["status"], detail={"reason": reason})


def apply_change(ctx: ServiceContext, bank: BankAccount, change: NotificationOfChange) -> list[str]:
    """Correct the stored bank details as a notification of change requests, and return the fields changed."""
    if change.change_code not in APPLIED_CHANGES:
        return []
    changed: list[str] = []
    routing = change.corrected_routing_number
    if routing and routing != bank.routing_number:
        bank.routing_number = routing
        changed.append("routing_number")
    account_number = change.corrected_account_number
    if account_number:
        bank.account_number_ciphertext = ctx.cipher.encrypt(account_number)
        bank.account_last4 = account_number[-4:]
        changed.append("account_number")
    code = change.corrected_transaction_code
    if code and code[:1] in ("2", "3"):
        account_type = BankAccountType.CHECKING.value if code[0] == "2" else BankAccountType.SAVINGS.value
        if account_type != bank.account_type:
            bank.account_type = account_type
            changed.append("account_type")
    name = change.corrected_name_or_id if change.change_code is ChangeCode.C04 else None
    if name and name != bank.holder_name:
        bank.holder_name = name
        changed.append("holder_name")
    if changed:
        ctx.session.flush()
        audit.record(
            ctx,
            action="notification_of_change",
            record_type="bank_account",
            record_id=bank.id,
            fields=changed,
            detail={"code": change.change_code.value},
        )
    return changed
