"""Read models of accounts and persons, with sensitive values masked."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from premia.accounts.tables import BankAccount, BillingAccount, EmployerGroup, Person
from premia.infra.crypto import mask_last4


@dataclass(frozen=True)
class PersonView:
    member_id: str
    first_name: str
    middle_name: str | None
    last_name: str
    birth_date: str
    sex: str
    ssn: str
    address: dict[str, str | None]
    mailing_address: dict[str, str | None] | None
    phone: str | None
    email: str | None
    spoken_language: str
    written_language: str
    version: int

    @classmethod
    def of(cls, person: Person) -> PersonView:
        mailing = None
        if person.mailing_line1:
            mailing = {
                "line1": person.mailing_line1,
                "line2": person.mailing_line2,
                "city": person.mailing_city,
                "state": person.mailing_state,
                "zip_code": person.mailing_zip_code,
            }
        return cls(
            member_id=person.member_id,
            first_name=person.first_name,
            middle_name=person.middle_name,
            last_name=person.last_name,
            birth_date=person.birth_date.isoformat(),
            sex=person.sex,
            ssn=mask_last4(person.ssn_last4, label="ssn"),
            address={
                "line1": person.address_line1,
                "line2": person.address_line2,
                "city": person.city,
                "state": person.state,
                "zip_code": person.zip_code,
                "county_code": person.county_code,
            },
            mailing_address=mailing,
            phone=person.phone,
            email=person.email,
            spoken_language=person.spoken_language,
            written_language=person.written_language,
            version=person.version,
        )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    def disclosed_fields(self) -> list[str]:
        """Names of the demographic fields this view shows a value for, for the audit log."""
        return _fields_with_values(self, exclude={"member_id", "version"})


@dataclass(frozen=True)
class BankAccountView:
    id: int
    holder_name: str
    routing_number: str
    account_number: str
    account_type: str
    status: str
    authorization: dict[str, str | None]

    @classmethod
    def of(cls, bank: BankAccount) -> BankAccountView:
        return cls(
            id=bank.id,
            holder_name=bank.holder_name,
            routing_number=bank.routing_number,
            account_number=mask_last4(bank.account_last4),
            account_type=bank.account_type,
            status=bank.status,
            authorization={
                "method": bank.authorization_method,
                "sec_code": bank.sec_code,
                "authorized_by": bank.authorized_by,
                "authorized_at": bank.authorized_at.isoformat(),
                "reference": bank.authorization_reference,
                "recorded_by": bank.recorded_by,
            },
        )


@dataclass(frozen=True)
class AccountView:
    account_number: str
    kind: str
    status: str
    legal_entity: str
    holder_name: str
    holder: PersonView | None
    employer_group: dict[str, Any] | None
    preferences: dict[str, Any]
    bank_accounts: list[BankAccountView] = field(default_factory=list)
    version: int = 1
    sections: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        account: BillingAccount,
        *,
        person: Person | None,
        group: EmployerGroup | None,
        banks: list[BankAccount],
    ) -> AccountView:
        holder = PersonView.of(person) if person else None
        group_data = None
        if group is not None:
            group_data = {"group_number": group.group_number, "name": group.name}
        holder_name = holder.full_name if holder else (group.name if group else "")
        return cls(
            account_number=account.account_number,
            kind=account.kind,
            status=account.status,
            legal_entity=account.legal_entity,
            holder_name=holder_name,
            holder=holder,
            employer_group=group_data,
            preferences={
                "payment_method": account.payment_method,
                "payment_mode": account.payment_mode,
                "delivery": account.delivery,
                "language": account.language,
                "due_day": account.due_day,
                "autodraft_day": account.autodraft_day,
                "payer_name": account.payer_name,
                "payer_email": account.payer_email,
                "payer_phone": account.payer_phone,
                "payer_address": {
                    "line1": account.payer_line1,
                    "line2": account.payer_line2,
                    "city": account.payer_city,
                    "state": account.payer_state,
                    "zip_code": account.payer_zip_code,
                }
                if account.payer_line1
                else None,
            },
            bank_accounts=[BankAccountView.of(bank) for bank in banks],
            version=account.version,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def disclosed_fields(self) -> list[str]:
        """Names of the sections of member data this view shows, for the audit log."""
        return _fields_with_values(self, exclude={"account_number", "kind", "status", "legal_entity", "version"})


def _fields_with_values(view: object, *, exclude: set[str]) -> list[str]:
    names = [item.name for item in fields(view)]  # type: ignore[arg-type]
    return [name for name in names if name not in exclude and _has_value(getattr(view, name))]


def _has_value(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_value(item) for item in value.values())
    return value not in (None, "", [])
