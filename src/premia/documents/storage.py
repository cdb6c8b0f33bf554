"""Files of rendered documents and print batches under the documents folder.

Rendered documents are stored by their SHA-256 (``pdf/ab/ab12....pdf``), so writing the
same bytes twice is harmless and a document's file is never overwritten with other content. Reading checks the hash again, so a reprint is either the bytes that were sent
or an error. The files hold member information and are created readable by the owner only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from premia.kernel.errors import ConflictError, NotFoundError

FILE_MODE = 0o600


@dataclass(frozen=True)
class StoredFile:
    """A file's path relative to the documents folder and the SHA-256 of its bytes."""

    path: str
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentStore:
    """The documents folder: content-addressed document files and named print batch files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, *, kind: str, suffix: str) -> StoredFile:
        """Store ``data`` under its hash in the ``kind`` folder (``pdf``, ``html``)."""
        digest = sha256_hex(data)
        relative = f"{kind}/{digest[:2]}/{digest}{suffix}"
        target = self.root / relative
        if not target.exists():
            self._write(target, data)
        return StoredFile(path=relative, sha256=digest)

    def put_named(self, relative: str, data: bytes) -> StoredFile:
        """Store a print batch file at ``relative``, replacing an earlier file of that name.

        A name is reused only when a run that wrote it was rolled back, so the earlier file
        was never recorded as sent.
        """
        self._write(self.root / relative, data)
        return StoredFile(path=relative, sha256=sha256_hex(data))

    def read(self, relative: str, *, sha256: str, record: str) -> bytes:
        """Return the stored bytes after checking they still have the hash recorded at send time."""
        path = self.root / relative
        if not path.is_file():
            raise NotFoundError(
                code="documents.file_missing",
                message=f"The file of {record} is missing: {path}.",
                record=record,
                field="path",
                value=relative,
                hint="Restore the documents folder from backup, or point PREMIA_DOCUMENTS_DIR at it.",
            )
        data = path.read_bytes()
        if sha256_hex(data) != sha256:
            raise ConflictError(
                code="documents.file_changed",
                message=f"The file of {record} no longer matches the SHA-256 recorded when it was sent.",
                record=record,
                field="sha256",
                value=relative,
                hint="Restore the file from backup; it must not be edited after sending.",
            )
        return data

    def _write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # Write aside and rename, so a reader never sees half a file.
        with open(temporary, "wb") as handle:
            handle.write(data)
        temporary.chmod(FILE_MODE)
        os.replace(temporary, target)
