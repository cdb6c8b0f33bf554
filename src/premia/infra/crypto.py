"""Encryption of sensitive fields at rest (SSNs, bank account numbers) and their masking."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken

from premia.kernel.errors import ValidationError


class FieldCipher:
    """Encrypts and decrypts sensitive values with a Fernet key (AES-128-CBC with HMAC-SHA256)."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise ValidationError(
                code="settings.encryption_key_invalid",
                message="PREMIA_ENCRYPTION_KEY is not a valid Fernet key.",
                field="PREMIA_ENCRYPTION_KEY",
                hint="Create a key with `premia keys generate`.",
            ) from exc
        self._index_key = hashlib.sha256(b"premia-blind-index:" + key.encode("ascii")).digest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def encrypt_many(self, plaintexts: Sequence[str]) -> list[str]:
        """Encrypt each value into its own Fernet token, in order, for bulk paths that encrypt a chunk at once."""
        fernet = self._fernet
        return [fernet.encrypt(plaintext.encode("utf-8")).decode("ascii") for plaintext in plaintexts]

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValidationError(
                code="settings.encryption_key_mismatch",
                message="A stored sensitive value cannot be decrypted with the configured key.",
                field="PREMIA_ENCRYPTION_KEY",
                hint="Set PREMIA_ENCRYPTION_KEY to the key the database was written with.",
            ) from exc

    def blind_index(self, plaintext: str) -> str:
        """A keyed hash that allows exact look-ups without storing the value in the clear."""
        return hmac.digest(self._index_key, plaintext.encode("utf-8"), "sha256").hex()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def mask_last4(last4: str | None, *, label: str = "") -> str:
    """Show a sensitive number as bullets and its last four digits, such as ``•••-••-1234``."""
    if not last4:
        return ""
    prefix = "•••-••-" if label == "ssn" else "••••"
    return prefix + last4
