"""Account actions through the services: payments and reversals, auto-draft, billing preferences,
refunds and policy changes, with the form shown again and nothing written when a service rejects."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from premia.accounts.tables import BankAccount, BillingAccount, Person
from premia.audit.tables import AuditEntry
from premia.enrollment.tables import CoverageSpan, Policy
from premia.payments.tables import Payment, Refund
from premia.staff.permissions import Role
from tests.interfaces.console.conftest import Console, flash_of

pytestmark = pytest.mark.database


def _payment_form(**overrides: str) -> dict[str, object]:
    form: dict[str, object] = {"amount": "100.00", "method": "check", "reference": "check 9001", "received_on": "2026-03-02"}
    form.update(overrides)
    return form


def test_post_payment(console: Console) -> None:
    account = console.book.james_account
    response = console.post(f"/accounts/{account}/payments", _payment_form(amount="539.14", reference="check 7001"))
    assert response.status_code == 200
    assert response.url.path == f"/console/accounts/{account}"
    # James's February premium, 539.14 after APTC, is the oldest open month, so all of it is applied.
    assert re.fullmatch(r"Payment #\d+ of \$539\.14 posted: \$539\.14 applied, \$0\.00 kept as credit\.", flash_of(response.text))


def test_post_payment_once_per_form(console: Console) -> None:
    account = console.book.group_account
    form = _payment_form(amount="10.00", reference="check 7002", idempotency_key="form-7002")
    first = console.post(f"/accounts/{account}/payments", form)
    second = console.post(f"/accounts/{account}/payments", form)
    count = console.scalar(select(func.count(Payment.id)).where(Payment.reference == "check 7002"))
    assert "posted" in flash_of(first.text)
    assert "already posted; nothing new was posted" in flash_of(second.text)
    assert count == 1


def test_post_payment_bad_amount(console: Console) -> None:
    account = console.book.james_account
    response = console.post(f"/accounts/{account}/payments", _payment_form(amount="12.345", reference="check 7003"))
    count = console.scalar(select(func.count(Payment.id)).where(Payment.reference == "check 7003"))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "is not a valid amount" in response.text or "more than two decimal places" in response.text
    assert 'value="check 7003"' in response.text
    assert count == 0


def test_post_payment_needs_reference(console: Console) -> None:
    response = console.post(f"/accounts/{console.book.james_account}/payments", _payment_form(reference=""))
    assert response.status_code == 422
    assert "Check number or reference is required." in response.text


def test_reverse_payment(console: Console) -> None:
    account = console.book.group_account
    console.post(f"/accounts/{account}/payments", _payment_form(amount="20.00", reference="check 7004"))
    payment_id = console.scalar(select(Payment.id).where(Payment.reference == "check 7004"))
    response = console.post(f"/payments/{payment_id}/reverse", {"account_number": account, "reason": "check bounced at the counter"})
    status = console.scalar(select(Payment.status).where(Payment.id == payment_id))
    assert flash_of(response.text) == f"Payment #{payment_id} reversed; the invoices it paid are open again."
    assert status == "reversed"


def test_csr_cannot_reverse(console_module: Console) -> None:
    account = console_module.book.group_account
    console_module.sign_in(Role.SUPERVISOR)
    console_module.post(f"/accounts/{account}/payments", _payment_form(amount="30.00", reference="check 7005"))
    payment_id = console_module.scalar(select(Payment.id).where(Payment.reference == "check 7005"))
    console_module.sign_in(Role.CSR)
    response = console_module.post(f"/payments/{payment_id}/reverse", {"account_number": account, "reason": "mistake"})
    status = console_module.scalar(select(Payment.status).where(Payment.id == payment_id))
    assert response.status_code == 422
    assert "may not perform payments.reverse" in response.text
    assert status == "settled"


def test_set_up_autodraft(console: Console) -> None:
    account = console.book.group_account
    response = console.post(
        f"/accounts/{account}/autodraft",
        {
            "holder_name": "Riverside Dental Group",
            "routing_number": "021000021",
            "bank_account_number": "123456789",
            "account_type": "checking",
            "autodraft_day": "5",
            "authorization_method": "paper",
            "authorized_by": "Dr. Rivera",
            "authorization_reference": "form 22",
        },
    )
    method = console.scalar(select(BillingAccount.payment_method).where(BillingAccount.account_number == account))
    day = console.scalar(select(BillingAccount.autodraft_day).where(BillingAccount.account_number == account))
    assert flash_of(response.text) == "Auto-draft set up from checking account \u2022\u2022\u2022\u20226789 on day 5 (PPD)."
    assert method == "ach_autodraft"
    assert day == 5
    assert "123456789" not in response.text


def test_autodraft_by_phone_needs_contact(console: Console) -> None:
    account = console.book.james_account
    response = console.post(
        f"/accounts/{account}/autodraft",
        {
            "holder_name": "James Carter",
            "routing_number": "021000021",
            "bank_account_number": "555666777",
            "account_type": "checking",
            "autodraft_day": "3",
            "authorization_method": "telephone",
            "authorized_by": "James Carter",
        },
    )
    banks = console.scalar(
        select(func.count(BankAccount.id)).join(BillingAccount, BillingAccount.id == BankAccount.billing_account_id).where(BillingAccount.account_number == account),
    )
    assert response.status_code == 422
    assert "A telephone authorization is taken on a contact with a verified caller." in response.text
    assert "555666777" not in response.text
    assert banks == 0


def test_autodraft_bad_routing_number(console: Console) -> None:
    response = console.post(
        f"/accounts/{console.book.james_account}/autodraft",
        {
            "holder_name": "James Carter",
            "routing_number": "123456789",
            "bank_account_number": "555666777",
            "account_type": "checking",
            "autodraft_day": "3",
            "authorization_method": "paper",
            "authorized_by": "James Carter",
        },
    )
    assert response.status_code == 422
    assert 'id="autodraft-routing_number" name="routing_number" type="text" value="123456789" required aria-invalid="true"' in response.text


def test_update_billing_contact(console: Console) -> None:
    account = console.book.maria_account
    version = console.scalar(select(BillingAccount.version).where(BillingAccount.account_number == account))
    response = console.post(
        f"/accounts/{account}/preferences",
        {"form_id": "billing-contact", "version": str(version), "payer_phone": "(804) 555-0177", "delivery": "both", "payer_email": "maria.lopez@example.com", "language": "es"},
    )
    phone = console.scalar(select(BillingAccount.payer_phone).where(BillingAccount.account_number == account))
    assert flash_of(response.text) == "Billing preferences saved: delivery, language, payer phone."
    assert phone == "8045550177"


def test_update_preferences_stale_version(console: Console) -> None:
    response = console.post(
        f"/accounts/{console.book.maria_account}/preferences", {"form_id": "billing-contact", "version": "1", "payer_name": "Someone Else"}
    )
    assert response.status_code == 422
    assert "was changed by someone else" in response.text


def test_request_refund_above_credit(console: Console) -> None:
    account = console.book.maria_account
    response = console.post(f"/accounts/{account}/refunds", {"amount": "50.00", "method": "check", "reason": "overpaid"})
    count = console.scalar(select(func.count(Refund.id)))
    assert response.status_code == 422
    assert 'id="refund-error"' in response.text
    assert count == 0


def test_refund_above_limit_needs_approval(console_module: Console) -> None:
    account = console_module.book.group_account
    console_module.sign_in(Role.CSR)
    console_module.post(f"/accounts/{account}/payments", _payment_form(amount="9000.00", reference="check 7010"))
    # 600.00 is above the default approval limit of 500.00, so a supervisor other than the requester decides.
    requested = console_module.post(f"/accounts/{account}/refunds", {"amount": "600.00", "method": "check", "reason": "overpaid"})
    refund_id = console_module.scalar(select(func.max(Refund.id)))
    waiting = console_module.scalar(select(Refund.status).where(Refund.id == refund_id))
    console_module.sign_in(Role.SUPERVISOR)
    approved = console_module.post(f"/refunds/{refund_id}/approve", {"account_number": account})
    final = console_module.scalar(select(Refund.status).where(Refund.id == refund_id))
    assert flash_of(requested.text) == f"Refund #{refund_id} of $600.00 requested; it waits for a supervisor's approval."
    assert waiting == "pending_approval"
    assert flash_of(approved.text) == f"Refund #{refund_id} approved."
    assert final == "approved"


def test_change_plan_to_other_market(console: Console) -> None:
    account = console.book.maria_account
    query = select(Policy.plan_id).join(BillingAccount, BillingAccount.id == Policy.billing_account_id).where(BillingAccount.account_number == account)
    policy = console.scalar(select(Policy.policy_number).join(BillingAccount, BillingAccount.id == Policy.billing_account_id).where(BillingAccount.account_number == account))
    response = console.post(
        f"/accounts/{account}/lifecycle/plan",
        {"policy": policy, "plan_id": "12345VA0030001", "effective": "2026-04-01", "source": "member", "reason": "wants gold"},
    )
    assert response.status_code == 422
    assert "on the exchange, unlike the policy" in response.text
    assert console.scalar(query) == "12345VA0040001"


def test_add_member(console: Console) -> None:
    account = console.book.group_account
    policy = console.scalar(select(Policy.policy_number).join(BillingAccount, BillingAccount.id == Policy.billing_account_id).where(BillingAccount.account_number == account))
    before = console.scalar(select(func.count(CoverageSpan.id)))
    response = console.post(
        f"/accounts/{account}/lifecycle/add-member",
        {"policy": policy, "first_name": "Ana", "last_name": "Employee", "birth_date": "2016-02-02", "sex": "F", "relationship": "child", "effective": "2026-04-01", "source": "employer"},
    )
    after = console.scalar(select(func.count(CoverageSpan.id)))
    assert f"is covered on policy {policy} from Apr 01, 2026." in flash_of(response.text)
    assert after == before + 1


def test_terminate_unknown_policy(console: Console) -> None:
    response = console.post(
        f"/accounts/{console.book.group_account}/lifecycle/terminate",
        {"policy": "P-9999999", "last_day": "2026-04-30", "source": "member", "reason": "moving"},
    )
    assert response.status_code == 422
    assert 'id="lifecycle-terminate-error"' in response.text


def test_unknown_policy_change(console: Console) -> None:
    response = console.post(f"/accounts/{console.book.group_account}/lifecycle/explode", {})
    assert response.status_code == 404


def test_actions_are_audited(console: Console) -> None:
    account = console.book.james_account
    console.post(f"/accounts/{account}/payments", _payment_form(amount="1.00", reference="check 7020"))
    payment_id = console.scalar(select(Payment.id).where(Payment.reference == "check 7020"))
    channel = console.scalar(select(AuditEntry.channel).where(AuditEntry.record_type == "payment", AuditEntry.record_id == str(payment_id), AuditEntry.action == "create"))
    assert channel == "console"


def test_terminate_and_reinstate(console: Console) -> None:
    account = console.book.group_account
    policy = console.scalar(
        select(Policy.policy_number).join(BillingAccount, BillingAccount.id == Policy.billing_account_id).where(BillingAccount.account_number == account).order_by(Policy.id.desc())
    )
    terminated = console.post(
        f"/accounts/{account}/lifecycle/terminate", {"policy": policy, "last_day": "2026-03-31", "source": "employer", "reason": "employee left"}
    )
    status_after_termination = console.scalar(select(Policy.status).where(Policy.policy_number == policy))
    reinstated = console.post(f"/accounts/{account}/lifecycle/reinstate", {"policy": policy, "reason": "terminated in error"})
    status_after_reinstatement = console.scalar(select(Policy.status).where(Policy.policy_number == policy))
    assert flash_of(terminated.text).startswith(f"Policy {policy} is terminated; the last covered day is Mar 31, 2026")
    assert status_after_termination == "terminated"
    assert flash_of(reinstated.text).startswith(f"Policy {policy} is reinstated")
    assert status_after_reinstatement == "active"


def test_add_then_remove_member(console: Console) -> None:
    account = console.book.group_account
    policy = console.scalar(
        select(Policy.policy_number).join(BillingAccount, BillingAccount.id == Policy.billing_account_id).where(BillingAccount.account_number == account).order_by(Policy.id)
    )
    console.post(
        f"/accounts/{account}/lifecycle/add-member",
        {"policy": policy, "first_name": "Leo", "last_name": "Employee", "birth_date": "2012-07-07", "relationship": "child", "effective": "2026-04-01", "source": "employer"},
    )
    member_id = console.scalar(select(Person.member_id).where(Person.first_name == "Leo"))
    removed = console.post(
        f"/accounts/{account}/lifecycle/remove-member", {"policy": policy, "member_id": member_id, "last_day": "2026-04-30", "source": "employer"}
    )
    end = console.scalar(select(CoverageSpan.end_date).join(Person, Person.id == CoverageSpan.person_id).where(Person.member_id == member_id))
    assert flash_of(removed.text).startswith(f"Coverage of {member_id} on policy {policy} ends on Apr 30, 2026")
    assert end.isoformat() == "2026-04-30"
