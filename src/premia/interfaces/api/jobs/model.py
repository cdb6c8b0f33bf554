"""Kinds and statuses of background import jobs (pure)."""

from __future__ import annotations

from enum import StrEnum

from premia.staff.permissions import Permission


class JobKind(StrEnum):
    """The file formats an upload can hold, each imported by its own area's importer."""

    ENROLLMENT_834 = "834"
    REMITTANCE_820 = "820"
    NACHA_RETURNS = "nacha_returns"
    BAI2 = "bai2"
    CAMT = "camt"
    LOCKBOX = "lockbox"
    CLAIMS = "claims"

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """What the uploader's role must grant; the importer checks the same when the job runs."""
        if self is JobKind.ENROLLMENT_834:
            # The 834 importer changes demographics through the person service too.
            return (Permission.ENROLLMENT_IMPORT, Permission.MEMBER_WRITE)
        if self is JobKind.CLAIMS:
            return (Permission.CLAIMS_IMPORT,)
        return (Permission.PAYMENTS_IMPORT,)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)


IMPORT_PERMISSIONS = (Permission.ENROLLMENT_IMPORT, Permission.PAYMENTS_IMPORT, Permission.CLAIMS_IMPORT)
