"""Write the queued enrollment changes into one 834 interchange with the X12 834 writer.

Every member of every queued change becomes one member loop. It carries INS with the
change's maintenance type and reason, the subscriber and policy references, eligibility
and benefit dates (with an end date for terminations and cancellations), and the plan's
HIOS id in REF*CE. The rows are marked written with the interchange control number in the same
transaction, so a change is sent in exactly one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from premia.audit import service as audit
from premia.delinquency.model import Outbound834Kind, Outbound834Status
from premia.delinquency.outbound import queued_834
from premia.delinquency.tables import Outbound834
from premia.formats.x12.codes import (
    BenefitStatus,
    DateQualifier,
    Gender,
    InsuranceLine,
    MaintenanceReason,
    MaintenanceType,
    PartyRole,
    RelationshipCode,
    TransactionAction,
    TransactionPurpose,
    UsageIndicator,
)
from premia.formats.x12.enrollment_records import (
    Beginning,
    Coverage,
    Demographics,
    Enrollment834,
    EntityName,
    Member834,
    Party,
    QualifiedDate,
    Reference,
)
from premia.formats.x12.enrollment_writer import write_834
from premia.formats.x12.envelope import FunctionalGroup, Interchange, SetHeader
from premia.infra.context import ServiceContext
from premia.staff.permissions import Permission

IMPLEMENTATION_GUIDE = "005010X220A1"

RELATIONSHIP_CODES = {
    "subscriber": RelationshipCode.SELF,
    "spouse": RelationshipCode.SPOUSE,
    "child": RelationshipCode.CHILD,
    "domestic_partner": RelationshipCode.DOMESTIC_PARTNER,
    "other": RelationshipCode.OTHER_RELATIONSHIP,
}


@dataclass(frozen=True)
class OutboundFile:
    """One written 834 interchange and the queue rows it carries."""

    control_number: int
    text: str
    row_ids: tuple[int, ...]


def write_outbound_834(
    ctx: ServiceContext,
    *,
    as_of: date,
    sender_id: str,
    receiver_id: str,
    insurer_name: str,
    insurer_tax_id: str,
    sponsor_name: str = "",
    sponsor_tax_id: str = "",
    usage: UsageIndicator = UsageIndicator.PRODUCTION,
) -> OutboundFile | None:
    """Write every queued change into one 834 interchange and mark the rows written.

    The insurer (N1*IN) is the carrier; the sponsor (N1*P5) defaults to the receiver, the
    exchange, as on individual exchange enrollments. Returns None when nothing is queued.
    The interchange control number is one more than the last one written from this queue.
    """
    ctx.require(Permission.DELINQUENCY_RUN)
    rows = queued_834(ctx)
    if not rows:
        return None
    last = ctx.session.scalar(select(func.max(Outbound834.interchange_control_number)))
    control_number = int(last or 0) + 1
    created = ctx.now().astimezone(ZoneInfo(ctx.settings.time_zone))
    moment = time(created.hour, created.minute)

    transaction = Enrollment834(
        header=SetHeader("834", "0001", IMPLEMENTATION_GUIDE),
        beginning=Beginning(TransactionPurpose.ORIGINAL, f"PREMIA{control_number:09d}", as_of, moment, action=TransactionAction.CHANGE),
        sponsor=Party(PartyRole.SPONSOR, sponsor_name or receiver_id, "FI", sponsor_tax_id or receiver_id),
        payer=Party(PartyRole.INSURER, insurer_name, "FI", insurer_tax_id),
        members=tuple(member for row in rows for member in _members(row)),
    )
    group = FunctionalGroup(
        functional_id="BE",
        sender_code=sender_id,
        receiver_code=receiver_id,
        date=as_of,
        time=moment,
        control_number=str(control_number),
        version=IMPLEMENTATION_GUIDE,
        sets=(transaction,),
    )
    interchange = Interchange(
        sender_qualifier="ZZ",
        sender_id=sender_id,
        receiver_qualifier="ZZ",
        receiver_id=receiver_id,
        date=as_of,
        time=moment,
        control_number=f"{control_number:09d}",
        version="00501",
        usage=usage,
        acknowledgment_requested=False,
        groups=(group,),
    )
    text = write_834(interchange)

    written_at = ctx.now()
    for row in rows:
        row.status = Outbound834Status.WRITTEN.value
        row.interchange_control_number = control_number
        row.written_at = written_at
    ctx.session.flush()
    audit.record(ctx, action="write_834", record_type="outbound_834", record_id=control_number, detail={"rows": len(rows)})
    return OutboundFile(control_number=control_number, text=text, row_ids=tuple(row.id for row in rows))


def _members(row: Outbound834) -> list[Member834]:
    data = row.data
    kind = Outbound834Kind(row.kind)
    maintenance_type = MaintenanceType(row.maintenance_type)
    reason = MaintenanceReason(row.maintenance_reason)
    subscriber_id = next((member["member_id"] for member in data["members"] if member["relationship"] == "subscriber"), "")
    policy_reference = data.get("exchange_policy_id") or data["policy_number"]
    ending = kind in (Outbound834Kind.TERMINATION, Outbound834Kind.CANCELLATION)
    effective = date.fromisoformat(data["effective_date"])

    members: list[Member834] = []
    for member in data["members"]:
        begin = date.fromisoformat(member["start_date"])
        coverage_dates = [QualifiedDate(DateQualifier.BENEFIT_BEGIN.value, begin)]
        member_dates = [QualifiedDate(DateQualifier.ELIGIBILITY_BEGIN.value, begin)]
        if ending:
            end = _last_covered_day(kind, begin, effective, member.get("end_date"))
            coverage_dates.append(QualifiedDate(DateQualifier.BENEFIT_END.value, end))
            member_dates.append(QualifiedDate(DateQualifier.ELIGIBILITY_END.value, end))
        members.append(
            Member834(
                is_subscriber=member["relationship"] == "subscriber",
                relationship=RELATIONSHIP_CODES.get(member["relationship"], RelationshipCode.OTHER_RELATIONSHIP),
                maintenance_type=maintenance_type,
                maintenance_reason=reason,
                benefit_status=BenefitStatus.ACTIVE,
                name=EntityName("IL", "1", member["last_name"], member["first_name"], member.get("middle_name", ""), "", "", "ZZ", member["member_id"]),
                references=(Reference("0F", subscriber_id), Reference("1L", policy_reference)),
                dates=tuple(member_dates),
                demographics=Demographics(date.fromisoformat(member["birth_date"]), Gender(member.get("sex") or "U")),
                coverages=(
                    Coverage(
                        maintenance_type=maintenance_type,
                        insurance_line=InsuranceLine.HEALTH,
                        dates=tuple(coverage_dates),
                        references=(Reference("CE", data["plan_id"]),),
                    ),
                ),
            )
        )
    return members


def _last_covered_day(kind: Outbound834Kind, begin: date, effective: date, member_end: str | None) -> date:
    """Return the benefit end date sent for one member.

    A cancellation, and a termination before the member's own start, end coverage on its
    first day, because it never took effect. A member whose coverage had already ended keeps that end.
    """
    if kind is Outbound834Kind.CANCELLATION or begin > effective:
        return begin
    if member_end is not None:
        return min(effective, date.fromisoformat(member_end))
    return effective
