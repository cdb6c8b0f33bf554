"""The reading loop every X12 reader shares, and ``read_interchanges`` for any transaction set.

``read_envelope`` streams the tokenizer's batches through ``EnvelopeTracker`` and a reader
per transaction set, then returns the interchanges and every finding in file order.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import NamedTuple

from premia.formats.x12.envelope import EnvelopeTracker
from premia.formats.x12.findings import Finding
from premia.formats.x12.interchange import (
    ANY_TRANSACTION_SET,
    EnvelopeReading,
    EnvelopeRules,
    OpenSet,
    SetContext,
    SetHeader,
    SetT,
)
from premia.formats.x12.tokenizer import Segment, Source, Tokenizer, make_segment


def read_envelope(
    source: Source, rules: EnvelopeRules, open_set: OpenSet[SetT], *, lenient_isa: bool = False
) -> EnvelopeReading[SetT]:
    """Read every interchange in ``source``, checking the envelope and reading sets with ``open_set``."""
    with _garbage_collection_paused():
        return _read_envelope(source, rules, open_set, lenient_isa=lenient_isa)


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read, then restore its state.

    Every record of a large file stays alive until the read ends, so each collection pass
    walks all of them again. Measured on 100,000 members (26 segments each, Python 3.11,
    2 cores), 20 full passes took 6.3 of 12.2 seconds. Reading creates no reference cycles
    per segment or member, and reference counting still frees everything else.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_envelope(
    source: Source, rules: EnvelopeRules, open_set: OpenSet[SetT], *, lenient_isa: bool
) -> EnvelopeReading[SetT]:
    tokenizer = Tokenizer(source, lenient_isa=lenient_isa)
    batches = tokenizer.batches()
    tracker: EnvelopeTracker[SetT] | None = None
    position = 0
    for first_position, batch in batches:
        if tracker is None:
            assert tokenizer.delimiters is not None
            tracker = EnvelopeTracker(rules, open_set, tokenizer.delimiters)
        tracker.feed(first_position, batch)
        position = first_position + len(batch) - 1

    if tracker is None:
        return EnvelopeReading((), tuple(tokenizer.findings))
    tracker.finish(position)
    findings = sorted([*tokenizer.findings, *tracker.findings], key=_finding_order)
    return EnvelopeReading(tuple(tracker.interchanges), tuple(findings))


def _finding_order(finding: Finding) -> int:
    return finding.position


class RawSet(NamedTuple):
    """A transaction set of any type, kept as its segments (ST and SE excluded)."""

    header: SetHeader
    segments: tuple[Segment, ...]


class _RawSetReader:
    def __init__(self, header: SetHeader, keep_segments: bool) -> None:
        self.header = header
        self.keep_segments = keep_segments
        self.segments: list[Segment] = []

    def feed(self, first_position: int, segments: list[list[str]]) -> None:
        if self.keep_segments:
            self.segments.extend(map(make_segment, zip(count(first_position), segments)))

    def finish(self, end_position: int) -> RawSet:
        return RawSet(self.header, tuple(self.segments))


def read_interchanges(
    source: Source, *, keep_segments: bool = True, lenient_isa: bool = False
) -> EnvelopeReading[RawSet]:
    """Read the interchanges of ``source`` with the envelope checks, keeping each set's segments.

    This reads any transaction set type (999 acknowledgments included) without interpreting
    it; ``parse_834`` and ``parse_820`` read their sets into typed records instead. Without
    ``keep_segments`` only the envelope is checked and the sets come back empty, which is
    the fastest complete pass over a file.
    """

    def open_set(header: SetHeader, context: SetContext) -> _RawSetReader:
        return _RawSetReader(header, keep_segments)

    return read_envelope(source, ANY_TRANSACTION_SET, open_set, lenient_isa=lenient_isa)
