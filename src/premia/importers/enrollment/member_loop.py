"""Apply an import's members in file order, a chunk of whole families at a time.

Each chunk is read first (the member loops, then ``Applier.read``; neither needs the
database), then the bulk path looks up which of the chunk's identifiers are in use, and
then each member is offered to the bulk path or applied on its own. A loop the 834 reader
rejects is reported in its place in the file, as a member whose values fail a check is.
The import commits at fixed members, each the start of a family, so that a stopped import
resumes after its last commit. Those members are worked out before the loop starts, so
that processes preparing chunks ahead (see ``parallel``) break their batches where the
writing process commits.
"""

from __future__ import annotations

from collections.abc import Iterator

from premia.importers.enrollment.applier import Applier
from premia.importers.enrollment.bulk import BulkEnrollment
from premia.importers.enrollment.families import FamilyKey
from premia.importers.enrollment.intake import MemberIntake
from premia.importers.enrollment.members import FileMembers
from premia.importers.enrollment.model import MemberRejected
from premia.importers.enrollment.run import ImportRun
from premia.importers.enrollment.tables import ImportFile

Read = MemberIntake | MemberRejected


def family_chunks(keys: list[FamilyKey], skip: int, size: int) -> Iterator[tuple[int, int]]:
    """Yield the bounds of chunks of about ``size`` members that end where a family ends."""
    first = skip
    while first < len(keys):
        end = min(first + size, len(keys))
        while end < len(keys) and not keys[end].starts:
            end += 1
        yield first, end
        first = end


def commit_points(keys: list[FamilyKey], skip: int, every: int | None) -> frozenset[int]:
    """Return the members before which the import commits: the first family start after each ``every`` members."""
    if not every:
        return frozenset()
    points = set()
    since_commit = 0
    for index in range(skip, len(keys)):
        if since_commit >= every and keys[index].starts:
            points.add(index)
            since_commit = 0
        since_commit += 1
    return frozenset(points)


def rejected_in_batch(bulk: BulkEnrollment, key: FamilyKey, intake: Read) -> bool:
    """Return whether ``intake`` is a rejected dependent of the family the bulk path is buffering."""
    return isinstance(intake, MemberRejected) and bulk.building(key.subscriber_id, starts=key.starts)


class MemberLoop:
    """The members of one import, with the objects that apply them and the members to commit at."""

    def __init__(
        self,
        run: ImportRun,
        row: ImportFile,
        members: FileMembers,
        keys: list[FamilyKey],
        applier: Applier,
        bulk: BulkEnrollment | None,
        commits: frozenset[int],
    ) -> None:
        self.run = run
        self.row = row
        self.members = members
        self.keys = keys
        self.applier = applier
        self.bulk = bulk
        self.commits = commits

    def read(self, index: int) -> Read:
        member, info = self.members[index]
        return self.applier.read(member, info, self.keys[index])

    def apply_chunk(self, first: int, end: int) -> None:
        """Read, look up and apply the members from ``first`` up to ``end``."""
        intakes = [self.read(index) for index in range(first, end)]
        if self.bulk is not None:
            self.bulk.prefetch(intakes)
        for index, intake in zip(range(first, end), intakes, strict=True):
            self.step(index, intake)
        self.finish_chunk()
        self.members.release(first, end)

    def step(self, index: int, intake: Read) -> None:
        """Commit if this member is a commit point, then offer it to the bulk path or apply it alone."""
        self.commit_if_due(index)
        member, info = self.members[index]
        key = self.keys[index]
        bulk = self.bulk
        if bulk is not None and rejected_in_batch(bulk, key, intake):
            # The rejected dependent writes nothing, so its family stays in the batch and is
            # compared with the Exchange's amounts once it is complete.
            self.applier.start_family(key)
            self.applier.apply(member, info, intake)
            self.applier.finish_family()
            return
        if bulk is not None and bulk.offer(member, info, intake, starts=key.starts):
            self.applier.finish_family()
            return
        if bulk is not None:
            bulk.flush()
        self.applier.start_family(key)
        self.applier.apply(member, info, intake)

    def finish_chunk(self) -> None:
        if self.bulk is not None:
            self.bulk.flush()

    def finish(self) -> None:
        """Compare the last family's amounts and quote the last lifecycle changes."""
        self.applier.finish_family()
        self.run.quote_changes()
        self.row.applied_through = len(self.members)

    def commit_if_due(self, index: int) -> None:
        """Commit the families before member ``index`` if it is a commit point."""
        if index not in self.commits:
            return
        self.applier.finish_family()
        if self.bulk is not None:
            self.bulk.flush()
        run = self.run
        run.quote_changes()
        row = self.row
        row.applied_through = index
        row.counts = run.report.counts_dict()
        row.report = run.report.to_dict()
        run.ctx.session.commit()
