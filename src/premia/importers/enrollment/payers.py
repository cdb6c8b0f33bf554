"""The payer of an imported policy, and the rating area it is rated in.

An individual policy bills the subscriber's own account and is rated where the subscriber
lives. A group policy bills the employer's account, or the sub-group's when the member
names a sub-group (REF*17 or REF*23) that has an account of its own, and is rated at the
employer's address. Employer groups are looked up, never created here: an 834 does not
carry what a group needs (address, anniversary month, contribution rule), so a member of
an unknown group is rejected with the identifiers to set it up with.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, BillingPreferences, Language
from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.importers.enrollment.intake import MemberIntake
from premia.importers.enrollment.model import Count, ImportReport, ImportWarning, MemberRejected
from premia.infra.context import ServiceContext
from premia.kernel.errors import DomainError
from premia.rating.catalog import Catalog

LEGAL_ENTITY = "MAIN"
TAX_ID_QUALIFIER = "FI"


class Payers:
    """Caches employer groups, their accounts and rating areas for the length of one import."""

    def __init__(self, ctx: ServiceContext, catalog: Catalog, report: ImportReport) -> None:
        self.ctx = ctx
        self.catalog = catalog
        self.report = report
        self._groups: dict[tuple[str, ...], EmployerGroup | None] = {}
        self._group_accounts: dict[int, BillingAccount] = {}
        self._group_areas: dict[int, str] = {}

    def forget(self) -> None:
        """Drop the caches after a rollback, which may have removed an account created since."""
        self._groups.clear()
        self._group_accounts.clear()
        self._group_areas.clear()

    # Employer groups ------------------------------------------------------------------

    def employer_group(self, intake: MemberIntake) -> EmployerGroup:
        """Return the member's employer group, or reject the member naming the identifiers sent."""
        sponsor = intake.transaction.sponsor
        tax_id = (
            sponsor.id.strip() if sponsor is not None and sponsor.id_qualifier == TAX_ID_QUALIFIER else ""
        )
        key = (*intake.group_numbers, tax_id)
        if key not in self._groups:
            self._groups[key] = self._find_group(intake.group_numbers, tax_id)
        group = self._groups[key]
        if group is None:
            sent = (
                ", ".join(
                    [
                        *(f"group number {number}" for number in intake.group_numbers),
                        *([f"sponsor tax id {tax_id}"] if tax_id else []),
                    ]
                )
                or "no group identifier"
            )
            raise MemberRejected(
                "enrollment.group_not_found",
                f"The member is enrolled in a group plan, but no employer group matches {sent} "
                "(REF*1L, REF*38, N1*P5).",
                segment_id="N1" if not intake.group_numbers else "REF",
                position=sponsor.position
                if sponsor is not None and not intake.group_numbers
                else intake.position,
                element="N104" if not intake.group_numbers else "REF02",
                hint="Set the employer group up with `premia groups create` using one of these numbers, then "
                "have the sponsor send the member again.",
            )
        return group

    def _find_group(self, numbers: tuple[str, ...], tax_id: str) -> EmployerGroup | None:
        conditions = []
        if numbers:
            conditions.append(EmployerGroup.group_number.in_(numbers))
        if tax_id:
            conditions.append(EmployerGroup.group_number == tax_id)
            conditions.append(EmployerGroup.tax_id == tax_id)
        if not conditions:
            return None
        found = self.ctx.session.scalars(
            select(EmployerGroup).where(or_(*conditions)).order_by(EmployerGroup.id)
        ).all()
        # A group number names the group more precisely than the sponsor's tax id, which
        # several groups of one employer may share.
        for number in numbers:
            for group in found:
                if group.group_number == number:
                    return group
        return found[0] if found else None

    def group_account(
        self, group: EmployerGroup, intake: MemberIntake, warnings: list[ImportWarning]
    ) -> BillingAccount:
        """Return the account that pays for ``group``'s member: the sub-group's, else the group's."""
        for number in intake.sub_group_numbers:
            sub_group = self.ctx.session.scalar(
                select(EmployerGroup).where(
                    EmployerGroup.group_number == number, EmployerGroup.parent_id == group.id
                )
            )
            if sub_group is None:
                continue
            account = self._existing_account(f"group:{sub_group.id}")
            if account is not None:
                return account
        if intake.sub_group_numbers and not any(
            self._is_sub_group(number, group) for number in intake.sub_group_numbers
        ):
            warnings.append(
                ImportWarning(
                    "enrollment.sub_group_not_found",
                    f"No sub-group of group {group.group_number} has the number "
                    f"{' or '.join(intake.sub_group_numbers)} (REF*17 or REF*23); the group's account is billed.",
                    intake.position,
                    "REF02",
                    intake.position,
                    intake.subscriber_id,
                )
            )
        return self._account_for_group(group)

    def _is_sub_group(self, number: str, group: EmployerGroup) -> bool:
        found = self.ctx.session.scalar(
            select(EmployerGroup.id).where(
                EmployerGroup.group_number == number, EmployerGroup.parent_id == group.id
            )
        )
        return found is not None

    def _account_for_group(self, group: EmployerGroup) -> BillingAccount:
        account = self._group_accounts.get(group.id)
        if account is None:
            account = self._existing_account(f"group:{group.id}")
            if account is None:
                account = accounts.create_account(
                    self.ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number=group.group_number)
                )
                self.report.count(Count.ACCOUNTS_CREATED)
            self._group_accounts[group.id] = account
        return account

    def group_rating_area(self, group: EmployerGroup, intake: MemberIntake) -> str:
        if group.id not in self._group_areas:
            try:
                area = self.catalog.find_area(group.state, zip_code=group.zip_code[:5])
            except DomainError as error:
                raise MemberRejected(
                    "enrollment.no_rating_area",
                    f"Employer group {group.group_number}'s address ({group.state} {group.zip_code}) is in no "
                    f"rating area of the catalog: {error.message}",
                    segment_id="INS",
                    position=intake.position,
                    hint="Correct the group's address, or add its ZIP code or county to a rating area.",
                ) from error
            self._group_areas[group.id] = area.area_id
        return self._group_areas[group.id]

    # Individual policies --------------------------------------------------------------

    def individual_account(self, subscriber: Person) -> BillingAccount:
        account = self._existing_account(f"person:{subscriber.id}")
        if account is None:
            language = Language(subscriber.written_language)
            account = accounts.create_account(
                self.ctx,
                AccountInput(
                    kind=AccountKind.INDIVIDUAL,
                    holder_member_id=subscriber.member_id,
                    preferences=BillingPreferences(language=language),
                ),
            )
            self.report.count(Count.ACCOUNTS_CREATED)
        return account

    def residence_area(self, subscriber: Person, intake: MemberIntake) -> str:
        """Return the rating area of the subscriber's residence (loop 2100A N3/N4)."""
        if not subscriber.state or not subscriber.zip_code:
            raise MemberRejected(
                "enrollment.residence_missing",
                f"Subscriber {subscriber.member_id} has no residential address, which an individual policy is "
                "rated by.",
                segment_id="N4",
                position=intake.member.name.position,
                element="N403",
                hint="Send the subscriber's residential address in N3 and N4 (loop 2100A).",
            )
        county = intake.county or subscriber.county_code
        try:
            return self.catalog.find_area(
                subscriber.state, zip_code=subscriber.zip_code[:5], county=county
            ).area_id
        except DomainError as error:
            exchange_area = intake.amounts.rating_area
            if exchange_area and any(area.area_id == exchange_area for area in self.catalog.rating_areas):
                return exchange_area
            position = (
                intake.member.address.position if intake.member.address is not None else intake.position
            )
            raise MemberRejected(
                "enrollment.no_rating_area",
                f"The residence {subscriber.state} {subscriber.zip_code} (county {county or 'not sent'}) is in no "
                f"rating area of the catalog: {error.message}",
                segment_id="N4",
                position=position,
                element="N403",
                hint="Check N403 and N406, or add the ZIP code or county to a rating area of the catalog.",
            ) from error

    def _existing_account(self, holder_key: str) -> BillingAccount | None:
        return self.ctx.session.scalar(
            select(BillingAccount).where(
                BillingAccount.holder_key == holder_key, BillingAccount.legal_entity == LEGAL_ENTITY
            )
        )
