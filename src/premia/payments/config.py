"""Payment settings: ACH origination, settlement, returned-payment fees, re-presentment, refunds.

Every value is a carrier choice with a stated default. ``load_payments_config`` reads them
from a YAML file whose keys are the field names below; amounts are written as dollars
(``"25.00"``) and stored as cents. Unknown keys are an error, so a misspelt key cannot
leave a default silently in force.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from premia.formats.nacha.codes import ReturnReasonCode
from premia.formats.nacha.writer import Originator
from premia.kernel.errors import ValidationError
from premia.kernel.money import parse_amount
from premia.payments.model import DEFAULT_CASH_ACCOUNT

if TYPE_CHECKING:
    from premia.infra.settings import Settings


def _cents(value: Any) -> Any:
    if isinstance(value, str):
        return parse_amount(value, field="amount")
    return value


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OriginatorSettings(_Settings):
    """The carrier as ACH originator. The defaults are placeholders for development and tests.

    Replace every field with the values of the carrier's ODFI agreement before sending a
    file to a bank.
    """

    immediate_destination: str = "091000019"
    immediate_destination_name: str = "DEMO ODFI"
    immediate_origin: str = "1234567890"
    immediate_origin_name: str = "PREMIA DEMO CARRIER"
    company_name: str = "PREMIA DEMO"
    company_id: str = "1234567890"
    odfi_routing_number: str = "091000019"

    def as_originator(self) -> Originator:
        return Originator(**self.model_dump())


class ReturnFeeSettings(_Settings):
    """The returned-payment (NSF) fee. State law caps it; ``amount_cents`` 0 turns it off.

    ``later_amount_cents`` applies from the account's second fee on (California allows $25
    for the first and $35 for each later one); None means the same amount every time. The
    fee is off for accounts with any on-exchange policy unless ``exchange_business`` is set,
    because Exchange rules may forbid it.
    """

    amount_cents: int = Field(default=2_500, ge=0)
    later_amount_cents: int | None = Field(default=None, ge=0)
    codes: frozenset[ReturnReasonCode] = frozenset({ReturnReasonCode.R01, ReturnReasonCode.R09})
    exchange_business: bool = False

    _amounts = field_validator("amount_cents", "later_amount_cents", mode="before")(_cents)


class RepresentmentSettings(_Settings):
    """NACHA allows an R01 or R09 draft to be presented again at most twice within 180 days."""

    max_attempts: int = Field(default=2, ge=0, le=2)
    window_days: int = Field(default=180, ge=1, le=180)
    wait_banking_days: int = Field(default=2, ge=0)


class PaymentsConfig(_Settings):
    """Everything the payment area lets a carrier choose.

    - ``settle_after_banking_days``: a draft with no return this many banking days after its
      effective date is settled, dated its effective date. 0 treats it as paid on settlement
      and reverses it if a return comes, which is what grace and effectuation may rely on.
    - ``draft_lead_banking_days``: a file built on day D carries entries effective this many
      banking days later.
    - ``prenotification_days``: pre-notifications go out for drafts due within this many days.
    - ``deposit_account``: the bank account receipts without a statement account are posted
      to (manual checks, lockbox CSV, drafts); use the number the bank statement shows.
    - ``refund_approval_above_cents``: refunds above this need a supervisor's approval.
    - ``suspense_max_age_days``: suspense items older than this are listed as overdue for a
      return to the payer.
    """

    settle_after_banking_days: int = Field(default=0, ge=0, le=10)
    draft_lead_banking_days: int = Field(default=1, ge=1, le=5)
    prenotification_days: int = Field(default=10, ge=0, le=30)
    deposit_account: str = Field(default=DEFAULT_CASH_ACCOUNT, min_length=1, max_length=32)
    originator: OriginatorSettings = OriginatorSettings()
    return_fee: ReturnFeeSettings = ReturnFeeSettings()
    representment: RepresentmentSettings = RepresentmentSettings()
    refund_approval_above_cents: int = Field(default=50_000, ge=0)
    suspense_max_age_days: int = Field(default=45, ge=1)

    _amounts = field_validator("refund_approval_above_cents", mode="before")(_cents)


DEFAULT_CONFIG = PaymentsConfig()


def load_payments_config(path: Path) -> PaymentsConfig:
    """Read a YAML payments configuration; raise ValidationError naming the first bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(
            code="payments.config_unreadable",
            message=f"The payments configuration {path} cannot be read: {exc}.",
            field="config",
            value=str(path),
            hint="Give the path of a YAML file whose keys are the PaymentsConfig fields.",
        ) from exc
    if not isinstance(raw, dict):
        raise ValidationError(
            code="payments.config_invalid",
            message=f"The payments configuration {path} must be a mapping of keys to values.",
            field="config",
            value=str(path),
        )
    try:
        return PaymentsConfig.model_validate(raw)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise ValidationError(
            code="payments.config_invalid",
            message=f"Invalid payments setting {location} in {path}: {first['msg']}.",
            field=location,
            hint="Check the key's spelling and value; unknown keys are not allowed.",
        ) from exc


def configured_payments(settings: Settings) -> PaymentsConfig:
    """Return the payment settings of ``PREMIA_PAYMENTS_CONFIG_FILE``, or the defaults without one.

    The file is read once per process, so an edit takes effect when the API or command starts again.
    """
    if settings.payments_config_file is None:
        return DEFAULT_CONFIG
    return _cached_payments_config(settings.payments_config_file)


@lru_cache(maxsize=8)
def _cached_payments_config(path: str) -> PaymentsConfig:
    return load_payments_config(Path(path))
