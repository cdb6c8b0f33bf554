"""Rows for new family enrollments, inserted with one multi-row statement per table.

The rows are the ones the person, account and enrollment services write for the same
enrollment. They are the person with a "created" history row and the subscriber's billing
account with default preferences (invoice, monthly, paper). Then come a policy per
coverage line with its number, a coverage span per member and plan, the
``policy_created`` and ``member_added`` coverage events, the Exchange amounts, and one
audit row per member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Dialect, func, select, text

from premia.accounts.model import AccountKind, AccountStatus, BillingPreferences, ChangeSource, PersonInput
from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.audit.tables import AuditEntry
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageEvent, CoverageSpan, ExchangeAmount, Policy
from premia.importers.enrollment.bulk_insert import Row, converted_columns, insert_rows
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.model import Count, ImportWarning
from premia.importers.enrollment.payers import LEGAL_ENTITY
from premia.importers.enrollment.run import SOURCE, ImportRun

DEFAULT_PREFERENCES = BillingPreferences()
NO_ADDRESS = (None,) * 6
NO_MAILING_ADDRESS = (None,) * 5
PREMIUM = ExchangeAmountKind.PREMIUM.value
APTC = ExchangeAmountKind.APTC.value
RESPONSIBILITY = ExchangeAmountKind.RESPONSIBILITY.value


@dataclass(eq=False, slots=True)
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


@dataclass(eq=False, slots=True)
class NewMember:
    """A new person and, for a dependent, the subscriber's lines they join with their dates.

    ``source_reference`` is where the person came from, for history, events and amounts.
    """

    intake: MemberIntake
    member_id: str
    person: PersonInput
    ssn_index: str | None
    source_reference: str
    joins: list[tuple[NewLine, date, date | None]] = field(default_factory=list)
    person_id: int | None = None


@dataclass(eq=False, slots=True)
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


PERSON_COLUMNS = (
    "id",
    "member_id",
    "first_name",
    "middle_name",
    "last_name",
    "name_suffix",
    "birth_date",
    "sex",
    "ssn_ciphertext",
    "ssn_last4",
    "ssn_index",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "county_code",
    "mailing_line1",
    "mailing_line2",
    "mailing_city",
    "mailing_state",
    "mailing_zip_code",
    "address_returned",
    "phone",
    "email",
    "email_undeliverable",
    "spoken_language",
    "written_language",
    "version",
    "created_at",
    "updated_at",
)
HISTORY_COLUMNS = (
    "person_id",
    "field",
    "new_value",
    "source",
    "source_reference",
    "changed_by",
    "changed_at",
)
ACCOUNT_COLUMNS = (
    "id",
    "account_number",
    "kind",
    "status",
    "legal_entity",
    "holder_key",
    "person_id",
    "payment_method",
    "payment_mode",
    "delivery",
    "language",
    "due_day",
    "version",
    "created_at",
    "updated_at",
)
POLICY_COLUMNS = (
    "id",
    "policy_number",
    "exchange_policy_id",
    "billing_account_id",
    "subscriber_person_id",
    "employer_group_id",
    "plan_id",
    "rating_area",
    "market",
    "on_exchange",
    "state",
    "status",
    "effective_date",
    "end_date",
    "source",
    "version",
    "created_at",
    "updated_at",
)
SPAN_COLUMNS = (
    "id",
    "policy_id",
    "person_id",
    "relationship",
    "tobacco",
    "aptc_eligible",
    "start_date",
    "end_date",
    "voided",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "policy_id",
    "coverage_span_id",
    "event",
    "effective_date",
    "detail",
    "source",
    "source_reference",
    "recorded_by",
    "recorded_at",
)
AMOUNT_COLUMNS = (
    "policy_id",
    "person_id",
    "kind",
    "amount_cents",
    "start_date",
    "source_reference",
    "created_at",
)
AUDIT_COLUMNS = (
    "occurred_at",
    "user_id",
    "username",
    "role",
    "channel",
    "action",
    "record_type",
    "record_id",
    "detail",
)
# The tables the bulk path writes, in the order it writes them, by name.
MODELS: dict[str, Any] = {
    model.__tablename__: model
    for model in (
        Person,
        PersonHistory,
        BillingAccount,
        Policy,
        CoverageSpan,
        CoverageEvent,
        ExchangeAmount,
        AuditEntry,
    )
}
TABLES: dict[str, Any] = {name: model.__table__ for name, model in MODELS.items()}
# Columns left out of the statements above are NULL for a new enrollment (the person's
# merged_into_id, an account's payer and autodraft day, a policy's status reason and
# renewal link, an amount's end date, the audit row's field list).


class PreparedTable(NamedTuple):
    """The rows of one table, column by column and already in the database's form.

    Ids (and the account and policy numbers made from them) are local to the batch: 0, 1,
    2 ... in each table, until ``rebase`` gives them their final values.
    """

    name: str
    columns: tuple[str, ...]
    values_by_column: list[Sequence[Any]]


class BulkWriter:
    """Inserts the rows of buffered new families, or prepares them for another process to insert."""

    def __init__(self, run: ImportRun, dialect: Dialect | None = None) -> None:
        self.run = run
        self.dialect = dialect or run.ctx.session.get_bind().dialect
        # Set while ``prepare`` runs: the tables built so far, and the next local id of each.
        self.prepared: list[PreparedTable] | None = None
        self.local_ids: dict[str, int] = {}

    def write(self, families: list[NewFamily]) -> None:
        """Insert the rows of ``families``."""
        self._build(families)

    def prepare(self, families: list[NewFamily]) -> list[PreparedTable]:
        """Return the rows of ``families`` with local ids, converted for the database, without writing."""
        self.prepared = []
        self.local_ids = {}
        try:
            self._build(families)
            return self.prepared
        finally:
            self.prepared = None

    def _build(self, families: list[NewFamily]) -> None:
        now = self.run.ctx.now()
        members = [member for family in families for member in family.members()]
        self._insert_persons(members, now)
        self._insert_accounts(families, now)
        self._insert_policies(families, now)
        self._insert_spans(families, now)
        self._insert_amounts(families, now)
        self._insert_audit(members, now)

    # Persons -------------------------------------------------------------------------------

    def _insert_persons(self, members: list[NewMember], now: datetime) -> None:
        for member, person_id in zip(members, self._new_ids(Person, len(members)), strict=True):
            member.person_id = person_id
        ciphertexts = self._encrypted_ssns(members)
        rows = [self._person_row(member, ciphertexts, now) for member in members]
        self._insert(Person, PERSON_COLUMNS, rows)

        actor = self.run.ctx.actor.username
        source = ChangeSource.ENROLLMENT_834.value
        history = [
            (member.person_id, "created", member.member_id, source, member.source_reference, actor, now)
            for member in members
        ]
        self._insert(PersonHistory, HISTORY_COLUMNS, history)

    def _encrypted_ssns(self, members: list[NewMember]) -> dict[int, str]:
        """Return the SSN ciphertexts of ``members`` by person id, encrypted in one batch."""
        with_ssn = [member for member in members if member.person.ssn]
        ciphertexts = self.run.ctx.cipher.encrypt_many([member.person.ssn or "" for member in with_ssn])
        pairs = zip(with_ssn, ciphertexts, strict=True)
        return {member.person_id or 0: ciphertext for member, ciphertext in pairs}

    def _person_row(self, member: NewMember, ciphertexts: dict[int, str], now: datetime) -> Row:
        data = member.person
        address = data.residential_address
        mailing = data.mailing_address
        ssn = data.ssn
        return (
            member.person_id,
            member.member_id,
            data.first_name,
            data.middle_name,
            data.last_name,
            data.name_suffix,
            data.birth_date,
            data.sex.value,
            ciphertexts[member.person_id or 0] if ssn else None,
            ssn[-4:] if ssn else None,
            (member.ssn_index or self.run.ctx.cipher.blind_index(ssn)) if ssn else None,
            *(
                (
                    address.line1,
                    address.line2,
                    address.city,
                    address.state,
                    address.zip_code,
                    address.county_code,
                )
                if address
                else NO_ADDRESS
            ),
            *(
                (mailing.line1, mailing.line2, mailing.city, mailing.state, mailing.zip_code)
                if mailing
                else NO_MAILING_ADDRESS
            ),
            False,
            data.phone,
            data.email,
            False,
            data.spoken_language.value,
            data.written_language.value,
            1,
            now,
            now,
        )

    # Accounts and policies ---------------------------------------------------------------------

    def _insert_accounts(self, families: list[NewFamily], now: datetime) -> None:
        owners = [family for family in families if any(line.account_id is None for line in family.lines)]
        if not owners:
            return
        preferences = DEFAULT_PREFERENCES
        ids = self._new_ids(BillingAccount, len(owners))
        rows = [
            (
                account_id,
                account_number(account_id),
                AccountKind.INDIVIDUAL.value,
                AccountStatus.OPEN.value,
                LEGAL_ENTITY,
                holder_key(family.subscriber.person_id),
                family.subscriber.person_id,
                preferences.payment_method.value,
                preferences.payment_mode.value,
                preferences.delivery.value,
                family.subscriber.person.written_language.value,
                preferences.due_day,
                1,
                now,
                now,
            )
            for family, account_id in zip(owners, ids, strict=True)
        ]
        self._insert(BillingAccount, ACCOUNT_COLUMNS, rows)
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
            line.policy_number = policy_number(policy_id)
            rows.append(
                (
                    policy_id,
                    line.policy_number,
                    line.line.exchange_policy_id,
                    line.account_id,
                    family.subscriber.person_id,
                    line.group_id,
                    line.line.plan.plan_id,
                    line.area,
                    line.market.value,
                    plan.is_on_exchange,
                    plan.state,
                    line.status.value,
                    line.start,
                    line.end,
                    SOURCE,
                    1,
                    now,
                    now,
                )
            )
        self._insert(Policy, POLICY_COLUMNS, rows)

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
            (
                span_id,
                line.policy_id,
                member.person_id,
                relationship.value,
                False,
                True,
                start,
                end,
                False,
                now,
                now,
            )
            for (_, member, line, start, end, relationship), span_id in zip(spans, ids, strict=True)
        ]
        self._insert(CoverageSpan, SPAN_COLUMNS, rows)

        # A family's events follow one another (its policies created, then its members added),
        # so the events of a family take the same ids whichever families share its batch.
        actor = self.run.ctx.actor.username
        events = []
        previous: NewFamily | None = None
        for (family, member, line, start, _, relationship), span_id in zip(spans, ids, strict=True):
            if family is not previous:
                events.extend(self._policy_events(family, actor, now))
                previous = family
            if relationship is Relationship.SUBSCRIBER:
                line.span_id = span_id
            events.append(
                (
                    line.policy_id,
                    span_id,
                    "member_added",
                    start,
                    relationship.value,
                    SOURCE,
                    member.source_reference,
                    actor,
                    now,
                )
            )
        self._insert(CoverageEvent, EVENT_COLUMNS, events)

    @staticmethod
    def _policy_events(family: NewFamily, actor: str, now: datetime) -> list[Row]:
        """Return the ``policy_created`` event of each of the family's new policies."""
        events: list[Row] = []
        for line in family.lines:
            assert line.line.plan is not None
            events.append(
                (
                    line.policy_id,
                    None,
                    "policy_created",
                    line.start,
                    f"plan {line.line.plan.plan_id}",
                    SOURCE,
                    family.subscriber.source_reference,
                    actor,
                    now,
                )
            )
        return events

    def _insert_amounts(self, families: list[NewFamily], now: datetime) -> None:
        rows: list[Row] = []
        for family in families:
            totals = next((member for member in family.members() if _has_totals(member.intake)), None)
            for line in family.lines:
                if totals is not None:
                    amounts = totals.intake.amounts
                    effective = totals.intake.amounts_effective or line.start
                    for kind, cents in (
                        (PREMIUM, amounts.premium_total_cents),
                        (APTC, amounts.aptc_cents),
                        (RESPONSIBILITY, amounts.responsibility_cents),
                    ):
                        if cents is not None:
                            reference = totals.source_reference
                            rows.append((line.policy_id, None, kind, cents, effective, reference, now))
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
                            (
                                line.policy_id,
                                member.person_id,
                                PREMIUM,
                                cents,
                                effective,
                                member.source_reference,
                                now,
                            )
                        )
                        family.amounts_recorded += 1
        self._insert(ExchangeAmount, AMOUNT_COLUMNS, rows)

    def _insert_audit(self, members: list[NewMember], now: datetime) -> None:
        ctx = self.run.ctx
        actor = ctx.actor
        role = str(actor.role)
        # The detail is written as JSON text here, the same text json.dumps makes of
        # {"import_id": ..., "segment": ..., "outcome": ...}, because serializing a dict per
        # row was a visible share of the bulk path's time.
        detail_start = f'{{"import_id": {self.run.import_id}, "segment": '
        detail_end = f', "outcome": "{Count.ADDITIONS.value}"}}'
        rows = [
            (
                now,
                actor.user_id,
                actor.username,
                role,
                ctx.channel,
                "import_834",
                "person",
                member.member_id,
                f"{detail_start}{member.intake.position}{detail_end}",
            )
            for member in members
        ]
        self._insert(AuditEntry, AUDIT_COLUMNS, rows, prepared=("detail",))

    # Statements ---------------------------------------------------------------------------

    def _insert(
        self, model: Any, columns: tuple[str, ...], rows: list[Row], *, prepared: tuple[str, ...] = ()
    ) -> None:
        table = model.__table__
        if self.prepared is None:
            insert_rows(self.run.ctx.session.connection(), table, columns, rows, prepared=prepared)
        elif rows:
            values_by_column = converted_columns(self.dialect, table, columns, rows, prepared)
            self.prepared.append(PreparedTable(table.name, columns, values_by_column))

    def new_ids(self, table: str, count: int) -> list[int]:
        """Reserve ``count`` primary keys of the named table (see ``_new_ids``)."""
        return self._new_ids(MODELS[table], count)

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
        if self.prepared is not None:
            first = self.local_ids.get(model.__table__.name, 0)
            self.local_ids[model.__table__.name] = first + count
            return list(range(first, first + count))
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


def _has_totals(intake: MemberIntake) -> bool:
    amounts = intake.amounts
    return any(
        value is not None
        for value in (amounts.premium_total_cents, amounts.aptc_cents, amounts.responsibility_cents)
    )


def account_number(account_id: int) -> str:
    return f"BA-{account_id:06d}"


def holder_key(person_id: int | None) -> str:
    return f"person:{person_id}"


def policy_number(policy_id: int) -> str:
    return f"P-{policy_id:07d}"


# The columns of prepared rows that hold a local id, by table: the column and the table the
# id belongs to. A table's own "id" column is among them.
LOCAL_IDS: dict[str, dict[str, str]] = {
    "persons": {"id": "persons"},
    "person_history": {"person_id": "persons"},
    "billing_accounts": {"id": "billing_accounts", "person_id": "persons"},
    "policies": {
        "id": "policies",
        "billing_account_id": "billing_accounts",
        "subscriber_person_id": "persons",
    },
    "coverage_spans": {"id": "coverage_spans", "policy_id": "policies", "person_id": "persons"},
    "coverage_events": {"policy_id": "policies", "coverage_span_id": "coverage_spans"},
    "exchange_amounts": {"policy_id": "policies", "person_id": "persons"},
}
# Text columns made from a local id: the column, the id column it is made from, and how.
NUMBERED_COLUMNS: dict[str, tuple[tuple[str, str, Callable[[Any], str]], ...]] = {
    "billing_accounts": (("account_number", "id", account_number), ("holder_key", "person_id", holder_key)),
    "policies": (("policy_number", "id", policy_number),),
}


def rebase(
    table: PreparedTable, final: dict[str, list[int]], new_ids: Callable[[str, int], list[int]]
) -> None:
    """Replace the local ids of a prepared ``table`` with final ones, in place.

    ``new_ids(table, count)`` reserves the table's own ids, which are added to ``final``
    (each table's final ids, indexed by local id). The tables of a batch are rebased in the
    order they are inserted, so the ids a row refers to are already in ``final``. Each table
    reserves its ids just before its insert, as a batch of this process's own does.
    """
    columns = table.columns
    values = table.values_by_column
    if "id" in columns:
        final[table.name] = new_ids(table.name, len(values[columns.index("id")]))
    for column, owner in LOCAL_IDS.get(table.name, {}).items():
        index = columns.index(column)
        ids = final[owner]
        values[index] = [None if value is None else ids[value] for value in values[index]]
    for column, source, numbered in NUMBERED_COLUMNS.get(table.name, ()):
        values[columns.index(column)] = list(map(numbered, values[columns.index(source)]))


# The timestamp columns of prepared rows, by table. A batch's rows all take the moment it is
# written, as this process's own batches do.
STAMPED_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("created_at", "updated_at"),
    "person_history": ("changed_at",),
    "billing_accounts": ("created_at", "updated_at"),
    "policies": ("created_at", "updated_at"),
    "coverage_spans": ("created_at", "updated_at"),
    "coverage_events": ("recorded_at",),
    "exchange_amounts": ("created_at",),
    "audit_log": ("occurred_at",),
}


def restamp(tables: list[PreparedTable], dialect: Dialect, now: datetime) -> None:
    """Give the rows of prepared ``tables`` the moment ``now`` in their timestamp columns, in place.

    Another process prepares a batch ahead of time, and its clock read then would date the
    rows before rows this process writes in between.
    """
    for table in tables:
        for column in STAMPED_COLUMNS.get(table.name, ()):
            (converted,) = converted_columns(dialect, TABLES[table.name], (column,), [(now,)])
            index = table.columns.index(column)
            table.values_by_column[index] = [converted[0]] * len(table.values_by_column[index])
