"""Compare an audit member (INS03 030) or a full file (BGN08 4 verify, RX replace) with Premia.

Nothing is changed: each difference becomes a discrepancy naming the field, Premia's value
and the file's value, for the enrollment team to resolve with the sender or to apply
through change transactions. A full file is therefore never applied blindly over the
stored enrollment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.enrollment.model import ExchangeAmountKind
from premia.enrollment.tables import ExchangeAmount, Policy
from premia.importers.enrollment import coverage_changes as changes
from premia.importers.enrollment.identity import find_dependent, person_by_member_id, subscriber_policies
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.maintenance import policy_for_line
from premia.importers.enrollment.model import Count, Discrepancy
from premia.importers.enrollment.run import ImportRun, Outcome
from premia.infra.crypto import mask_last4
from premia.kernel.money import format_cents

PERSON_FIELDS = ("first_name", "middle_name", "last_name", "name_suffix", "birth_date", "sex")
ADDRESS_FIELDS = (
    ("line1", "address_line1"),
    ("line2", "address_line2"),
    ("city", "city"),
    ("state", "state"),
    ("zip_code", "zip_code"),
)


def compare_member(run: ImportRun, intake: MemberIntake) -> Outcome:
    """Report every difference between the member loop and the stored member; change nothing.

    NOTE: members that Premia covers but a full file leaves out are not reported yet,
    because that needs the file's scope (which sponsor's or Exchange's enrollment it
    replaces).
    """
    subscriber = person_by_member_id(run.ctx, intake.subscriber_id)
    policies = subscriber_policies(run.ctx, subscriber) if subscriber is not None else []
    person = subscriber if intake.is_subscriber else find_dependent(run.ctx, intake, policies)
    if person is None:
        _add(run, intake, "member", None, intake.name or intake.subscriber_id, "INS", None)
        return Outcome(Count.AUDITED, intake.own_member_id or intake.subscriber_id)

    _compare_person(run, intake, person)
    for line in intake.coverages:
        _compare_coverage(run, intake, person, policies, line)
    return Outcome(Count.AUDITED, person.member_id)


def _compare_person(run: ImportRun, intake: MemberIntake, person: Person) -> None:
    sent = intake.person
    file_values: dict[str, Any] = {
        "first_name": sent.first_name,
        "middle_name": sent.middle_name,
        "last_name": sent.last_name,
        "name_suffix": sent.name_suffix,
        "birth_date": sent.birth_date,
        "sex": sent.sex.value if sent.sex else None,
    }
    elements = {
        "first_name": "NM104",
        "middle_name": "NM105",
        "last_name": "NM103",
        "name_suffix": "NM107",
        "birth_date": "DMG02",
        "sex": "DMG03",
    }
    for field in PERSON_FIELDS:
        file_value = file_values[field]
        optional = field in ("birth_date", "sex", "first_name")
        if optional and file_value is None:
            continue
        if _text(getattr(person, field)) != _text(file_value):
            _add(run, intake, field, getattr(person, field), file_value, elements[field], person.member_id)

    if sent.residence is not None:
        for attribute, column in ADDRESS_FIELDS:
            file_value = getattr(sent.residence, attribute)
            if file_value is not None and _text(getattr(person, column)) != _text(file_value):
                _add(
                    run,
                    intake,
                    f"address.{attribute}",
                    getattr(person, column),
                    file_value,
                    "N3/N4",
                    person.member_id,
                )

    if sent.ssn is not None and run.ctx.cipher.blind_index(sent.ssn) != person.ssn_index:
        _add(
            run,
            intake,
            "ssn",
            mask_last4(person.ssn_last4, label="ssn") or None,
            mask_last4(sent.ssn[-4:], label="ssn"),
            "NM109",
            person.member_id,
        )


def _compare_coverage(
    run: ImportRun, intake: MemberIntake, person: Person, policies: list[Policy], line: CoverageLine
) -> None:
    if line.plan is None:
        stored = ", ".join(sorted({policy.plan_id for policy in policies})) or None
        _add(run, intake, "plan", stored, line.plan_problem, "HD03", person.member_id)
        return
    policy = policy_for_line(policies, line, include_closed=True)
    span = changes.latest_span(run, policy, person) if policy is not None else None
    if policy is None or span is None:
        _add(
            run,
            intake,
            f"coverage {line.plan.plan_id}",
            None,
            f"from {line.start or 'no date'}",
            "HD",
            person.member_id,
        )
        return
    number = policy.policy_number
    if line.start is not None and span.start_date != line.start:
        _add(run, intake, "coverage_start", span.start_date, line.start, "DTP*348", person.member_id, number)
    file_end = line.end or intake.eligibility_end
    if file_end != span.end_date and (file_end is not None or span.end_date is not None):
        _add(run, intake, "coverage_end", span.end_date, file_end, "DTP*349", person.member_id, number)
    if span.relationship != intake.relationship.value:
        _add(
            run,
            intake,
            "relationship",
            span.relationship,
            intake.relationship.value,
            "INS02",
            person.member_id,
            number,
        )
    _compare_amounts(run, intake, person, policy, line.start or span.start_date)


def _compare_amounts(
    run: ImportRun, intake: MemberIntake, person: Person, policy: Policy, start: date
) -> None:
    on = intake.amounts_effective or start
    sent = intake.amounts
    pairs = (
        (ExchangeAmountKind.PREMIUM, person.id, sent.premium_cents, "PRE AMT 1 or AMT*P3"),
        (ExchangeAmountKind.PREMIUM, None, sent.premium_total_cents, "PRE AMT TOT"),
        (ExchangeAmountKind.APTC, None, sent.aptc_cents, "APTC AMT"),
        (ExchangeAmountKind.RESPONSIBILITY, None, sent.responsibility_cents, "TOT RES AMT"),
    )
    for kind, person_id, file_cents, source in pairs:
        if file_cents is None:
            continue
        stored = _stored_amount(run, policy, kind, person_id, on)
        if stored != file_cents:
            _add(
                run,
                intake,
                f"exchange_{kind.value}" + ("" if person_id else "_policy"),
                format_cents(stored) if stored is not None else None,
                format_cents(file_cents),
                source,
                person.member_id,
                policy.policy_number,
            )


def _stored_amount(
    run: ImportRun, policy: Policy, kind: ExchangeAmountKind, person_id: int | None, on: date
) -> int | None:
    query = select(ExchangeAmount.amount_cents).where(
        ExchangeAmount.policy_id == policy.id,
        ExchangeAmount.kind == kind.value,
        ExchangeAmount.person_id.is_(None) if person_id is None else ExchangeAmount.person_id == person_id,
        ExchangeAmount.start_date <= on,
        (ExchangeAmount.end_date.is_(None)) | (ExchangeAmount.end_date >= on),
    )
    return run.ctx.session.scalar(query.order_by(ExchangeAmount.start_date.desc()).limit(1))


def _add(
    run: ImportRun,
    intake: MemberIntake,
    field: str,
    premia: Any,
    file: Any,
    element: str | None,
    member_id: str | None,
    policy_number: str | None = None,
) -> None:
    run.report.add_discrepancy(
        Discrepancy(
            subscriber_id=intake.subscriber_id,
            field=field,
            premia_value=_text(premia),
            file_value=_text(file),
            member_position=intake.position,
            member_id=member_id,
            element=element,
            policy_number=policy_number,
        )
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
