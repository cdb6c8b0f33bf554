"""The service desk: contacts, identity verification, cases with SLA clocks, disputes,
demographic updates, person merges, the claims status feed, surveys and service KPIs.

Other areas use the names exported here; see README.md in this folder for the contract.
"""

from premia.servicing.case_queries import breach_warnings, case_clocks, list_cases
from premia.servicing.cases import (
    assign_case,
    close_case,
    open_case,
    reopen_case,
    resolve_case,
    update_case,
)
from premia.servicing.claims import claims_for_member, import_claims
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.contacts import contacts_for, log_contact, member_details
from premia.servicing.demographics import record_returned_mail, update_demographics
from premia.servicing.dispute_holds import HoldKey, disputed_open_cents
from premia.servicing.disputes import approve_dispute, decide_dispute, open_dispute
from premia.servicing.metrics import csat_report, fcr_report
from premia.servicing.persons_merge import merge_persons
from premia.servicing.surveys import answer_survey
from premia.servicing.verification import require_verified, verify_caller

__all__ = [
    "HoldKey",
    "ServicingConfig",
    "answer_survey",
    "approve_dispute",
    "assign_case",
    "breach_warnings",
    "case_clocks",
    "claims_for_member",
    "close_case",
    "contacts_for",
    "csat_report",
    "decide_dispute",
    "default_config",
    "disputed_open_cents",
    "fcr_report",
    "import_claims",
    "list_cases",
    "log_contact",
    "member_details",
    "merge_persons",
    "open_case",
    "open_dispute",
    "record_returned_mail",
    "reopen_case",
    "require_verified",
    "resolve_case",
    "update_case",
    "update_demographics",
    "verify_caller",
]
