"""Group the members of an 834 into families: a subscriber and the dependents after them.

The implementation guide has every member of a family carry the subscriber's identifier
in REF*0F, and a dependent may be sent without its subscriber's loop. Some senders instead
put each dependent's own identifier in REF*0F, right after its subscriber's loop. A
dependent's REF*0F that differs from the preceding subscriber's therefore names the
subscriber of another family only when that person is already a subscriber in Premia or
in the file, or when another dependent after the same subscriber loop carries it too.
Otherwise it is the dependent's own identifier, and the dependent belongs to the
subscriber before it.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.enrollment.tables import Policy
from premia.formats.x12 import MemberHead
from premia.importers.enrollment.intake import TransactionInfo
from premia.infra.context import ServiceContext


class FamilyKey(NamedTuple):
    """The family a member belongs to.

    ``member_reference`` is a dependent's REF*0F when it names the dependent rather than
    the subscriber. ``starts`` is True for the first member of each family.
    """

    subscriber_id: str
    member_reference: str | None
    starts: bool


def family_keys(
    ctx: ServiceContext, heads: list[MemberHead], infos: list[TransactionInfo]
) -> list[FamilyKey]:
    """Return the family of every member, in order (one query when some REF*0F is ambiguous).

    ``heads`` and ``infos`` give each member loop's INS01 and REF*0F, and its set's header,
    in file order. A loop the reader later rejects keeps its place, so a subscriber's
    dependents stay in the family whose subscriber was rejected.
    """
    references = [head.subscriber_id.strip() for head in heads]
    # The subscriber before each member, and which subscriber loop that is (the same
    # identifier can come back later in the file).
    preceding: list[str | None] = []
    runs: list[int] = []
    subscriber: str | None = None
    run = 0
    previous_info: TransactionInfo | None = None
    for head, info, reference in zip(heads, infos, references, strict=True):
        if info is not previous_info:
            subscriber = None
            previous_info = info
            run += 1
        if head.is_subscriber:
            subscriber = reference
            run += 1
        preceding.append(subscriber)
        runs.append(run)

    ambiguous = Counter(
        (run, reference)
        for head, reference, before, run in zip(heads, references, preceding, runs, strict=True)
        if not head.is_subscriber and before is not None and reference != before
    )
    subscribers = (
        _existing_subscribers(ctx, {reference for _, reference in ambiguous}) if ambiguous else set()
    )
    # A subscriber's REF*0F anywhere in the file is not a dependent's own identifier either:
    # taken as one, the dependent's values would overwrite that subscriber's record.
    subscribers.update(
        reference for head, reference in zip(heads, references, strict=True) if head.is_subscriber
    )
    # One identifier cannot be the own identifier of two dependents, so it names their
    # subscriber, whose loop was not sent (or was rejected without INS01 and INS02 saying so).
    shared = {key for key, dependents in ambiguous.items() if dependents > 1}

    keys: list[FamilyKey] = []
    previous: FamilyKey | None = None
    for index, (head, reference, before, run) in enumerate(
        zip(heads, references, preceding, runs, strict=True)
    ):
        if (
            head.is_subscriber
            or before is None
            or reference == before
            or reference in subscribers
            or (run, reference) in shared
        ):
            key_id, own = reference, None
        else:
            key_id, own = before, reference
        new_set = index == 0 or infos[index - 1] is not infos[index]
        starts = head.is_subscriber or new_set or previous is None or previous.subscriber_id != key_id
        key = FamilyKey(key_id, own, starts)
        keys.append(key)
        previous = key
    return keys


def _existing_subscribers(ctx: ServiceContext, member_ids: set[str]) -> set[str]:
    query = (
        select(Person.member_id)
        .join(Policy, Policy.subscriber_person_id == Person.id)
        .where(Person.member_id.in_(member_ids))
        .distinct()
    )
    return set(ctx.session.scalars(query))
