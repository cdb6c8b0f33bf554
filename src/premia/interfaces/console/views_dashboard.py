"""The KPI dashboard: FCR, premium collection rate, DSO and CSAT over time, with aging, SLA
attainment and the auto-draft return rate, filtered by market, business and APTC status."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from premia.enrollment.model import Market
from premia.interfaces.console.dashboard import HEADLINE, SECONDARY, aging_chart, build_panels
from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.choices import options
from premia.interfaces.console.rendering import render
from premia.interfaces.console.web import CurrentStaff, unit_of_work
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError, PermissionDeniedError
from premia.metrics import AptcStatus, Business, Segment, kpi_report_with_months

router = APIRouter()
DEFAULT_MONTHS = 6


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, staff: CurrentStaff) -> HTMLResponse:
    query = FormFields.of(list(request.query_params.multi_items()))
    failure = None
    context: dict[str, object] = {}
    with unit_of_work(request, staff.actor) as ctx:
        today = ctx.today()
    last_month = Month.of(today)
    first_month = last_month.plus(-(DEFAULT_MONTHS - 1))
    try:
        first_month = Month.parse(query.text("from") or str(first_month), field="from")
        last_month = Month.parse(query.text("to") or str(last_month), field="to")
        segment = Segment.parse(market=query.text("market"), business=query.text("business"), aptc=query.text("aptc"))
        with unit_of_work(request, staff.actor) as ctx:
            # A period still running ends today, so DSO divides by the days that have passed
            # and matches `premia kpi` and the API for the same dates.
            period, months = kpi_report_with_months(ctx, first_month=first_month, last_month=last_month, segment=segment, as_of=today)
        context = {
            "report": period,
            "headline": build_panels(period, months, HEADLINE),
            "secondary": build_panels(period, months, SECONDARY),
            "aging_svg": aging_chart(period.aging),
            "segment": segment,
        }
    except PermissionDeniedError:
        raise
    except DomainError as error:
        failure = FormFailure.of("kpi", error, query)
    template = "dashboard_panels.html" if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else "dashboard.html"
    return render(
        request,
        template,
        staff=staff,
        status_code=422 if failure else 200,
        nav="dashboard",
        page_title="KPI dashboard",
        failure=failure,
        filters={"from": str(first_month), "to": str(last_month), **{name: query.text(name) or "" for name in ("market", "business", "aptc")}},
        markets=options(Market),
        businesses=options(Business),
        aptc_statuses=options(AptcStatus, words={"with_aptc": "With APTC", "without_aptc": "Without APTC"}),
        **context,
    )
