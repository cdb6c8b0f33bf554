"""Tables for persons, their demographic history, employer groups, billing accounts and bank accounts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class Person(Base):
    """A human being with demographics. SSNs are stored encrypted with a keyed index for look-ups."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_name_birth", "last_name", "first_name", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str] = mapped_column(String(64))
    middle_name: Mapped[str | None] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(64))
    name_suffix: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ssn_ciphertext: Mapped[str | None] = mapped_column(String(256))
    ssn_last4: Mapped[str | None] = mapped_column(String(4))
    ssn_index: Mapped[str | None] = mapped_column(String(64), index=True)
    address_line1: Mapped[str | None] = mapped_column(String(128))
    address_line2: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(2))
    zip_code: Mapped[str | None] = mapped_column(String(9))
    county_code: Mapped[str | None] = mapped_column(String(8))
    mailing_line1: Mapped[str | None] = mapped_column(String(128))
    mailing_line2: Mapped[str | None] = mapped_column(String(128))
    mailing_city: Mapped[str | None] = mapped_column(String(64))
    mailing_state: Mapped[str | None] = mapped_column(String(2))
    mailing_zip_code: Mapped[str | None] = mapped_column(String(9))
    address_returned: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(10), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    email_undeliverable: Mapped[bool] = mapped_column(Boolean, default=False)
    spoken_language: Mapped[str] = mapped_column(String(8), default="en")
    written_language: Mapped[str] = mapped_column(String(8), default="en")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": version}


class PersonHistory(Base):
    """One changed demographic field: old and new value, who changed it, when, and from which source.

    Sensitive fields (SSN) are recorded masked, never in the clear.
    """

    __tablename__ = "person_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    field: Mapped[str] = mapped_column(String(48))
    old_value: Mapped[str | None] = mapped_column(String(256))
    new_value: Mapped[str | None] = mapped_column(String(256))
    source: Mapped[str] = mapped_column(String(16))
    source_reference: Mapped[str | None] = mapped_column(String(128))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EmployerGroup(Base):
    """An employer that buys group coverage; a row with a parent is one of its sub-groups."""

    __tablename__ = "employer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("employer_groups.id"))
    anniversary_month: Mapped[int] = mapped_column(Integer)
    address_line1: Mapped[str] = mapped_column(String(128))
    address_line2: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(2))
    zip_code: Mapped[str] = mapped_column(String(9))
    contact_name: Mapped[str | None] = mapped_column(String(128))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(10))
    contribution_rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": version}


class BillingAccount(Base):
    """Who pays, and the billing preferences they chose.

    ``holder_key`` is ``person:<id>`` or ``group:<id>``; with the legal entity it is unique, so
    the same payer cannot be given two accounts by mistake.
    """

    __tablename__ = "billing_accounts"
    __table_args__ = (UniqueConstraint("holder_key", "legal_entity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    legal_entity: Mapped[str] = mapped_column(String(16), default="MAIN")
    holder_key: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    employer_group_id: Mapped[int | None] = mapped_column(ForeignKey("employer_groups.id"), index=True)
    payment_method: Mapped[str] = mapped_column(String(16))
    payment_mode: Mapped[str] = mapped_column(String(16))
    delivery: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    due_day: Mapped[int] = mapped_column(Integer, default=1)
    autodraft_day: Mapped[int | None] = mapped_column(Integer)
    payer_name: Mapped[str | None] = mapped_column(String(128))
    payer_email: Mapped[str | None] = mapped_column(String(254))
    payer_phone: Mapped[str | None] = mapped_column(String(10))
    payer_line1: Mapped[str | None] = mapped_column(String(128))
    payer_line2: Mapped[str | None] = mapped_column(String(128))
    payer_city: Mapped[str | None] = mapped_column(String(64))
    payer_state: Mapped[str | None] = mapped_column(String(2))
    payer_zip_code: Mapped[str | None] = mapped_column(String(9))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": version}


class BankAccount(Base):
    """A payer's bank account for ACH, with the debit authorization that allows drafting it."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(128))
    routing_number: Mapped[str] = mapped_column(String(9))
    account_number_ciphertext: Mapped[str] = mapped_column(String(256))
    account_last4: Mapped[str] = mapped_column(String(4))
    account_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    authorization_method: Mapped[str] = mapped_column(String(16))
    sec_code: Mapped[str] = mapped_column(String(3))
    authorized_by: Mapped[str] = mapped_column(String(128))
    authorized_at: Mapped[datetime] = mapped_column(UtcDateTime())
    authorization_reference: Mapped[str | None] = mapped_column(String(128))
    recorded_by: Mapped[str] = mapped_column(String(64))
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deactivation_reason: Mapped[str | None] = mapped_column(String(128))
