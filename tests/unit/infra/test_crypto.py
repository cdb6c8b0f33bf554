"""Field encryption for SSNs and bank account numbers, keyed look-up hashes, and masking."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from premia.infra.crypto import FieldCipher, generate_key, mask_last4
from premia.kernel.errors import ValidationError

KEY = Fernet.generate_key().decode("ascii")


def test_round_trip() -> None:
    cipher = FieldCipher(KEY)

    token = cipher.encrypt("123456789")

    assert cipher.decrypt(token) == "123456789"


def test_ciphertext_hides_digits() -> None:
    cipher = FieldCipher(KEY)

    token = cipher.encrypt("123456789")

    assert "123456789" not in token
    assert "6789" not in token


def test_same_value_encrypts_differently() -> None:
    cipher = FieldCipher(KEY)

    assert cipher.encrypt("000123456789") != cipher.encrypt("000123456789")


def test_blind_index_stable_per_key() -> None:
    cipher = FieldCipher(KEY)
    other = FieldCipher(generate_key())

    assert cipher.blind_index("123456789") == FieldCipher(KEY).blind_index("123456789")
    assert cipher.blind_index("123456789") != cipher.blind_index("123456788")
    assert cipher.blind_index("123456789") != other.blind_index("123456789")
    assert len(cipher.blind_index("123456789")) == 64
    assert "123456789" not in cipher.blind_index("123456789")


def test_wrong_key_names_setting() -> None:
    token = FieldCipher(KEY).encrypt("123456789")

    with pytest.raises(ValidationError) as caught:
        FieldCipher(generate_key()).decrypt(token)

    assert caught.value.code == "settings.encryption_key_mismatch"
    assert caught.value.field == "PREMIA_ENCRYPTION_KEY"


@pytest.mark.parametrize("key", ["not-a-key", "", "é" * 44])
def test_invalid_key_rejected(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FieldCipher(key)

    assert caught.value.code == "settings.encryption_key_invalid"
    assert "premia keys generate" in (caught.value.hint or "")


def test_generated_key_is_fernet() -> None:
    key = generate_key()

    assert FieldCipher(key).decrypt(FieldCipher(key).encrypt("x")) == "x"
    assert key != generate_key()


def test_mask_last4() -> None:
    assert mask_last4("6789", label="ssn") == "•••-••-6789"
    assert mask_last4("6789") == "••••6789"
    assert mask_last4(None) == ""
    assert mask_last4("") == ""


def test_encrypt_many_gives_tokens_each_cipher_reads() -> None:
    cipher = FieldCipher(KEY)
    values = ["123456789", "", "x" * 15, "x" * 16, "a longer account number 0042", "ñandú"]

    tokens = cipher.encrypt_many(values)

    for value, token in zip(values, tokens, strict=True):
        assert token.startswith("v2:")
        assert cipher.decrypt(token) == value
        assert FieldCipher(KEY).decrypt(token) == value


def test_fernet_tokens_written_before_still_decrypt() -> None:
    written_before = Fernet(KEY.encode("ascii")).encrypt("987654321".encode("utf-8")).decode("ascii")

    assert FieldCipher(KEY).decrypt(written_before) == "987654321"


def test_ssn_token_fits_its_column() -> None:
    token = FieldCipher(KEY).encrypt("123456789")

    # Nonce (12 bytes), the nine digits and the tag (16) in Base64, after the prefix.
    assert len(token) == len("v2:") + 52


def _tampered(token: str) -> str:
    # A character of the nonce: still valid Base64, so only the tag check can catch it.
    changed = "A" if token[10] != "A" else "B"
    return token[:10] + changed + token[11:]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(_tampered, id="tampered"),
        pytest.param(lambda token: token[:20], id="cut short"),
        pytest.param(lambda token: token + "!!", id="not base64"),
        pytest.param(lambda token: "v2:", id="empty"),
    ],
)
def test_damaged_token_names_the_key_setting(spoil: object) -> None:
    token = FieldCipher(KEY).encrypt("123456789")

    with pytest.raises(ValidationError) as caught:
        FieldCipher(KEY).decrypt(spoil(token))  # type: ignore[operator]

    assert caught.value.code == "settings.encryption_key_mismatch"


def test_encrypt_many_uses_a_new_nonce_per_value() -> None:
    cipher = FieldCipher(KEY)

    first, second = cipher.encrypt_many(["123456789", "123456789"])

    assert first != second


def test_encrypt_many_of_nothing() -> None:
    assert FieldCipher(KEY).encrypt_many([]) == []
