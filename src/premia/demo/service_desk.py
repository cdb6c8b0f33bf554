"""The service side of the story: calls and messages, cases with SLA clocks, surveys and disputes.

On each working day a few payers contact the carrier (about 4.5% of accounts a month). A
representative logs the contact, verifies a caller by member ID, name and date of birth,
and opens a case for about a third of them. Cases are picked up, sometimes wait on the
member, and are resolved after a time drawn around their SLA target, so some miss it. A
resolution sends a survey; about 40% of members answer through the link, more kindly when
their case met its target. About one contact in five is repeated on the same subject
within a week, which is what first contact resolution counts. Some billing contacts become
disputes, which a supervisor decides.

Every step is a service call made at its simulated time. Events planned after the demo's
last day are left undone, so the console shows a realistic open worklist.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from premia.billing.model import LineKind
from premia.billing.tables import InvoiceLine
from premia.demo.world import DemoWorld, HouseholdAccount
from premia.kernel.banking_days import is_banking_day
from premia.notices.tables import Notice
from premia.servicing import (
    answer_survey,
    assign_case,
    decide_dispute,
    default_config,
    log_contact,
    open_case,
    open_dispute,
    resolve_case,
    update_case,
    update_demographics,
    verify_caller,
)
from premia.servicing.model import (
    CallerIdentifiers,
    CaseInput,
    CasePriority,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    DisputedItem,
    DisputeOutcome,
    ResolutionCode,
    VerificationMethod,
    VerificationResult,
)
from premia.servicing.sla import add_business_time
from premia.servicing.tables import CaseSurvey, ServiceCase

CONTACTS_PER_ACCOUNT_MONTH = 0.045
WORKING_DAYS_PER_MONTH = 21
MIN_CONTACTS_PER_DAY = 0.3
REPEAT_RATE = 0.2
CASE_RATE = 0.35
DISPUTE_RATE = 0.08
SURVEY_ANSWER_RATE = 0.4
MAX_DEMO_CREDIT_CENTS = 20_000

SUBJECTS = (
    (ContactSubject.BILLING, 35),
    (ContactSubject.PAYMENTS, 25),
    (ContactSubject.COVERAGE, 15),
    (ContactSubject.CLAIMS, 10),
    (ContactSubject.DEMOGRAPHICS, 8),
    (ContactSubject.ID_CARD, 5),
    (ContactSubject.COMPLAINT, 2),
)
CHANNELS = ((ContactChannel.PHONE, 70), (ContactChannel.EMAIL, 15), (ContactChannel.CHAT, 10), (ContactChannel.PORTAL, 5))
CASE_SUBJECTS = {
    ContactSubject.BILLING: (CaseType.INQUIRY, "Question about the amount on the latest invoice"),
    ContactSubject.PAYMENTS: (CaseType.INQUIRY, "Payment not showing on the account"),
    ContactSubject.COVERAGE: (CaseType.INQUIRY, "Confirm coverage dates for a dependent"),
    ContactSubject.CLAIMS: (CaseType.INQUIRY, "Claim status follow-up"),
    ContactSubject.DEMOGRAPHICS: (CaseType.DEMOGRAPHIC_CHANGE, "Update phone number"),
    ContactSubject.ID_CARD: (CaseType.INQUIRY, "Replacement ID card"),
    ContactSubject.COMPLAINT: (CaseType.COMPLAINT, "Unhappy with hold time and billing letters"),
}
RESOLUTIONS = {
    CaseType.INQUIRY: (ResolutionCode.ANSWERED, "Explained the charges and the payment history; member satisfied."),
    CaseType.DEMOGRAPHIC_CHANGE: (ResolutionCode.CORRECTED, "Phone number updated after verification."),
    CaseType.COMPLAINT: (ResolutionCode.ANSWERED, "Apologized, explained the notice schedule and noted the feedback."),
}
ChoiceT = TypeVar("ChoiceT")
# Weights of scores 5 to 1: members whose case met its target score it higher.
SCORES_MET = (55, 27, 10, 4, 4)
SCORES_MISSED = (25, 30, 20, 12, 13)


@dataclass(order=True)
class Event:
    at: datetime
    sequence: int
    action: Callable[[], None] = field(compare=False)


class ServiceDesk:
    """Plans contacts day by day and runs every planned service event at its time."""

    def __init__(self, world: DemoWorld, last_day: date) -> None:
        self.world = world
        self.last_day = last_day
        self.config = default_config(world.settings.time_zone)
        self.events: list[Event] = []
        self.sequence = itertools.count()
        self.survey_actor = "survey-link"

    def run_day(self, day: date) -> None:
        """Plan the day's new contacts, then run every event due by the end of the day, in time order."""
        if is_banking_day(day) and self.world.accounts:
            self._plan_contacts(day)
        end = self.world.at(day + timedelta(days=1), 0, 0)
        ran = False
        while self.events and self.events[0].at < end:
            event = heapq.heappop(self.events)
            event.action()
            ran = True
        if ran:
            self.world.commit()

    def _schedule(self, at: datetime, action: Callable[[], None]) -> None:
        if at < self.world.at(self.last_day + timedelta(days=1), 0, 0):
            heapq.heappush(self.events, Event(at, next(self.sequence), action))

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(part) for part in ("desk", self.world.book.seed, *parts)))

    # Contacts ------------------------------------------------------------------------------

    def _plan_contacts(self, day: date) -> None:
        rng = self._rng("day", day)
        accounts = sorted(self.world.accounts.values(), key=lambda item: item.household.number)
        expected = max(MIN_CONTACTS_PER_DAY, len(accounts) * CONTACTS_PER_ACCOUNT_MONTH / WORKING_DAYS_PER_MONTH)
        count = int(expected) + (rng.random() < expected - int(expected))
        for index in range(count):
            account = rng.choice(accounts)
            subject = _weighted(rng, SUBJECTS)
            channel = _weighted(rng, CHANNELS)
            at = self.world.at(day, rng.randint(8, 16), rng.randint(0, 59))
            self._schedule(at, lambda a=account, s=subject, c=channel, t=at, i=index: self._contact(a, s, c, t, i))

    def _contact(
        self,
        account: HouseholdAccount,
        subject: ContactSubject,
        channel: ContactChannel,
        at: datetime,
        index: int,
        *,
        repeat: bool = False,
    ) -> None:
        household = account.household
        rng = self._rng("contact", household.number, at.isoformat(), index)
        ctx = self.world.ctx("csr", at, channel="console")
        contact = log_contact(
            ctx,
            ContactInput(
                channel=channel,
                direction=ContactDirection.INBOUND,
                subject=subject,
                member_id=household.subscriber_id,
                account_number=account.account_number,
                notes="Called again about the same question." if repeat else None,
            ),
            config=self.config,
        )
        self.world.count("contacts")
        verified = False
        if channel in {ContactChannel.PHONE, ContactChannel.CHAT}:
            subscriber = household.subscriber
            # A few callers misremember a date of birth, and the check fails.
            birth = subscriber.birth_date
            if rng.random() < 0.03:
                birth = birth.replace(day=birth.day % 28 + 1)
            checked = verify_caller(
                ctx,
                contact.id,
                method=VerificationMethod.IDENTIFIERS,
                identifiers=CallerIdentifiers(
                    member_id=household.subscriber_id,
                    first_name=subscriber.first_name,
                    last_name=subscriber.last_name,
                    birth_date=birth,
                ),
            )
            verified = checked.verification_result == VerificationResult.PASSED.value

        if not repeat and rng.random() < REPEAT_RATE:
            later = at + timedelta(days=rng.randint(1, 6), hours=rng.randint(-3, 3))
            self._schedule(later, lambda: self._contact(account, subject, channel, later, index, repeat=True))
        if subject is ContactSubject.BILLING and verified and rng.random() < DISPUTE_RATE:
            self._open_dispute(account, contact.id, at, rng)
        elif not repeat and rng.random() < CASE_RATE:
            self._open_case(account, subject, contact.id, at, rng, verified=verified)

    # Cases ---------------------------------------------------------------------------------

    def _open_case(
        self,
        account: HouseholdAccount,
        subject: ContactSubject,
        contact_id: int,
        at: datetime,
        rng: random.Random,
        *,
        verified: bool,
    ) -> None:
        case_type, title = CASE_SUBJECTS[subject]
        if case_type is CaseType.DEMOGRAPHIC_CHANGE and not verified:
            case_type, title = CaseType.INQUIRY, "Caller could not be verified; call back"
        priority = CasePriority.HIGH if case_type is CaseType.COMPLAINT or rng.random() < 0.1 else CasePriority.NORMAL
        ctx = self.world.ctx("csr", at, channel="console")
        owned = rng.random() < 0.6
        case = open_case(
            ctx,
            CaseInput(
                case_type=case_type,
                subject=title,
                priority=priority,
                account_number=account.account_number,
                contact_id=contact_id,
                owner="csr" if owned else None,
            ),
            config=self.config,
        )
        self.world.count("cases")
        if case_type is CaseType.DEMOGRAPHIC_CHANGE:
            new_phone = account.household.phone[:-2] + f"{rng.randint(0, 99):02d}"
            update_demographics(ctx, account.household.subscriber_id, {"phone": new_phone}, contact_id=contact_id)

        hours = self.config.hours_of(case.queue)
        worked = timedelta(minutes=int(case.resolution_minutes * rng.uniform(0.1, 1.3)))
        if not owned:
            # Picked up before the work is done: within its first-response target, or a little late.
            waited = timedelta(minutes=rng.randint(20, case.first_response_minutes * 5 // 4))
            picked_up = add_business_time(hours, at, min(waited, worked * 2 / 5))
            self._schedule(picked_up, lambda: self._pick_up(account, case.case_number, picked_up))
        done = add_business_time(hours, at, worked)
        if rng.random() < 0.1:
            paused = add_business_time(hours, at, worked / 2)
            back = paused + timedelta(days=rng.randint(1, 4))
            self._schedule(paused, lambda: self._wait(case.case_number, paused, waiting=True))
            self._schedule(back, lambda: self._wait(case.case_number, back, waiting=False))
            done = add_business_time(hours, back, worked / 2)
        # Paused time does not count, so the case meets its target when the time worked does.
        met = worked <= timedelta(minutes=case.resolution_minutes)
        self._schedule(done, lambda: self._resolve(case.case_number, case_type, done, met=met))

    def _pick_up(self, account: HouseholdAccount, case_number: str, at: datetime) -> None:
        """Take the case and call the member back, which is the case's first response."""
        ctx = self.world.ctx("csr", at, channel="console")
        assign_case(ctx, case_number, owner="csr", config=self.config)
        log_contact(
            ctx,
            ContactInput(
                channel=ContactChannel.PHONE,
                direction=ContactDirection.OUTBOUND,
                subject=ContactSubject.OTHER,
                member_id=account.household.subscriber_id,
                account_number=account.account_number,
                case_number=case_number,
                notes="Called the member back about the case.",
            ),
            config=self.config,
        )

    def _wait(self, case_number: str, at: datetime, *, waiting: bool) -> None:
        note = "Waiting for the member to send a document." if waiting else "Document received."
        ctx = self.world.ctx("csr", at, channel="console")
        update_case(ctx, case_number, waiting_on_member=waiting, note=note, config=self.config)

    def _resolve(self, case_number: str, case_type: CaseType, at: datetime, *, met: bool) -> None:
        code, text = RESOLUTIONS.get(case_type, RESOLUTIONS[CaseType.INQUIRY])
        ctx = self.world.ctx("csr", at, channel="console")
        case = resolve_case(ctx, case_number, resolution=text, code=code, config=self.config)
        self.world.count("cases resolved")
        self._plan_survey_answer(case, at, met=met)

    def _plan_survey_answer(self, case: ServiceCase, resolved_at: datetime, *, met: bool) -> None:
        rng = self._rng("survey", case.case_number)
        if case.billing_account_id is None or rng.random() >= SURVEY_ANSWER_RATE:
            return
        notice = self.world.session.scalar(
            select(Notice)
            .join(CaseSurvey, CaseSurvey.notice_id == Notice.id)
            .where(CaseSurvey.case_id == case.id, CaseSurvey.resolution_round == case.resolution_count)
        )
        if notice is None or not notice.data:
            return
        token = str(notice.data["survey_path"]).rsplit("/", 1)[-1]
        score = _weighted(rng, tuple(zip((5, 4, 3, 2, 1), SCORES_MET if met else SCORES_MISSED, strict=True)))
        answered = resolved_at + timedelta(hours=rng.randint(1, 40))
        self._schedule(answered, lambda: self._answer(token, score, answered))

    def _answer(self, token: str, score: int, at: datetime) -> None:
        answer_survey(self.world.ctx(self.survey_actor, at, channel="portal"), token, score)
        self.world.count("survey answers")

    # Disputes ------------------------------------------------------------------------------

    def _open_dispute(self, account: HouseholdAccount, contact_id: int, at: datetime, rng: random.Random) -> None:
        line = self.world.session.scalar(
            select(InvoiceLine)
            .where(
                InvoiceLine.billing_account_id == account.account_id,
                InvoiceLine.kind == LineKind.PREMIUM.value,
                InvoiceLine.invoice_id.is_not(None),
                InvoiceLine.amount_cents > 0,
            )
            .order_by(InvoiceLine.id.desc())
            .limit(1)
        )
        if line is None:
            return
        ctx = self.world.ctx("csr", at, channel="console")
        day = at.astimezone(self.world.zone).date()
        dispute = open_dispute(
            ctx,
            account_number=account.account_number,
            items=[DisputedItem(invoice_line_id=line.id)],
            reason="Member says the premium was billed at the wrong age band.",
            on=day,
            contact_id=contact_id,
            config=self.config,
        )
        self.world.count("disputes")
        decided = at + timedelta(days=rng.randint(2, 8))
        credit = rng.random() < 0.5
        amount = min(line.amount_cents, MAX_DEMO_CREDIT_CENTS)
        self._schedule(decided, lambda: self._decide(dispute.dispute_number, decided, credit=credit, amount=amount))

    def _decide(self, dispute_number: str, at: datetime, *, credit: bool, amount: int) -> None:
        ctx = self.world.ctx("supervisor", at, channel="console")
        day = at.astimezone(self.world.zone).date()
        if credit:
            decide_dispute(
                ctx, dispute_number, outcome=DisputeOutcome.ADJUSTMENT_CREDIT, amount_cents=amount, on=day,
                note="Rating checked: the member's age band was applied a month early; credit issued.", config=self.config,
            )  # fmt: skip
        else:
            decide_dispute(
                ctx, dispute_number, outcome=DisputeOutcome.DENIAL, on=day,
                note="Rating checked against the catalog: the premium is correct.", config=self.config,
            )  # fmt: skip
        self.world.count("disputes decided")


def _weighted(rng: random.Random, choices: tuple[tuple[ChoiceT, int], ...]) -> ChoiceT:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
