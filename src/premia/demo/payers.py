"""The money side of the story: how payers pay their invoices, and the files that bring the money in.

After each bill run every invoice gets its payment planned from its payer's habit: a
lockbox check on some day, nothing (auto-draft and employer payers pay otherwise), or no
payment at all. On each banking day the carrier's jobs then run in the order a payments
team runs them: the auto-draft run, the bank's NACHA returns, the lockbox batch, employer
and Exchange 820s, and the suspense queue. Every file goes through Premia's importers, so
each payment is posted by the payment services with its journal entry and audit row.

Random choices use a generator seeded with the demo's seed and the record they are about,
so one payer's luck does not depend on the order others were processed in.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.billing.model import LineKind
from premia.billing.service import BillRunReport, OutcomeStatus
from premia.billing.tables import Invoice, InvoiceLine
from premia.demo import bank_files
from premia.demo.book import EmployerGroup as GroupSpec
from premia.demo.book import PayBy, PaymentHabit
from premia.demo.timeline import Timeline
from premia.demo.world import DemoWorld, HouseholdAccount
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.kernel.banking_days import add_banking_days, is_banking_day, next_banking_day
from premia.kernel.dates import Month
from premia.ledger.payables import aptc_open_amounts
from premia.payments.autodraft import AutodraftReport, run_autodraft
from premia.payments.config import DEFAULT_CONFIG
from premia.payments.lockbox import import_lockbox
from premia.payments.model import AchPurpose, ItemOutcome
from premia.payments.remittance_820 import import_820
from premia.payments.returns import import_nacha_returns
from premia.payments.suspense import apply_suspense

# Shares of drafts the payers' banks return, for payers who otherwise pay.
NSF_RATE = 0.025
ACCOUNT_CLOSED_RATE = 0.004
UNAUTHORIZED_RATE = 0.003
# Share of checks that arrive without a coupon and with a mistyped account number.
UNMATCHED_CHECK_RATE = 0.015
# Share of held checks a billing specialist matches to their account two banking days later.
SUSPENSE_MATCHED_RATE = 0.7
EXCHANGE_PAYS_ON_DAY = 12
FIRST_CSV_ROW_LINE = 2


@dataclass(frozen=True)
class PlannedCheck:
    account: HouseholdAccount
    invoice_number: str | None
    amount_cents: int
    received_on: date
    unmatched: bool = False


@dataclass(frozen=True)
class SuspenseFollowUp:
    item_id: int
    account_number: str
    payer_name: str


class MoneyDesk:
    """Plans each payer's payments and runs the carrier's payment jobs day by day."""

    def __init__(self, world: DemoWorld, timeline: Timeline) -> None:
        self.world = world
        self.timeline = timeline
        self.checks: dict[date, list[PlannedCheck]] = defaultdict(list)
        self.returns: dict[date, list[bank_files.ReturnedDraft]] = defaultdict(list)
        self.returned_accounts: dict[str, HouseholdAccount] = {}
        self.follow_ups: dict[date, list[SuspenseFollowUp]] = defaultdict(list)
        self.autodraft_days: set[date] = set()
        self.check_number = 1000
        # Employees one employer left off a remittance, to be paid with the next one.
        self.left_off: dict[str, list[tuple[Month, int]]] = defaultdict(list)
        for month in timeline.coverage_months:
            self._plan_autodraft_runs(month)

    # Planning --------------------------------------------------------------------------

    def after_bill_run(self, day: date, report: BillRunReport) -> None:
        """Plan a check for each invoice whose payer pays by check, following the payer's habit."""
        by_number = {item.account_number: item for item in self.world.households_by_account().values()}
        month = Month.of(day).plus(1)
        due = next_banking_day(month.first_day)
        for outcome in report.outcomes:
            account = by_number.get(outcome.account_number)
            if outcome.status is not OutcomeStatus.ISSUED or account is None or outcome.amount_due_cents <= 0:
                continue
            if account.pay_by is not PayBy.CHECK:
                continue
            self._plan_check(account, outcome.invoice_number, outcome.amount_due_cents, issued=day, due=due, month=month)

    def _plan_check(
        self,
        account: HouseholdAccount,
        invoice_number: str | None,
        amount: int,
        *,
        issued: date,
        due: date,
        month: Month,
    ) -> None:
        household = account.household
        rng = self._rng("check", household.number, month)
        month_index = month.index - Month.of(household.coverage_start).index
        habit = household.habit
        if habit is PaymentHabit.NO_BINDER or (habit is PaymentHabit.LAPSES and month_index >= household.lapse_month):
            return
        if habit is PaymentHabit.LATE:
            received = due + timedelta(days=rng.randint(4, 24))
        else:
            received = max(issued + timedelta(days=3), due - timedelta(days=rng.randint(2, 12)))
        if habit is PaymentHabit.PARTIAL and rng.random() < 0.6:
            amount = amount * rng.randint(50, 80) // 100
        unmatched = rng.random() < UNMATCHED_CHECK_RATE
        coupon = None if unmatched else invoice_number
        self._add_check(PlannedCheck(account, coupon, amount, next_banking_day(received), unmatched))

    def _add_check(self, check: PlannedCheck) -> None:
        if check.received_on <= self.timeline.today:
            self.checks[check.received_on].append(check)

    def _plan_autodraft_runs(self, month: Month) -> None:
        """Run the auto-draft job the banking day before the due date, when drafts are due, and the day after."""
        drafted = next_banking_day(month.first_day)
        self.autodraft_days.add(_previous_banking_day(drafted))
        self.autodraft_days.add(add_banking_days(drafted, 1))

    # The day's jobs ------------------------------------------------------------------------

    def run_day(self, day: date) -> None:
        if not is_banking_day(day):
            return
        timed = self.world.timed
        if day in self.autodraft_days:
            with timed("auto-draft runs"):
                self._autodraft(day)
        if self.returns.get(day):
            with timed("ACH returns"):
                self._import_returns(day, self.returns.pop(day))
        if self.checks.get(day):
            with timed("lockbox"):
                self._import_lockbox(day, self.checks.pop(day))
        for group in self.world.book.groups:
            for month in self.timeline.coverage_months:
                if self._employer_pays_on(group, month) == day:
                    with timed("employer 820s"):
                        self._employer_remittance(day, group, month)
        for month in self.timeline.coverage_months:
            if next_banking_day(date(month.year, month.month, EXCHANGE_PAYS_ON_DAY)) == day:
                with timed("Exchange 820s"):
                    self._exchange_remittance(day, month)
        if self.follow_ups.get(day):
            with timed("suspense"):
                self._work_suspense(day, self.follow_ups.pop(day))

    def _autodraft(self, day: date) -> None:
        ctx = self.world.ctx("billing", self.world.at(day, 6, 0))
        report = run_autodraft(ctx, as_of=day)
        self.world.commit()
        if report.content:
            self.world.write_file("ach", f"autodraft-{day}-{report.file_id}.ach", report.content)
            self.world.count("auto-draft files")
            self.world.count("auto-draft entries", len(report.entries))
        self._plan_returns(report)

    def _plan_returns(self, report: AutodraftReport) -> None:
        """Decide which drafts of the file the payers' banks send back, and on which day."""
        by_number = {item.account_number: item for item in self.world.households_by_account().values()}
        returned_on = add_banking_days(report.effective_date, 2)
        for entry in report.entries:
            account = by_number.get(entry["account_number"])
            if account is None or entry["purpose"] not in {AchPurpose.DRAFT.value, AchPurpose.RETRY.value}:
                continue
            code = self._return_code(account, entry["trace_number"], Month.of(report.effective_date))
            bank = account.household.bank
            if code is None or bank is None or returned_on > self.timeline.today:
                continue
            self.returns[returned_on].append(
                bank_files.ReturnedDraft(
                    original_trace=entry["trace_number"],
                    routing_number=bank.routing_number,
                    account_number=bank.account_number,
                    amount_cents=entry["amount_cents"],
                    individual_id=entry["reference"],
                    name=account.household.payer_name,
                    code=code,
                )
            )
            self.returned_accounts[entry["trace_number"]] = account

    def _return_code(self, account: HouseholdAccount, trace: str, month: Month) -> str | None:
        household = account.household
        month_index = month.index - Month.of(household.coverage_start).index
        if household.habit is PaymentHabit.NO_BINDER:
            return "R01"
        if household.habit is PaymentHabit.LAPSES and month_index >= household.lapse_month:
            return "R01"
        roll = self._rng("return", household.number, trace).random()
        if roll < NSF_RATE:
            return "R01"
        if roll < NSF_RATE + ACCOUNT_CLOSED_RATE:
            return "R02"
        if roll < NSF_RATE + ACCOUNT_CLOSED_RATE + UNAUTHORIZED_RATE:
            return "R10"
        return None

    def _import_returns(self, day: date, returned: list[bank_files.ReturnedDraft]) -> None:
        origin = DEFAULT_CONFIG.originator.odfi_routing_number
        content = bank_files.nacha_returns(returned, created=day, origin_routing=origin)
        name = f"returns-{day}.ach"
        self.world.write_file("ach", name, content)
        ctx = self.world.ctx("billing", self.world.at(day, 7, 0))
        report = import_nacha_returns(ctx, content.encode("ascii"), file_name=name, as_of=day)
        self.world.commit()
        self.world.count("ACH returns", report.count(ItemOutcome.RETURNED))
        # An R01 (insufficient funds) draft is presented again by the auto-draft run once the
        # wait has passed. A payer whose account closed (R02), or who reported the draft as
        # not authorized (R10), pays by check from now on.
        for item in returned:
            account = self.returned_accounts.pop(item.original_trace)
            if item.code == "R01":
                wait = DEFAULT_CONFIG.representment.wait_banking_days
                self.autodraft_days.add(add_banking_days(day, wait))
                continue
            if account.pay_by is PayBy.CHECK:
                continue
            account.pay_by = PayBy.CHECK
            received = day + timedelta(days=self._rng("by check", item.original_trace).randint(6, 12))
            self._add_check(PlannedCheck(account, item.individual_id, item.amount_cents, next_banking_day(received)))

    def _import_lockbox(self, day: date, checks: list[PlannedCheck]) -> None:
        content = bank_files.lockbox_csv(self._lockbox_rows(day, checks))
        name = f"lockbox-{day}.csv"
        self.world.write_file("lockbox", name, content)

        ctx = self.world.ctx("billing", self.world.at(day, 7, 30))
        report = import_lockbox(ctx, content.encode("utf-8"), file_name=name, as_of=day)
        self.world.commit()
        self.world.count("lockbox checks", len(checks))
        self.world.count("checks held in suspense", report.count(ItemOutcome.SUSPENSE))

        # The report lists the items that were not posted, each at its CSV line number.
        for item in report.items:
            if item["outcome"] != ItemOutcome.SUSPENSE.value or item["suspense_item_id"] is None:
                continue
            check = checks[item["position"] - FIRST_CSV_ROW_LINE]
            if self._rng("suspense", item["suspense_item_id"]).random() < SUSPENSE_MATCHED_RATE:
                follow_up = SuspenseFollowUp(item["suspense_item_id"], check.account.account_number, check.account.household.payer_name)
                self.follow_ups[add_banking_days(day, 2)].append(follow_up)

    def _lockbox_rows(self, day: date, checks: list[PlannedCheck]) -> list[bank_files.LockboxCheck]:
        rows = []
        for check in checks:
            self.check_number += 1
            account_number = check.account.account_number
            if check.unmatched:
                # A digit too many: the number names no account, so the check waits in suspense.
                account_number += "7"
            rows.append(
                bank_files.LockboxCheck(
                    invoice_number=check.invoice_number,
                    account_number=account_number,
                    amount_cents=check.amount_cents,
                    received_on=day,
                    check_number=str(self.check_number),
                    payer_name=check.account.household.payer_name,
                )
            )
        return rows

    def _work_suspense(self, day: date, follow_ups: list[SuspenseFollowUp]) -> None:
        ctx = self.world.ctx("billing", self.world.at(day, 7, 45))
        for follow_up in follow_ups:
            note = f"check from {follow_up.payer_name.title()} matched by payer name and amount"
            apply_suspense(ctx, follow_up.item_id, account_number=follow_up.account_number, note=note)
            self.world.count("suspense items applied")
        self.world.commit()

    # 820 remittances -------------------------------------------------------------------

    def _employer_pays_on(self, group: GroupSpec, month: Month) -> date | None:
        if month.first_day < group.coverage_start:
            return None
        return _banking_days_before(next_banking_day(month.first_day), group.pays_before_due)

    def _employer_remittance(self, day: date, group: GroupSpec, month: Month) -> None:
        profile = group.profile
        lines = self._employee_amounts(profile.group_number, month)
        if not lines:
            return
        month_index = month.index - Month.of(group.coverage_start).index
        owed_before = self.left_off.pop(profile.group_number, [])
        remitted = []
        for line in lines:
            # The second employer leaves one employee off its second remittance and pays them the month after.
            if group is not self.world.book.groups[0] and month_index == 1 and line is lines[-1]:
                self.left_off[profile.group_number].append((month, line.cents))
                continue
            remitted.append(line)
        for _, cents in owed_before:
            remitted.append(bank_files.EmployeeRemittance(lines[-1].employee_id, lines[-1].name, lines[-1].policy_number, cents))
        content = bank_files.employer_820(
            employer_name=profile.name,
            employer_tax_id=profile.tax_id,
            group_number=profile.group_number,
            month=month,
            lines=remitted,
            paid_on=day,
            control_number=self.world.next_control_number(),
        )
        self._import_820(day, f"820-{profile.group_number}-{month}.x12", content)
        self.world.count("employer 820 lines", len(remitted))

    def _employee_amounts(self, group_number: str, month: Month) -> list[bank_files.EmployeeRemittance]:
        """Return what the group's list bill charged for each employee's policy for ``month``."""
        rows = self.world.session.execute(
            select(Policy.policy_number, Person.member_id, Person.first_name, Person.last_name, func.sum(InvoiceLine.amount_cents))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .join(Policy, Policy.id == InvoiceLine.policy_id)
            .join(Person, Person.id == Policy.subscriber_person_id)
            .join(BillingAccount, BillingAccount.id == Invoice.billing_account_id)
            .join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id)
            .where(
                EmployerGroup.group_number == group_number,
                InvoiceLine.coverage_month == month.first_day,
                InvoiceLine.kind == LineKind.PREMIUM.value,
            )
            .group_by(Policy.policy_number, Person.member_id, Person.first_name, Person.last_name)
            .order_by(Policy.policy_number)
        ).all()
        return [
            bank_files.EmployeeRemittance(member_id, f"{last} {first}".upper(), policy_number, int(cents))
            for policy_number, member_id, first, last, cents in rows
            if int(cents) > 0
        ]

    def _exchange_remittance(self, day: date, month: Month) -> None:
        """Import the Exchange's 820 paying the APTC still owed on effectuated policies, up to ``month``."""
        session = self.world.session
        policies = session.execute(
            select(Policy.id, Policy.exchange_policy_id, Person.first_name, Person.last_name)
            .join(Person, Person.id == Policy.subscriber_person_id)
            .where(
                Policy.exchange_policy_id.is_not(None),
                Policy.status.in_([PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value, PolicyStatus.TERMINATED.value]),
            )
            .order_by(Policy.id)
        ).all()
        names = {policy_id: (exchange_id, f"{last} {first}".upper()) for policy_id, exchange_id, first, last in policies}
        open_amounts: dict[int, dict[Month, int]] = defaultdict(lambda: defaultdict(int))
        owed = aptc_open_amounts(self.world.ctx("billing", self.world.at(day)), list(names))
        for (policy_id, _, covered), cents in owed.items():
            if cents > 0 and Month.of(covered).index <= month.index:
                open_amounts[policy_id][Month.of(covered)] += cents
        remitted = [
            bank_files.PolicyAptc(*names[policy_id], tuple(sorted(by_month.items(), key=lambda item: item[0].index)))
            for policy_id, by_month in sorted(open_amounts.items())
        ]
        if not remitted:
            return
        content = bank_files.exchange_820(month=month, policies=remitted, paid_on=day, control_number=self.world.next_control_number())
        self._import_820(day, f"820-exchange-{month}.x12", content)
        self.world.count("Exchange 820 policy loops", len(remitted))

    def _import_820(self, day: date, name: str, content: str) -> None:
        self.world.write_file("820", name, content)
        ctx = self.world.ctx("billing", self.world.at(day, 8, 0))
        import_820(ctx, content.encode("ascii"), file_name=name, as_of=day)
        self.world.commit()
        self.world.count("820 files imported")

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.world.book.seed, *parts)))


def _previous_banking_day(day: date) -> date:
    return _banking_days_before(day, 1)


def _banking_days_before(day: date, count: int) -> date:
    for _ in range(count):
        day -= timedelta(days=1)
        while not is_banking_day(day):
            day -= timedelta(days=1)
    return day

