"""The jobs folder: uploaded files kept until their import has run, and the files imports write back."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from premia.kernel.errors import NotFoundError, ValidationError

CHUNK_BYTES = 1024 * 1024
# An Exchange 820 of 50,000 policy loops is a few megabytes, so this leaves ample room while
# keeping a runaway upload from filling the disk.
DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file on disk: its path relative to the jobs folder, SHA-256 and size."""

    relative_path: str
    sha256: str
    size_bytes: int


class JobFiles:
    """Reads and writes files under one folder; stored paths are relative to it."""

    def __init__(self, root: Path, *, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
        self.root = root
        self.max_upload_bytes = max_upload_bytes

    def save_upload(self, stream: BinaryIO, *, file_name: str) -> StoredUpload:
        """Copy an upload to the uploads folder while hashing it; reject it whole when too large."""
        relative = f"uploads/{uuid.uuid4().hex}{_safe_suffix(file_name)}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with target.open("xb") as output:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > self.max_upload_bytes:
                        raise ValidationError(
                            code="api.upload_too_large",
                            message=f"{file_name} is larger than {self.max_upload_bytes} bytes.",
                            field="file",
                            value=file_name,
                            hint="Split the file, or ask the sender for smaller files.",
                        )
                    digest.update(chunk)
                    output.write(chunk)
                output.flush()
                os.fsync(output.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        if size == 0:
            target.unlink(missing_ok=True)
            raise ValidationError(
                code="api.upload_empty",
                message=f"{file_name} is empty.",
                field="file",
                value=file_name,
                hint="Attach the file's content.",
            )
        return StoredUpload(relative_path=relative, sha256=digest.hexdigest(), size_bytes=size)

    def read(self, relative: str) -> bytes:
        return self.path_of(relative).read_bytes()

    def path_of(self, relative: str) -> Path:
        path = self.root / relative
        if not path.is_file():
            raise NotFoundError(
                code="api.job_file_missing",
                message=f"The job file {relative} is no longer in the jobs folder {self.root}.",
                field="file_path",
                value=relative,
                hint="Upload the file again; a job cannot run without its file.",
            )
        return path

    def write_output(self, job_id: int, suffix: str, text: str) -> str:
        """Store text an import produced for a job, such as an 834's 999; return its relative path."""
        relative = f"outputs/job-{job_id}{suffix}"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return relative

    def discard(self, relative: str) -> None:
        (self.root / relative).unlink(missing_ok=True)


def _safe_suffix(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 8 else ""
