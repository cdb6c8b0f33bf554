"""Prepare new families in other processes while this one writes, for large 834 files.

In one process, reading member loops, checking new families, building their rows and
comparing their amounts took more than half of a large import's CPU time, and none of it
writes. With workers, the import scans the file, keeping each member loop as text (see
``members``), forks that many processes and applies the first chunk itself. Each worker
takes every n-th later chunk and runs the same steps as the import's own loop
(``member_loop``), reading the chunk's member loops first. Where the loop would write a
batch of new families, the worker sends the batch's rows instead, with ids local to the
batch. Where the loop would apply a member on its own, the worker sends the member's
index. With each chunk it sends the findings of the loops it read, for the 999 and the
report. This process then takes the chunks in file order:

* It looks up the chunk's identifiers as the loop would (the worker sends them), so it
  checks against the rows that are in the database at that point of the import.
* It accepts a batch only if none of its member IDs, SSNs or Exchange policy ids is in
  use or claimed by then, and if it holds no families of its own waiting for a batch.
  Otherwise it applies the rest of the chunk itself, because a worker sees neither what
  this process wrote nor what the other workers claimed, and because families this process
  buffered would have shared a batch with the ones after them.
* It inserts an accepted batch with ids of its own, reserved table by table just before
  each insert, and with its own clock. A batch whose insert fails is applied one member at
  a time, as a failed batch is without workers. Members the worker sent back, those the
  834 reader rejected among them, are read and applied here, and every commit falls where it falls without workers. So the rows, ids
  included, are the ones the import without workers writes, with one exception: workers
  leave employer-group families to this process, because their payer's account may have
  to be created, and that account is created when the family is read. Without workers,
  families read before it in the same batch are written after the account; with workers,
  before it. Their rows are the same, but the account, policy and audit ids come in
  another order.

A worker that fails or stops leaves its chunks, and every chunk after them, to this
process. Workers never use the database. SQLite is not safe across a fork (its guide "How
To Corrupt An SQLite Database File", section 2.6, warns against using a connection carried
across one), and a new connection in a worker could share the lock records the fork copied
from this process. Workers keep this process's connections unused and unclosed, and take
the member IDs in use from a look-up made before the fork. This process checks every
batch again before it writes. Forking needs a POSIX system and
is unsafe in a process whose other threads may hold locks, so the command line uses workers
and the API's import jobs (which run in threads) do not.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import NamedTuple

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from premia.accounts.tables import Person
from premia.importers.enrollment.applier import Applier
from premia.importers.enrollment.bulk import BulkEnrollment, Known, PreparedBatch, existing_values
from premia.importers.enrollment.intake import MUTUALLY_DEFINED_QUALIFIER
from premia.importers.enrollment.member_loop import MemberLoop, rejected_in_batch
from premia.importers.enrollment.members import LoopFindings
from premia.importers.enrollment.payers import Payers
from premia.importers.enrollment.plans import PlanResolver

log = logging.getLogger(__name__)

# Workers pay off only when each has chunks to prepare while this process writes others.
MIN_CHUNKS_PER_WORKER = 2
# Beyond about three workers this process, which writes every row, is the one they wait for.
MAX_DEFAULT_WORKERS = 3


class ChunkPlan(NamedTuple):
    """A chunk as a worker prepared it: its identifiers to look up, and its batches and members in order."""

    first: int
    end: int
    identifiers: Known
    segments: list[PreparedBatch | int]
    # The findings of the chunk's member loops, which the worker read.
    findings: dict[int, LoopFindings]


class WorkerStopped(NamedTuple):
    """Sent by a worker that failed: the error's type and where it was raised (no values from the file)."""

    error: str
    location: str


def default_workers() -> int:
    """Return the workers the command line uses: one per CPU up to three, none on one CPU or without fork."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    cpus = os.cpu_count() or 1
    return min(cpus, MAX_DEFAULT_WORKERS) if cpus > 1 else 0


def usable_workers(requested: int, chunks: int, database: Engine) -> int:
    """Return how many of the ``requested`` workers get chunks enough to pay off (0: none).

    Each worker needs ``MIN_CHUNKS_PER_WORKER`` chunks besides the first, which this process
    applies itself.
    """
    if requested <= 0:
        return 0
    # Another connection to an in-memory SQLite database opens a new, empty one.
    if database.dialect.name == "sqlite" and database.url.database in (None, "", ":memory:"):
        return 0
    return min(requested, (chunks - 1) // MIN_CHUNKS_PER_WORKER)


def apply_with_workers(
    loop: MemberLoop, chunks: list[tuple[int, int]], workers: int, resolver: PlanResolver
) -> None:
    """Apply ``chunks`` in order, with ``workers`` processes preparing them (see the module docstring)."""
    context = multiprocessing.get_context("fork")
    started: list[tuple[BaseProcess, Connection]] = []
    first, *prepared = chunks
    known_before = _member_ids_in_use(loop)
    try:
        for number in range(workers):
            receiving, sending = context.Pipe(duplex=False)
            # The worker inherits this pipe's reading end and those of the workers before it.
            inherited = [*(earlier for _, earlier in started), receiving]
            process = context.Process(
                target=_prepare_chunks,
                args=(loop, prepared[number::workers], resolver, known_before, sending, inherited),
                name=f"premia-834-worker-{number + 1}",
                daemon=True,
            )
            process.start()
            sending.close()
            started.append((process, receiving))
        # The first chunk is applied here while the workers prepare the next ones.
        loop.apply_chunk(*first)
        _write_chunks(loop, prepared, [receiving for _, receiving in started])
    finally:
        for process, receiving in started:
            receiving.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()


def _write_chunks(loop: MemberLoop, chunks: list[tuple[int, int]], receivers: list[Connection]) -> None:
    stopped = False
    for number, (first, end) in enumerate(chunks):
        plan = None if stopped else _receive(receivers[number % len(receivers)], first)
        if plan is None:
            # From here on this process applies every chunk itself, so they stay in file order.
            stopped = True
            loop.apply_chunk(first, end)
            continue
        _apply_plan(loop, plan)


def _receive(receiver: Connection, first: int) -> ChunkPlan | None:
    try:
        message = receiver.recv()
    except (EOFError, OSError) as error:
        log.warning("834 worker stopped before chunk at member %d (%s)", first, type(error).__name__)
        return None
    if isinstance(message, WorkerStopped):
        log.warning(
            "834 worker failed before chunk at member %d (%s at %s)", first, message.error, message.location
        )
        return None
    if not isinstance(message, ChunkPlan) or message.first != first:
        log.warning(
            "834 worker sent another chunk than the one at member %d; continuing without workers", first
        )
        return None
    return message


def _apply_plan(loop: MemberLoop, plan: ChunkPlan) -> None:
    bulk = loop.bulk
    assert bulk is not None
    loop.members.read_elsewhere(plan.first, plan.end, plan.findings)
    bulk.look_up(plan.identifiers)
    for segment in plan.segments:
        if isinstance(segment, int):
            loop.step(segment, loop.read(segment))
            continue
        loop.commit_if_due(segment.first)
        if bulk.pending or not bulk.accepts(segment):
            # Families this process buffered from members the worker left to it would share a
            # batch with the ones after them. Without workers they would, so the rest of the
            # chunk is applied here, as it is when the worker's view was out of date.
            _apply_rest(loop, segment.first, plan.end)
            break
        loop.applier.finish_family()
        if not bulk.write_prepared(segment):
            _replay(loop, segment)
    loop.finish_chunk()
    loop.members.release(plan.first, plan.end)


def _replay(loop: MemberLoop, batch: PreparedBatch) -> None:
    """Apply a batch whose insert failed one member at a time, as a failed batch is applied without workers."""
    applier = loop.applier
    for index in range(batch.first, batch.end):
        member, info = loop.members[index]
        applier.start_family(loop.keys[index])
        applier.apply(member, info, loop.read(index))
    applier.finish_family()


def _apply_rest(loop: MemberLoop, first: int, end: int) -> None:
    """Apply the members from ``first`` to the chunk's ``end`` here, as the import without workers does."""
    for index in range(first, end):
        loop.step(index, loop.read(index))


# The worker ---------------------------------------------------------------------------------


def _member_ids_in_use(loop: MemberLoop) -> Known:
    """Return which member IDs the file names are in use, for workers, which never use the database.

    The SSNs and Exchange policy ids in use are left out: workers cannot compute SSN indexes
    for the whole file in advance, and this process checks every batch's member IDs, SSNs
    and Exchange policy ids again before it writes.
    """
    named = set()
    for head, key in zip(loop.members.heads, loop.keys, strict=True):
        named.add(key.subscriber_id)
        if key.member_reference:
            named.add(key.member_reference)
        if head.name_qualifier == MUTUALLY_DEFINED_QUALIFIER and head.name_id.strip():
            named.add(head.name_id.strip())
    session = loop.run.ctx.session
    return Known(member_ids=existing_values(session, Person.member_id, named))


def _prepare_chunks(
    loop: MemberLoop,
    chunks: list[tuple[int, int]],
    resolver: PlanResolver,
    known_before: Known,
    sending: Connection,
    inherited: list[Connection],
) -> None:
    """Prepare ``chunks`` and send each plan, in a forked process that never uses the database."""
    # Ctrl-C reaches the whole process group: the writing process stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Only the writing process reads the pipes. Once it is killed, a send fails and the worker
    # exits. A worker that still held a reading end would block on a full pipe instead.
    for receiving in inherited:
        receiving.close()
    run = loop.run
    dialect = run.ctx.session.get_bind().dialect
    try:
        # A session bound to nothing: any statement a worker sent by mistake would fail here,
        # stop the worker, and leave its chunks to the writing process.
        ctx = replace(run.ctx, session=Session())
        worker_run = replace(run, ctx=ctx, payers=Payers(ctx, run.catalog, run.report))
        applier = Applier(worker_run, resolver, as_of=run.as_of)
        bulk = BulkEnrollment(
            worker_run, resolver, applier, prepare_only=True, dialect=dialect, known_before=known_before
        )
        worker_loop = MemberLoop(worker_run, loop.row, loop.members, loop.keys, applier, bulk, loop.commits)
        for first, end in chunks:
            sending.send(_prepare_chunk(worker_loop, bulk, first, end))
    except Exception as error:  # noqa: BLE001 - reported to the writing process, which goes on alone
        _report_stop(sending, error)
    finally:
        sending.close()


def _prepare_chunk(loop: MemberLoop, bulk: BulkEnrollment, first: int, end: int) -> ChunkPlan:
    intakes = [loop.read(index) for index in range(first, end)]
    # The chunk's records live until its plan is sent, and each collection would walk them
    # again, so they are left out of collections (about 0.2 s of 8.3 at 100,000 members in
    # two runs each way). Any garbage frozen with them goes when the worker exits.
    gc.freeze()
    identifiers = bulk.prefetch(intakes)
    segments: list[PreparedBatch | int] = []
    for index, intake in zip(range(first, end), intakes, strict=True):
        if index in loop.commits:
            bulk.flush()
        if not bulk.pending:
            bulk.pending_first = index
        member, info = loop.members[index]
        if rejected_in_batch(bulk, loop.keys[index], intake):
            # Reported by the writing process before the family's batch, as without workers.
            segments.append(index)
            continue
        if bulk.offer(member, info, intake, starts=loop.keys[index].starts):
            continue
        bulk.flush()
        segments.extend(_taken_batches(bulk))
        segments.append(index)
    bulk.flush()
    segments.extend(_taken_batches(bulk))
    loop.members.release(first, end)
    return ChunkPlan(first, end, identifiers, segments, loop.members.findings_between(first, end))


def _taken_batches(bulk: BulkEnrollment) -> list[PreparedBatch]:
    batches, bulk.prepared = bulk.prepared, []
    return batches


def _report_stop(sending: Connection, error: Exception) -> None:
    if isinstance(error, OSError):
        # The writing process closed the pipe: it stopped, or went on without this worker.
        return
    try:
        sending.send(WorkerStopped(type(error).__name__, _location(error)))
    except OSError:
        return


def _location(error: BaseException) -> str:
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return "unknown"
    return f"{os.path.basename(frame.tb_frame.f_code.co_filename)}:{frame.tb_lineno}"
