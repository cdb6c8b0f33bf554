"""The story, day by day: enrollment, bill runs, payments, service, delinquency and the paper batch.

Each simulated day runs the carrier's work in a fixed order, each step at its own time of
day: 834 imports (02:30), the bill run (05:00), the payment jobs (06:00 to 08:00), the
service desk (08:00 to 17:00), the delinquency run (21:00) and notice delivery (22:00).
"""

from __future__ import annotations

from datetime import date

from premia.billing.service import BillRunReport, run_billing
from premia.delinquency.service import run_delinquency
from premia.demo.enrollment import enroll_lead_cohort, enroll_main_book
from premia.demo.payers import MoneyDesk
from premia.demo.service_desk import ServiceDesk
from premia.demo.timeline import Timeline
from premia.demo.world import DemoWorld
from premia.documents.delivery import DeliveryReport
from premia.documents.service import print_due_paper, queue_due_notices
from premia.kernel.banking_days import add_banking_days, next_banking_day
from premia.kernel.errors import DomainError
from premia.kernel.money import format_cents

DELINQUENCY_DAY_OF_MONTH = 18


def simulate(world: DemoWorld, timeline: Timeline) -> None:
    """Run every day from the first 834 file to the demo's last day."""
    money = MoneyDesk(world, timeline)
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
        if day in bill_days:
            with world.timed("bill runs"):
                report = _bill(world, day)
            money.after_bill_run(day, report)
        money.run_day(day)
        with world.timed("service desk"):
            desk.run_day(day)
        if day in delinquency_days:
            with world.timed("delinquency runs"):
                _delinquency(world, day)
        if day == first_bill_day:
            with world.timed("notices"):
                deliver_paper_notices(world, day)


def _bill(world: DemoWorld, day: date) -> BillRunReport:
    ctx = world.ctx("billing", world.at(day, 5, 0))
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
    report = run_delinquency(ctx, as_of=day)
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


def deliver_paper_notices(world: DemoWorld, day: date) -> None:
    """Render the notices due on ``day`` and print the paper batch; emails stay queued.

    The demo sends no email: it would need an SMTP server, and the demo never contacts one.
    """
    ctx = world.ctx("billing", world.at(day, 22, 0))
    report = DeliveryReport(as_of=day)
    try:
        queue_due_notices(ctx, as_of=day, report=report)
        batch = print_due_paper(ctx, as_of=day, report=report)
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
        world.skip("email delivery", f"{emails} documents wait in the email queue; the demo sends no email")


def _delinquency_days(timeline: Timeline) -> set[date]:
    """Two runs a month: just after the due date, and mid-month; and one on the last day."""
    days = {timeline.today}
    for month in timeline.coverage_months:
        days.add(add_banking_days(next_banking_day(month.first_day), 2))
        days.add(date(month.year, month.month, DELINQUENCY_DAY_OF_MONTH))
    return {day for day in days if day <= timeline.today}
