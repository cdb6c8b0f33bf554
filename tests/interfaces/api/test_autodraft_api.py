"""/api/v1/autodraft-runs and /api/v1/ach-files: a run drafts what is due once and writes the NACHA file."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _run(api, as_of: str, role: Role = Role.BILLING, **headers: str):
    return api.client.post("/api/v1/autodraft-runs", json={"as_of": as_of}, headers=api.headers(role, **headers))


def test_autodraft_run_writes_file(api):
    household = couple(api, autodraft=True)
    response = _run(api, "2026-03-02")
    run = response.json()
    ach = api.client.get(run["file_url"], headers=api.headers(Role.BILLING))
    assert response.status_code == 201
    assert [entry["account_number"] for entry in run["entries"]] == [household.account_number]
    assert run["total"] == {"amount": "1924.00", "currency": "USD"}  # January and February, 962.00 each
    assert ach.status_code == 200
    assert ach.headers["content-type"].startswith("text/plain")
    assert ach.text.startswith("101")


def test_autodraft_second_run_drafts_nothing(api):
    couple(api, autodraft=True)
    _run(api, "2026-03-02")
    again = _run(api, "2026-03-02").json()
    assert again["entries"] == []
    assert again["file_id"] is None
    assert again["file_url"] is None


def test_autodraft_same_key_replays(api):
    couple(api, autodraft=True)
    first = _run(api, "2026-03-02", **{"Idempotency-Key": "draft-2026-01-28"})
    second = _run(api, "2026-03-02", **{"Idempotency-Key": "draft-2026-01-28"})
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"


def test_autodraft_needs_permission(api):
    response = _run(api, "2026-03-02", role=Role.CSR)
    assert response.status_code == 403
    assert response.json()["code"] == "staff.permission_denied"


def test_ach_file_unknown_is_404(api):
    response = api.client.get("/api/v1/ach-files/999999", headers=api.headers(Role.BILLING))
    assert response.status_code == 404
    assert response.json()["code"] == "ach_file.not_found"
