"""The story, day by day: enrollment, bill runs, payments, service, delinquency and the paper batch.

Each simulated day runs the carrier's work in a fixed order, each step at its own time of
day: 834 imports (02:30), the renewal run (04:00), the payment jobs (06:00 to 08:00), the
bill run (08:30), the service desk (08:00 to 17:00), the delinquency run (21:00) and notice
delivery (22:00). The payment jobs come before the bill run, so a settlement or an ACH
re-presentment dated that day is on the account when the invoice states the amount due.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from premia.billing.service import BillRunReport, run_billing
from premia.billing.tables import Invoice
from premia.delinquency.service import run_delinquency
from premia.demo.enrollment import enroll_lead_cohort, enroll_main_book
from premia.demo.payers import MoneyDesk
from premia.demo.renewals import RenewalDesk
from premia.demo.service_desk import ServiceDesk
from premia.demo.timeline import Timeline
from premia.demo.world import DemoWorld
from premia.documents.delivery import DeliveryReport, Layouts
from premia.documents.service import print_due_paper, queue_due_notices
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.kernel.banking_days import add_banking_days, next_banking_day
from premia.kernel.errors import DomainError
from premia.kernel.money import format_cents
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.model import NoticeStatus
from premia.notices.tables import Notice

# Longer than any reinstatement window of the default delinquency rules (30 days for groups).
REINSTATEMENT_LOOKBACK = timedelta(days=60)


def simulate(world: DemoWorld, timeline: Timeline) -> None:
    """Run every day from the first 834 file to the demo's last day."""
    money = MoneyDesk(world, timeline)
    renewals = RenewalDesk(world, timeline, world.book.seed)
    desk = ServiceDesk(world, timeline.today)
    bill_days = set(timeline.bill_days())
    delinquency_days = _delinquency_days(timeline)
    first_bill_day = min(bill_days)

    for day in timeline.days():
        if day == timeline.lead_enrollment_day:
            world.echo(f"{day}  834 files: the first employer's roster and the early direct enrollees")
            with world.timed("enrollment"):
                enroll_lead_cohort(world, day)
        if day == timeline.enrollment_day:
            world.echo(f"{day}  834 files: the Exchange, direct enrollment and the second employer")
            with world.timed("enrollment"):
                enroll_main_book(world, day)
        renewals.run_day(day)
        money.run_day(day)
        if day in bill_days:
            with world.timed("bill runs"):
                report = _bill(world, day)
            money.after_bill_run(day, report)
        with world.timed("service desk"):
            desk.run_day(day)
        if day in delinquency_days:
            with world.timed("delinquency runs"):
                _delinquency(world, day)
        if day == first_bill_day:
            with world.timed("notices"):
                deliver_paper_notices(world, day)
    _note_undelivered_notices(world, first_bill_day)


def _bill(world: DemoWorld, day: date) -> BillRunReport:
    ctx = world.ctx("billing", world.at(day, 8, 30))
    report = run_billing(ctx, catalog=world.catalog, as_of=day)
    world.commit()
    world.count("bill runs")
    world.count("invoices issued", report.issued)
    world.echo(f"{day}  bill run {report.run_id}: {report.issued} invoices, {format_cents(report.billed_cents)} billed")
    failed = [outcome for outcome in report.outcomes if outcome.error]
    if failed:
        first = failed[0]
        world.echo(f"   {len(failed)} accounts failed; first: {first.account_number}: {(first.error or {}).get('message')}")
        world.count("bill run failures", len(failed))
    return report


def _delinquency(world: DemoWorld, day: date) -> None:
    ctx = world.ctx("billing", world.at(day, 21, 0))
    report = run_delinquency(ctx, as_of=day, policy_ids=policies_to_check(world.session, day))
    world.commit()
    world.count("delinquency runs")
    world.count("policy status changes", len(report.changes))
    if report.changes:
        moves: dict[str, int] = {}
        for change in report.changes:
            key = f"{change.from_status}->{change.to_status}"
            moves[key] = moves.get(key, 0) + 1
        described = ", ".join(f"{key} {count}" for key, count in sorted(moves.items()))
        world.echo(f"{day}  delinquency run: {described}")


def policies_to_check(session: Session, as_of: date) -> list[int]:
    """Return the policies a delinquency run on ``as_of`` may change.

    Those are the policies waiting for a binder, in grace, recently terminated (a group may
    be reinstated) or with premium past due. An active policy with nothing past due has no
    decision to make, so the demo leaves it out of the run to save time. A run over every
    policy gives the same result.
    """
    past_due = (
        select(JournalLine.policy_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= as_of,
            Invoice.due_date < as_of,
        )
        .group_by(JournalLine.policy_id)
        .having(func.sum(JournalLine.amount_cents) > 0)
    )
    waiting = Policy.status.in_([PolicyStatus.PENDING.value, PolicyStatus.GRACE.value])
    recently_ended = (Policy.status == PolicyStatus.TERMINATED.value) & (Policy.end_date >= as_of - REINSTATEMENT_LOOKBACK)
    query = select(Policy.id).where(or_(waiting, recently_ended, Policy.id.in_(past_due))).order_by(Policy.id)
    return list(session.scalars(query))


def deliver_paper_notices(world: DemoWorld, day: date) -> None:
    """Render the notices due on ``day`` and print the paper batch, leaving emails queued.

    The demo sends no email, because that would need an SMTP server and the demo never
    contacts one.
    """
    ctx = world.ctx("billing", world.at(day, 22, 0))
    report = DeliveryReport(as_of=day)
    # Shared by both steps, so the print batch reuses each document's pages instead of laying them out again.
    layouts: Layouts = {}
    try:
        queue_due_notices(ctx, as_of=day, report=report, layouts=layouts)
        batch = print_due_paper(ctx, as_of=day, report=report, layouts=layouts)
    except (DomainError, OSError, ImportError) as exc:
        world.session.rollback()
        world.skip("notice delivery", f"documents could not be rendered: {exc}")
        return
    world.commit()
    world.count("documents rendered", report.rendered)
    world.count("documents printed", report.printed)
    if report.errors:
        world.echo(f"   {len(report.errors)} notices could not be rendered; first: {report.errors[0].get('message')}")
    if batch is not None:
        world.echo(f"{day}  print batch {batch.id}: {report.printed} documents, {batch.page_count} pages, {batch.pdf_path}")
    emails = report.rendered - report.printed
    if emails > 0:
        waiting = "1 document waits" if emails == 1 else f"{emails} documents wait"
        world.skip("email delivery", f"{waiting} in the email queue; the demo sends no email")


def _note_undelivered_notices(world: DemoWorld, first_bill_day: date) -> None:
    """Tell the user why the notices created after the first bill day are still pending."""
    pending = world.session.scalar(
        select(func.count(Notice.id)).where(Notice.status == NoticeStatus.PENDING.value, Notice.send_on > first_bill_day)
    )
    if not pending:
        return
    # NOTE: about 0.4 s of CPU per document for rendering alone, measured on the demo's
    # invoices with WeasyPrint on a 2-core x86-64 machine. It is an estimate, not a limit.
    minutes = round(pending * 0.4 / 60)
    world.skip(
        "notice delivery",
        f"{pending:,} notices due after {first_bill_day} are not rendered or printed: rendering takes about "
        f"0.4 s of CPU per document, about {minutes} minute{'s' if minutes != 1 else ''} for these. Run `premia notices deliver` to send them.",
    )


def _delinquency_days(timeline: Timeline) -> set[date]:
    """Return the delinquency run days: two banking days after each due date, and the last day.

    A carrier runs it daily. Monthly runs reach the same decisions, because the rules read
    dated postings (a late run decides as a run on the right day would have), and cost far
    less in a simulation of thousands of policies.
    """
    days = {timeline.today}
    for month in timeline.coverage_months:
        days.add(add_banking_days(next_banking_day(month.first_day), 2))
    return {day for day in days if day <= timeline.today}
