"""Rows for new family enrollments, inserted with one multi-row statement per table.

The rows are the ones the person, account and enrollment services write for the same
enrollment. They are the person with a "created" history row and the subscriber's billing
account with default preferences (invoice, monthly, paper). Then come a policy per
coverage line with its number, a coverage span per member and plan, the
``policy_created`` and ``member_added`` coverage events, the Exchange amounts, and one
audit row per member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from premia.accounts.model import AccountKind, AccountStatus, BillingPreferences, ChangeSource, PersonInput
from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.audit.tables import AuditEntry
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageEvent, CoverageSpan, ExchangeAmount, Policy
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.model import Count, ImportWarning
from premia.importers.enrollment.payers import LEGAL_ENTITY
from premia.importers.enrollment.run import SOURCE, ImportRun

DEFAULT_PREFERENCES = BillingPreferences()


@dataclass(eq=False)
class NewLine:
    """One coverage line of a new subscriber: the policy to create, and who pays it.

    ``account_id`` is the employer's account for a group line, or None until the
    subscriber's own account is inserted.
    """

    line: CoverageLine
    start: date
    end: date | None
    market: Market
    area: str
    group_id: int | None
    account_id: int | None
    status: PolicyStatus
    policy_id: int | None = None
    policy_number: str | None = None
    span_id: int | None = None


@dataclass(eq=False)
class NewMember:
    """A new person and, for a dependent, the subscriber's lines they join with their dates."""

    intake: MemberIntake
    member_id: str
    person: PersonInput
    ssn_index: str | None
    joins: list[tuple[NewLine, date, date | None]] = field(default_factory=list)
    person_id: int | None = None


@dataclass(eq=False)
class NewFamily:
    subscriber: NewMember
    lines: list[NewLine]
    dependents: list[NewMember]
    warnings: list[ImportWarning]
    account_created: bool = False
    amounts_recorded: int = 0
    suffixes: int = 0

    def next_suffix(self) -> int:
        """Return the next suffix for a dependent without an identifier of its own (01, 02, ...)."""
        self.suffixes += 1
        return self.suffixes

    def members(self) -> list[NewMember]:
        return [self.subscriber, *self.dependents]


class BulkWriter:
    """Inserts the rows of buffered new families."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run

    def write(self, families: list[NewFamily]) -> None:
        now = self.run.ctx.now()
        self._insert_persons(families, now)
        self._insert_accounts(families, now)
        self._insert_policies(families, now)
        self._insert_spans(families, now)
        self._insert_amounts(families, now)
        self._insert_audit(families, now)

    # Persons -------------------------------------------------------------------------------

    def _insert_persons(self, families: list[NewFamily], now: datetime) -> None:
        members = [member for family in families for member in family.members()]
        for member, person_id in zip(members, self._new_ids(Person, len(members)), strict=True):
            member.person_id = person_id
        self._insert(Person, [self._person_row(member, now) for member in members])
        history = []
        actor = self.run.ctx.actor.username
        for member in members:
            history.append(
                {
                    "person_id": member.person_id,
                    "field": "created",
                    "old_value": None,
                    "new_value": member.member_id,
                    "source": ChangeSource.ENROLLMENT_834.value,
                    "source_reference": self.run.source_reference(member.intake),
                    "changed_by": actor,
                    "changed_at": now,
                }
            )
        self._insert(PersonHistory, history)

    def _person_row(self, member: NewMember, now: datetime) -> dict[str, Any]:
        data = member.person
        address = data.residential_address
        mailing = data.mailing_address
        ssn = data.ssn
        cipher = self.run.ctx.cipher
        return {
            "id": member.person_id,
            "member_id": member.member_id,
            "first_name": data.first_name,
            "middle_name": data.middle_name,
            "last_name": data.last_name,
            "name_suffix": data.name_suffix,
            "birth_date": data.birth_date,
            "sex": data.sex.value,
            "ssn_ciphertext": cipher.encrypt(ssn) if ssn else None,
            "ssn_last4": ssn[-4:] if ssn else None,
            "ssn_index": (member.ssn_index or cipher.blind_index(ssn)) if ssn else None,
            "address_line1": address.line1 if address else None,
            "address_line2": address.line2 if address else None,
            "city": address.city if address else None,
            "state": address.state if address else None,
            "zip_code": address.zip_code if address else None,
            "county_code": address.county_code if address else None,
            "mailing_line1": mailing.line1 if mailing else None,
            "mailing_line2": mailing.line2 if mailing else None,
            "mailing_city": mailing.city if mailing else None,
            "mailing_state": mailing.state if mailing else None,
            "mailing_zip_code": mailing.zip_code if mailing else None,
            "address_returned": False,
            "phone": data.phone,
            "email": data.email,
            "email_undeliverable": False,
            "spoken_language": data.spoken_language.value,
            "written_language": data.written_language.value,
            "merged_into_id": None,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }

    # Accounts and policies ---------------------------------------------------------------------

    def _insert_accounts(self, families: list[NewFamily], now: datetime) -> None:
        owners = [family for family in families if any(line.account_id is None for line in family.lines)]
        if not owners:
            return
        preferences = DEFAULT_PREFERENCES
        ids = self._new_ids(BillingAccount, len(owners))
        rows = [
            {
                "id": account_id,
                "account_number": f"BA-{account_id:06d}",
                "kind": AccountKind.INDIVIDUAL.value,
                "status": AccountStatus.OPEN.value,
                "legal_entity": LEGAL_ENTITY,
                "holder_key": f"person:{family.subscriber.person_id}",
                "person_id": family.subscriber.person_id,
                "employer_group_id": None,
                "payment_method": preferences.payment_method.value,
                "payment_mode": preferences.payment_mode.value,
                "delivery": preferences.delivery.value,
                "language": family.subscriber.person.written_language.value,
                "due_day": preferences.due_day,
                "autodraft_day": None,
                "payer_name": None,
                "payer_email": None,
                "payer_phone": None,
                "payer_line1": None,
                "payer_line2": None,
                "payer_city": None,
                "payer_state": None,
                "payer_zip_code": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for family, account_id in zip(owners, ids, strict=True)
        ]
        self._insert(BillingAccount, rows)
        for family, account_id in zip(owners, ids, strict=True):
            family.account_created = True
            for line in family.lines:
                if line.account_id is None:
                    line.account_id = account_id

    def _insert_policies(self, families: list[NewFamily], now: datetime) -> None:
        lines = [(family, line) for family in families for line in family.lines]
        rows = []
        for (family, line), policy_id in zip(lines, self._new_ids(Policy, len(lines)), strict=True):
            assert line.line.plan is not None
            plan = line.line.plan.plan
            line.policy_id = policy_id
            line.policy_number = f"P-{policy_id:07d}"
            rows.append(
                {
                    "id": policy_id,
                    "policy_number": line.policy_number,
                    "exchange_policy_id": line.line.exchange_policy_id,
                    "billing_account_id": line.account_id,
                    "subscriber_person_id": family.subscriber.person_id,
                    "employer_group_id": line.group_id,
                    "plan_id": line.line.plan.plan_id,
                    "rating_area": line.area,
                    "market": line.market.value,
                    "on_exchange": plan.is_on_exchange,
                    "state": plan.state,
                    "status": line.status.value,
                    "effective_date": line.start,
                    "end_date": line.end,
                    "status_reason": None,
                    "renewed_from_policy_id": None,
                    "source": SOURCE,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        self._insert(Policy, rows)

    # Coverage ------------------------------------------------------------------------------

    def _insert_spans(self, families: list[NewFamily], now: datetime) -> None:
        spans: list[tuple[NewFamily, NewMember, NewLine, date, date | None, Relationship]] = []
        for family in families:
            for line in family.lines:
                spans.append((family, family.subscriber, line, line.start, line.end, Relationship.SUBSCRIBER))
            for dependent in family.dependents:
                for line, start, end in dependent.joins:
                    spans.append((family, dependent, line, start, end, dependent.intake.relationship))
        ids = self._new_ids(CoverageSpan, len(spans))
        rows = [
            {
                "id": span_id,
                "policy_id": line.policy_id,
                "person_id": member.person_id,
                "relationship": relationship.value,
                "tobacco": False,
                "aptc_eligible": True,
                "start_date": start,
                "end_date": end,
                "voided": False,
                "created_at": now,
                "updated_at": now,
            }
            for (_, member, line, start, end, relationship), span_id in zip(spans, ids, strict=True)
        ]
        self._insert(CoverageSpan, rows)
        actor = self.run.ctx.actor.username
        events = []
        for family in families:
            for line in family.lines:
                assert line.line.plan is not None
                events.append(
                    self._event(
                        line.policy_id,
                        None,
                        "policy_created",
                        line.start,
                        f"plan {line.line.plan.plan_id}",
                        family.subscriber,
                        actor,
                        now,
                    )
                )
        for (_, member, line, start, _, relationship), span_id in zip(spans, ids, strict=True):
            if relationship is Relationship.SUBSCRIBER:
                line.span_id = span_id
            events.append(
                self._event(
                    line.policy_id, span_id, "member_added", start, relationship.value, member, actor, now
                )
            )
        self._insert(CoverageEvent, events)

    def _event(
        self,
        policy_id: int | None,
        span_id: int | None,
        event: str,
        effective: date,
        detail: str,
        member: NewMember,
        actor: str,
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "policy_id": policy_id,
            "coverage_span_id": span_id,
            "event": event,
            "effective_date": effective,
            "detail": detail,
            "source": SOURCE,
            "source_reference": self.run.source_reference(member.intake),
            "recorded_by": actor,
            "recorded_at": now,
        }

    def _insert_amounts(self, families: list[NewFamily], now: datetime) -> None:
        rows = []
        for family in families:
            totals = next((member.intake for member in family.members() if _has_totals(member.intake)), None)
            for line in family.lines:
                if totals is not None:
                    effective = totals.amounts_effective or line.start
                    for kind, cents in (
                        (ExchangeAmountKind.PREMIUM, totals.amounts.premium_total_cents),
                        (ExchangeAmountKind.APTC, totals.amounts.aptc_cents),
                        (ExchangeAmountKind.RESPONSIBILITY, totals.amounts.responsibility_cents),
                    ):
                        if cents is not None:
                            rows.append(self._amount(line, None, kind, cents, effective, totals, now))
                            family.amounts_recorded += 1
                members = [(family.subscriber, line.start)] + [
                    (dependent, start)
                    for dependent in family.dependents
                    for target, start, _ in dependent.joins
                    if target is line
                ]
                for member, start in members:
                    cents = member.intake.amounts.premium_cents
                    if cents is not None:
                        effective = member.intake.amounts_effective or start
                        rows.append(
                            self._amount(
                                line,
                                member.person_id,
                                ExchangeAmountKind.PREMIUM,
                                cents,
                                effective,
                                member.intake,
                                now,
                            )
                        )
                        family.amounts_recorded += 1
        if rows:
            self._insert(ExchangeAmount, rows)

    def _amount(
        self,
        line: NewLine,
        person_id: int | None,
        kind: ExchangeAmountKind,
        cents: int,
        effective: date,
        intake: MemberIntake,
        now: datetime,
    ) -> dict[str, Any]:
        return {
            "policy_id": line.policy_id,
            "person_id": person_id,
            "kind": kind.value,
            "amount_cents": cents,
            "start_date": effective,
            "end_date": None,
            "source_reference": self.run.source_reference(intake),
            "created_at": now,
        }

    def _insert_audit(self, families: list[NewFamily], now: datetime) -> None:
        ctx = self.run.ctx
        actor = ctx.actor
        rows = [
            {
                "occurred_at": now,
                "user_id": actor.user_id,
                "username": actor.username,
                "role": str(actor.role),
                "channel": ctx.channel,
                "action": "import_834",
                "record_type": "person",
                "record_id": member.member_id,
                "fields": None,
                "detail": {
                    "import_id": self.run.import_id,
                    "segment": member.intake.position,
                    "outcome": Count.ADDITIONS.value,
                },
            }
            for family in families
            for member in family.members()
        ]
        self._insert(AuditEntry, rows)

    # Statements ---------------------------------------------------------------------------

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        insert_rows(self.run.ctx.session.connection(), model.__table__, rows)

    def _new_ids(self, model: Any, count: int) -> list[int]:
        """Reserve ``count`` primary keys of ``model``'s table, so rows can be inserted with their ids.

        Knowing the ids before inserting lets related rows and the account and policy numbers
        (``BA-000123``) be written in the same statement, with no RETURNING and no update.
        PostgreSQL hands out the values of the table's sequence. SQLite has no sequence, so
        the ids continue from the largest one. That is safe because the import's transaction
        began with BEGIN IMMEDIATE and so holds the database's write lock.
        """
        if count == 0:
            return []
        session = self.run.ctx.session
        table = model.__table__
        if session.get_bind().dialect.name == "postgresql":
            sequence = session.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            )
            query = text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)")
            return list(session.scalars(query, {"sequence": sequence, "count": count}))
        largest = session.scalar(select(func.max(table.c.id))) or 0
        return list(range(largest + 1, largest + 1 + count))


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) with one DBAPI ``executemany``.

    Each value goes through its column type's bind processor, as SQLAlchemy would convert
    it. A value that is the same object as in the row before is converted only once, which
    saves most of the work for the timestamps a whole batch shares. Passing the converted
    rows to the driver directly costs about half the CPU time of
    ``session.execute(insert(table), rows)`` (15 instead of 25 microseconds for a 31-column
    person row on SQLite, measured on 5,000 rows), and no RETURNING is used, which SQLite
    would run one row at a time.
    """
    if not rows:
        return
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors = [
        (index, processor)
        for index, key in enumerate(keys)
        if (processor := table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    last_inputs: list[Any] = [_NOTHING] * len(keys)
    last_outputs: list[Any] = [None] * len(keys)
    converted: list[list[Any]] = []
    for row in rows:
        values = list(row.values())
        for index, processor in processors:
            value = values[index]
            if value is None:
                continue
            if value is not last_inputs[index]:
                last_inputs[index] = value
                last_outputs[index] = processor(value)
            values[index] = last_outputs[index]
        converted.append(values)

    if compiled.positional:
        order = [keys.index(name) for name in compiled.positiontup or ()]
        if order == list(range(len(keys))):
            parameters: list[Any] = [tuple(values) for values in converted]
        else:
            parameters = [tuple([values[index] for index in order]) for values in converted]
    else:
        parameters = [dict(zip(keys, values, strict=True)) for values in converted]
    connection.exec_driver_sql(str(compiled), parameters)


_NOTHING = object()


def _has_totals(intake: MemberIntake) -> bool:
    amounts = intake.amounts
    return any(
        value is not None
        for value in (amounts.premium_total_cents, amounts.aptc_cents, amounts.responsibility_cents)
    )
