"""Row counts of the demo database, from the tables the console reads."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from premia.accounts.tables import BillingAccount, Person
from premia.billing.tables import BillRun, Invoice
from premia.documents.tables import Document, PrintBatch
from premia.enrollment.tables import Policy
from premia.importers.enrollment.tables import ImportFile
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.tables import Notice
from premia.payments.tables import AchFile, Payment, PaymentImport, SuspenseItem
from premia.servicing.tables import CaseSurvey, Contact, Dispute, ServiceCase
from premia.staff.tables import StaffUser


def database_counts(session: Session) -> dict[str, dict[str, int]]:
    """Count rows by area, with a breakdown by status where a status applies."""

    def count(table: type) -> int:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)

    def by(column: InstrumentedAttribute[str]) -> dict[str, int]:
        rows = session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
        return {str(value): int(total) for value, total in rows}

    return {
        "enrollment": {
            "834 files": count(ImportFile),
            "persons": count(Person),
            "billing accounts": count(BillingAccount),
            **{f"policies {status}": total for status, total in by(Policy.status).items()},
        },
        "billing": {"bill runs": count(BillRun), "invoices": count(Invoice), "journal entries": count(JournalEntry)},
        "payments": {
            **{f"payments {channel}": total for channel, total in by(Payment.channel).items()},
            **{f"payments {status}": total for status, total in by(Payment.status).items()},
            "payment files imported": count(PaymentImport),
            "ACH files sent": count(AchFile),
            **{f"suspense {status}": total for status, total in by(SuspenseItem.status).items()},
        },
        "service": {
            "contacts": count(Contact),
            **{f"cases {status}": total for status, total in by(ServiceCase.status).items()},
            "surveys answered": int(session.scalar(select(func.count()).where(CaseSurvey.score.is_not(None))) or 0),
            "disputes": count(Dispute),
        },
        "notices": {
            **{f"notices {status}": total for status, total in by(Notice.status).items()},
            "documents rendered": count(Document),
            "print batches": count(PrintBatch),
        },
        "staff": {"staff users": count(StaffUser)},
    }


def journal_imbalance(session: Session) -> int:
    """Return the sum of every journal line in cents, which is zero when every entry balances."""
    return int(session.scalar(select(func.coalesce(func.sum(JournalLine.amount_cents), 0))) or 0)
