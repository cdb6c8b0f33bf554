"""An interchange is applied once: by content hash, or by sender and ISA13; a stopped import resumes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from sqlalchemy import select

from premia.importers.enrollment import ImportResult
from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import count_rows, person
from tests.integration.enrollment_import.enrollment_files import interchange_text, member

pytestmark = pytest.mark.database


def two_families(control_number: str = "000000101") -> str:
    return interchange_text(
        [member("A-1", first_name="ANA"), member("B-1", first_name="BEN")], control_number=control_number
    )


def test_same_file_twice(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = two_families()
    first = import_text(text)
    rows_after_first = count_rows(ctx)

    second = import_text(text)

    assert second.report.status == "duplicate"
    assert second.report.duplicate_of == first.report.import_id
    assert second.report.counts["members_applied"] == 0
    assert second.acknowledgment == first.acknowledgment
    assert count_rows(ctx) == rows_after_first
    assert len(ctx.session.scalars(select(ImportFile)).all()) == 1


def test_same_interchange_other_content(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    first = import_text(two_families())
    reused = interchange_text([member("C-1", first_name="CAL")], control_number="000000101")

    result = import_text(reused)
    report = result.report

    # Other content under a used ISA13 is a new file reusing the number: rejected whole
    # with TA1 note 025, never acknowledged with the first file's 999.
    assert report.status == "rejected"
    assert report.rejections[0].code == "x12.duplicate_interchange_control_number"
    assert "ISA13 000000101" in report.rejections[0].reason
    assert result.acknowledgment != first.acknowledgment
    assert "TA1*000000101*" in result.acknowledgment
    assert "*R*025~" in result.acknowledgment
    assert count_rows(ctx)["persons"] == 2


def test_corrected_resend_after_rejection(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    good = two_families()
    broken = good.replace("IEA*1*000000101", "IEA*1*000000999")

    rejected = import_text(broken).report
    accepted = import_text(good).report
    statuses = [row.status for row in ctx.session.scalars(select(ImportFile).order_by(ImportFile.id))]

    assert rejected.status == "rejected"
    assert accepted.status == "accepted"
    assert statuses == ["rejected", "accepted"]
    assert count_rows(ctx)["persons"] == 2


def test_resume_after_last_commit(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text([member("A-1"), member("B-1"), member("C-1")])
    # An import of this file committed its first two members, then stopped.
    stopped = ImportFile(
        kind="834",
        file_name="test.834",
        content_hash=hashlib.sha256(text.encode("ascii")).hexdigest(),
        size_bytes=len(text),
        sender_id="EXCHANGE",
        control_number="000000101",
        status="in_progress",
        applied_through=2,
        counts={},
        report={"counts": {"members_received": 2, "members_applied": 2}},
        imported_by="tester",
        received_at=ctx.now(),
    )
    ctx.session.add(stopped)
    ctx.session.flush()

    report = import_text(text, resume=True).report

    assert report.import_id == stopped.id
    assert report.status == "accepted"
    # 2 members counted before the stop + 1 applied now = 3.
    assert report.counts["members_applied"] == 3
    assert count_rows(ctx)["persons"] == 1
    assert person(ctx, "C-1").first_name == "ANA"
    assert "import.resumed" in {warning.code for warning in report.warnings}
    assert stopped.status == "accepted"


def test_stopped_import_needs_resume(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text([member("A-1")])
    ctx.session.add(
        ImportFile(
            kind="834",
            file_name="test.834",
            content_hash=hashlib.sha256(text.encode("ascii")).hexdigest(),
            size_bytes=len(text),
            sender_id="EXCHANGE",
            control_number="000000101",
            status="in_progress",
            applied_through=0,
            imported_by="tester",
            received_at=ctx.now(),
        )
    )
    ctx.session.flush()

    report = import_text(text).report

    assert report.status == "duplicate"
    assert "has not finished" in report.warnings[0].message
    assert count_rows(ctx)["persons"] == 0


def test_commits_between_families(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    report = import_text(
        interchange_text([member("A-1"), member("B-1"), member("C-1")]), commit_every=1
    ).report
    row = ctx.session.get(ImportFile, report.import_id)

    assert report.status == "accepted"
    assert row is not None
    assert (row.status, row.applied_through, row.members_applied) == ("accepted", 3, 3)
    assert count_rows(ctx)["persons"] == 3
