"""ASC X12 files Premia reads and writes: 834 enrollments, 820 payments, 999 acknowledgments.

Readers return typed records and findings (errors as data) instead of raising for bad data,
and use no database. See README.md in this package for the contract.
"""

from __future__ import annotations

from typing import Any

from premia.formats.x12.acknowledgment import (
    Acknowledgment,
    AcknowledgmentEnvelope,
    ElementNote,
    GroupAcknowledgment,
    GroupAcknowledgmentCode,
    InterchangeRejection,
    SegmentNote,
    SetAcknowledgment,
    SetAcknowledgmentCode,
    acknowledge,
    write_999,
)
from premia.formats.x12.codes import (
    BenefitStatus,
    ContactKind,
    CoverageLevel,
    CreditDebit,
    DateQualifier,
    EmploymentStatus,
    ExchangeCategory,
    ExchangePaymentType,
    Gender,
    Implementation,
    InsuranceLine,
    MaintenanceReason,
    MaintenanceType,
    MaritalStatus,
    PartyRole,
    PaymentHandling,
    PaymentMethod,
    RelationshipCode,
    TransactionAction,
    TransactionPurpose,
    UsageIndicator,
)
from premia.formats.x12.enrollment_reader import (
    MemberHead,
    MemberReading,
    MemberText,
    Parsed834,
    PendingSet,
    Scanned834,
    SetMembers,
    merge_findings,
    parse_834,
    read_set,
    scan_834,
)
from premia.formats.x12.enrollment_records import (
    Beginning,
    Contact,
    ControlTotal,
    CoordinationOfBenefits,
    Coverage,
    Demographics,
    Enrollment834,
    ExchangeAmounts,
    Language,
    Member834,
    RejectedMember,
    ReportingCategory,
    exchange_amounts,
    exchange_categories,
)
from premia.formats.x12.enrollment_rules import CoverageEnd, CoverageEndKind, coverage_end
from premia.formats.x12.enrollment_writer import write_834
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.interchange import (
    EnvelopeReading,
    FunctionalGroup,
    Interchange,
    SetHeader,
    iter_sets,
    without_positions,
)
from premia.formats.x12.interchange_reader import RawSet, read_interchanges
from premia.formats.x12.remittance_reader import Parsed820, parse_820
from premia.formats.x12.remittance_records import (
    Adjustment,
    PaymentOrder,
    Remittance820,
    RemittanceEntity,
    RemittanceLine,
    Trace,
)
from premia.formats.x12.remittance_writer import write_820
from premia.formats.x12.segments import Address, Amount, EntityName, Party, QualifiedDate, Reference
from premia.formats.x12.tokenizer import Delimiters, Segment, Tokenizer, iter_segments


def __getattr__(name: str) -> Any:
    # validate_tr3 imports pyx12 (about 50 ms), so it loads on first use only.
    if name == "validate_tr3":
        from premia.formats.x12.tr3 import validate_tr3

        return validate_tr3
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Acknowledgment",
    "AcknowledgmentEnvelope",
    "Address",
    "Adjustment",
    "Amount",
    "Beginning",
    "BenefitStatus",
    "Contact",
    "ContactKind",
    "ControlTotal",
    "CoordinationOfBenefits",
    "Coverage",
    "CoverageEnd",
    "CoverageEndKind",
    "CoverageLevel",
    "CreditDebit",
    "DateQualifier",
    "Delimiters",
    "Demographics",
    "ElementNote",
    "EmploymentStatus",
    "Enrollment834",
    "EntityName",
    "EnvelopeReading",
    "ExchangeAmounts",
    "ExchangeCategory",
    "ExchangePaymentType",
    "Finding",
    "FindingCode",
    "FindingScope",
    "FunctionalGroup",
    "Gender",
    "GroupAcknowledgment",
    "GroupAcknowledgmentCode",
    "Implementation",
    "InsuranceLine",
    "Interchange",
    "InterchangeRejection",
    "Language",
    "MaintenanceReason",
    "MaintenanceType",
    "MaritalStatus",
    "Member834",
    "MemberHead",
    "MemberReading",
    "MemberText",
    "Parsed820",
    "Parsed834",
    "Party",
    "PartyRole",
    "PaymentHandling",
    "PaymentMethod",
    "PaymentOrder",
    "PendingSet",
    "QualifiedDate",
    "RawSet",
    "Reference",
    "RejectedMember",
    "RelationshipCode",
    "Remittance820",
    "RemittanceEntity",
    "RemittanceLine",
    "ReportingCategory",
    "Scanned834",
    "Segment",
    "SegmentNote",
    "SetAcknowledgment",
    "SetAcknowledgmentCode",
    "SetHeader",
    "SetMembers",
    "Severity",
    "Tokenizer",
    "Trace",
    "TransactionAction",
    "TransactionPurpose",
    "UsageIndicator",
    "acknowledge",
    "coverage_end",
    "exchange_amounts",
    "exchange_categories",
    "iter_segments",
    "iter_sets",
    "merge_findings",
    "parse_820",
    "parse_834",
    "read_interchanges",
    "read_set",
    "scan_834",
    "validate_tr3",
    "without_positions",
    "write_820",
    "write_834",
    "write_999",
]
