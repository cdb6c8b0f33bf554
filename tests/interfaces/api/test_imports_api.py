"""/api/v1/imports and /api/v1/jobs: uploads run in the background, once, and a rerun after a crash posts nothing twice."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

from sqlalchemy import func, select

from premia.catalog.service import load_catalog
from premia.interfaces.api.jobs.files import JobFiles
from premia.interfaces.api.tables import ApiJob
from premia.payments.lockbox import import_lockbox
from premia.payments.tables import Payment, SuspenseItem
from premia.servicing.tables import ClaimRecord
from premia.staff.permissions import Role
from premia.staff.tables import StaffUser
from tests.integration.enrollment_import.enrollment_files import interchange_text, member
from tests.integration.payments.conftest import aptc_loop, remittance_file
from tests.interfaces.api.conftest import NOW
from tests.interfaces.api.households import couple

ENROLLMENT_DATA = Path(__file__).resolve().parents[2] / "integration" / "enrollment_import" / "data"
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def lockbox_batch(invoice_number: str) -> bytes:
    """A spreadsheet export with a byte-order mark: one check for the invoice and one naming no invoice Premia holds."""
    rows = ["invoice_number,amount,received_on", f"{invoice_number},962.00,2026-01-28", "PRM-2026-999999,239.40,2026-01-28"]
    return b"\xef\xbb\xbf" + "\n".join(rows).encode("utf-8") + b"\n"


def _upload(api, kind: str, content: bytes, *, name: str = "batch.csv", role: Role = Role.ADMIN, **headers: str):
    return api.client.post(
        f"/api/v1/imports/{kind}",
        files={"file": (name, content, "application/octet-stream")},
        data={"as_of": "2026-01-28"},
        headers=api.headers(role, **headers),
    )


def _count(api, model) -> int:
    with api.services() as ctx:
        return ctx.session.scalar(select(func.count()).select_from(model))


def test_lockbox_upload_runs_in_background(api):
    household = couple(api)
    response = _upload(api, "lockbox", lockbox_batch(household.invoice_numbers[0]))
    job = api.wait_for_job(response.json()["job_id"])
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    assert job["status"] == "succeeded"
    assert job["result"]["counts"] == {"posted": 1, "suspense": 1}
    assert job["result"]["totals"] == {"posted": "962.00", "suspense": "239.40"}
    assert job["submitted_by"] == "admin-user"
    assert job["attempts"] == 1


def test_same_file_twice_changes_nothing(api):
    household = couple(api)
    content = lockbox_batch(household.invoice_numbers[0])
    api.wait_for_job(_upload(api, "lockbox", content).json()["job_id"])
    second = api.wait_for_job(_upload(api, "lockbox", content).json()["job_id"])
    assert second["status"] == "succeeded"
    assert second["result"]["already_imported"] is True
    assert _count(api, Payment) == 1
    assert _count(api, SuspenseItem) == 1


def test_upload_key_makes_one_job(api):
    household = couple(api)
    content = lockbox_batch(household.invoice_numbers[0])
    files_before = _upload_files(api)
    first = _upload(api, "lockbox", content, **{"Idempotency-Key": "upload-1"})
    second = _upload(api, "lockbox", content, **{"Idempotency-Key": "upload-1"})
    api.wait_for_job(first.json()["job_id"])
    assert second.status_code == 202
    assert second.json()["job_id"] == first.json()["job_id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _count(api, ApiJob) == 1
    # The replayed upload's copy is removed; only the job's file stays.
    assert _upload_files(api) == files_before + 1


def _upload_files(api) -> int:
    folder = api.jobs_dir / "uploads"
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def test_rejected_file_fails_job(api):
    couple(api)
    content = b"amount,received_on\n962.00,2026-01-28\n"
    job = api.wait_for_job(_upload(api, "lockbox", content).json()["job_id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "lockbox.file_rejected"
    assert job["error"]["problems"][0]["code"] == "lockbox.missing_column"
    assert "invoice_number" in job["error"]["problems"][0]["message"]
    assert job["error"]["hint"]
    assert job["result"] is None
    assert _count(api, Payment) == 0


def test_failed_job_retry_conflicts_when_done(api):
    household = couple(api)
    job = api.wait_for_job(_upload(api, "lockbox", lockbox_batch(household.invoice_numbers[0])).json()["job_id"])
    retry = api.client.post(f"/api/v1/jobs/{job['job_id']}/retry", headers=api.headers())
    assert retry.status_code == 409
    assert retry.json()["code"] == "api.job_not_retryable"


def test_rerun_after_crash_posts_once(api):
    """A worker that committed the import and died before recording the job: the rerun posts nothing twice."""
    household = couple(api)
    content = lockbox_batch(household.invoice_numbers[0])
    stored = JobFiles(api.jobs_dir).save_upload(BytesIO(content), file_name="batch.csv")

    with api.services(username="admin-user") as ctx:
        import_lockbox(ctx, content, file_name="batch.csv", as_of=date(2026, 1, 28))
        user_id = ctx.session.scalar(select(StaffUser.id).where(StaffUser.username == "admin-user"))
        job = ApiJob(
            kind="lockbox",
            status="running",
            file_name="batch.csv",
            file_path=stored.relative_path,
            file_sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            options={"as_of": "2026-01-28", "lenient_isa": False},
            submitted_user_id=user_id,
            submitted_by="admin-user",
            submitted_role="admin",
            attempts=1,
            worker="stopped-host:1",
            created_at=NOW - timedelta(hours=1),
            started_at=NOW - timedelta(hours=1),
            heartbeat_at=NOW - timedelta(hours=1),
        )
        ctx.session.add(job)
        ctx.session.flush()
        job_id = job.id

    api.client.app.state.job_runner.wake()
    rerun = api.wait_for_job(job_id)

    assert rerun["status"] == "succeeded"
    assert rerun["attempts"] == 2
    assert rerun["result"]["already_imported"] is True
    assert _count(api, Payment) == 1
    assert _count(api, SuspenseItem) == 1


def test_820_unknown_policies_to_suspense(api):
    content = remittance_file(
        [aptc_loop(1, "EXP99999999", [("APTC", 25_890, *JUNE)]), aptc_loop(2, "EXP99999998", [("APTC", 31_780, *JUNE)])],
        paid_on=date(2026, 6, 5),
        implementation="005010X306",
    )
    job = api.wait_for_job(_upload(api, "820", content, name="june.820", role=Role.INTEGRATION).json()["job_id"], Role.INTEGRATION)
    assert job["status"] == "succeeded"
    assert job["result"]["counts"] == {"suspense": 2}
    assert job["result"]["totals"] == {"suspense": "576.70"}  # 258.90 + 317.80


def test_claims_feed_job(api):
    household = couple(api, billed_through=None)
    content = (
        "claim_id,member_id,service_from,status,billed_amount,paid_amount\n"
        f"CLM-1,{household.member_id},2026-01-10,paid,250.00,180.00\n"
        "CLM-2,M999999999,2026-01-11,paid,90.00,90.00\n"
    ).encode("utf-8")
    job = api.wait_for_job(_upload(api, "claims", content, name="claims.csv").json()["job_id"])
    claims = api.client.get(f"/api/v1/persons/{household.member_id}/claims", headers=api.headers()).json()
    assert job["status"] == "succeeded"
    assert job["result"]["file"] == "claims.csv"
    assert job["result"]["inserted"] == 1
    assert job["result"]["rejected"] == 1
    assert _count(api, ClaimRecord) == 1
    assert [(claim["claim_id"], claim["paid"]["amount"]) for claim in claims["items"]] == [("CLM-1", "180.00")]


def test_834_job_writes_999(api):
    with api.services() as ctx:
        report = load_catalog(ctx, ENROLLMENT_DATA / "import-catalog.yaml")
        assert report.status == "loaded"
    content = interchange_text([member("A-1", first_name="ANA"), member("B-1", first_name="BEN")]).encode("ascii")
    job = api.wait_for_job(_upload(api, "834", content, name="enroll.834").json()["job_id"])
    acknowledgment = api.client.get(job["output_url"], headers=api.headers())
    assert job["status"] == "succeeded"
    assert job["result"]["counts"]["members_applied"] == 2
    assert acknowledgment.status_code == 200
    assert acknowledgment.text.startswith("ISA*")
    assert "AK9*A" in acknowledgment.text


def test_834_rejected_file_fails_with_999(api):
    with api.services() as ctx:
        load_catalog(ctx, ENROLLMENT_DATA / "import-catalog.yaml")
    broken = interchange_text([member("A-1")]).replace("IEA*1*000000101", "IEA*1*000000999").encode("ascii")
    job = api.wait_for_job(_upload(api, "834", broken, name="broken.834").json()["job_id"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "x12_834.rejected"
    assert job["result"]["status"] == "rejected"
    assert job["output_url"] == f"/api/v1/jobs/{job['job_id']}/output"


def test_job_hidden_from_other_kinds(api):
    job = api.wait_for_job(_upload(api, "claims", b"claim_id\n").json()["job_id"])
    as_finance = api.client.get(f"/api/v1/jobs/{job['job_id']}", headers=api.headers(Role.FINANCE))
    listed = api.client.get("/api/v1/jobs", headers=api.headers(Role.FINANCE)).json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "claims.column_missing"
    assert as_finance.status_code == 403
    assert listed["items"] == []


def test_jobs_list_pages(api):
    for number in range(3):
        api.wait_for_job(_upload(api, "claims", f"claim_id\n{number}\n".encode()).json()["job_id"])
    first = api.client.get("/api/v1/jobs", params={"limit": 2, "kind": "claims"}, headers=api.headers()).json()
    second = api.client.get("/api/v1/jobs", params={"limit": 2, "cursor": first["next_cursor"]}, headers=api.headers()).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_empty_upload_is_problem(api):
    response = _upload(api, "lockbox", b"")
    assert response.status_code == 422
    assert response.json()["code"] == "api.upload_empty"
    assert response.json()["field"] == "file"


def test_csr_cannot_upload(api):
    response = _upload(api, "lockbox", b"invoice_number,amount,received_on\n", role=Role.CSR)
    assert response.status_code == 403
    assert response.json()["code"] == "staff.permission_denied"
