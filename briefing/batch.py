"""Render one report per country (the country profiles) in parallel, with an index page.

The parent validates the data and every country's parameters once, before any kernel starts;
the workers only execute and export. One failing profile does not stop the others: each
outcome is collected, the index page shows what was written, and the caller exits 1 when
anything failed. A stop (Ctrl-C, SIGTERM) cancels the queued profiles and stops the running
ones before they replace anything; the profiles replaced until then stay, and the message
says which they are (exit 130).

:func:`run_job` is the one place a single report is rendered -- ``python -m briefing render``
uses it too -- so a profile rendered in the batch is the same file as one rendered alone.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import output, paths, stop
from .errors import BriefingError, ParameterError
from .index_page import RunRecord, index_facts, index_html
from .output import Replaced
from .params import Params, check, declarations, notebook_path
from .validate import Validated


@dataclass(frozen=True)
class Job:
    """One report to render: notebook, injected parameters, where and under what name."""

    notebook: Path
    parameters: dict
    out_dir: Path
    stem: str
    title: str | None
    formats: tuple[str, ...]
    label: str = ""
    register: bytes | None = None  # the claims register, from the data validated once
    cell_timeout: float | None = None  # seconds a cell may run (None: the default)


@dataclass
class Outcome:
    job: Job
    written: list[Path] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    interrupted: bool = False  # stopped before it replaced anything


def make_job(notebook: str | Path, params: Params, out_dir: Path,
             formats: tuple[str, ...], cell_timeout: float | None = None) -> Job:
    """The job for validated ``params``: a per-country notebook is named after the country."""
    path = notebook_path(notebook)
    names = params.validated.country_names if params.validated is not None else {}
    country = params.country if "country" in params else None
    if country:
        label = names.get(country, country)
        stem, title = country, f"{label}: country profile"
        label = f"{label} ({country})"
    else:
        stem = path.stem
        title = (params.title if "title" in params else "") or None  # notebook decides
        label = stem
    register = None
    if params.validated is not None:
        from .safe_csv import claims_register_bytes

        register = claims_register_bytes(params.validated, country=country or None)
    return Job(notebook=path, parameters=params.injectable(), out_dir=Path(out_dir),
               stem=stem, title=title, formats=tuple(formats), label=label,
               register=register, cell_timeout=cell_timeout)


def run_job(job: Job, km=None, on_executed=None) -> Replaced:
    """Execute and export one report; ``km`` is an optional pre-started kernel manager,
    ``on_executed`` what to call once its cells have run."""
    from .render import CELL_TIMEOUT, render

    return render(job.notebook, job.parameters, job.out_dir, stem=job.stem,
                  formats=job.formats, title=job.title, km=km, on_executed=on_executed,
                  register=job.register, cell_timeout=job.cell_timeout or CELL_TIMEOUT)


def ensure_writable(out_dir: Path, flag: str = "--out") -> Path:
    """Create ``out_dir`` and prove a file can be written there; ParameterError if not."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"{flag} {paths.display_path(out_dir)}: is a file, not a folder "
                             "(expected a folder you can create and write to)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ParameterError(f"{flag} {paths.display_path(out_dir)}: cannot write there "
                             f"({reason}) (expected a folder you can create and write "
                             "to)") from None
    return out_dir


def _work(job: Job) -> Outcome:
    """Worker entry point: never raises, so one failure cannot stop the pool. A stop asked
    for stops the job before it replaces anything (or, once its swap began, after it)."""
    import logging

    from .kernels import worker_kernel

    if stop.stop_requested():
        return Outcome(job, interrupted=True)
    start = time.perf_counter()
    replaced = None
    try:
        with stop.stops_raised(), worker_kernel(job.notebook) as km:  # warm, reset per job
            replaced = run_job(job, km=km)
    except KeyboardInterrupt:
        # nbclient's pending tasks die with the job; asyncio would print their tracebacks
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        if replaced is None:
            return Outcome(job, interrupted=True, seconds=time.perf_counter() - start)
    except BriefingError as exc:
        return Outcome(job, error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # an unexpected failure of one profile is still one failure
        return Outcome(job, error=f"{type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - start)
    return Outcome(job, written=replaced.written, seconds=time.perf_counter() - start)


#: How often the parent looks for a stop asked for while its workers render (seconds).
STOP_POLL = 0.1
#: How long running profiles may take to stop once asked before their workers are killed.
STOP_GRACE = 30.0


def run_jobs(jobs: list[Job], workers: int, progress: bool = True,
             outcomes: list[Outcome] | None = None,
             kernel_files: dict[str, bytes] | None = None) -> list[Outcome]:
    """Render ``jobs`` on ``workers`` processes with a progress bar on stderr. Outcomes are
    appended to ``outcomes`` as they come, so an interrupted batch still knows what it did.
    ``kernel_files`` are handed to every kernel (the validated data, :mod:`briefing.handoff`).

    A stop asked for (:func:`briefing.stop.stop_requested`) ends the run: queued jobs
    are cancelled, running ones stop before they replace anything (their outcomes are
    marked ``interrupted``), and the workers exit with their kernels shut down.
    """
    from .kernels import close_worker

    outcomes = [] if outcomes is None else outcomes
    workers = max(1, min(workers, len(jobs)))
    notebooks = sorted({str(job.notebook) for job in jobs})
    with stop.stops_held(), _bar(len(jobs), progress) as bar:  # a stop: checked here
        if workers == 1:
            _prepare_worker(notebooks, jobs[0].formats, kernel_files)
            try:
                for job in jobs:
                    if stop.stop_requested():
                        break
                    outcomes.append(_report(_work(job), bar))
            finally:
                close_worker()
        else:
            _run_pool(jobs, workers, (notebooks, jobs[0].formats, kernel_files), outcomes,
                      bar)
    order = {job.stem: i for i, job in enumerate(jobs)}  # workers return copies of jobs
    outcomes.sort(key=lambda o: order[o.job.stem])
    return outcomes


def _bar(total: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="profiles", unit="profile", file=sys.stderr,
                disable=None if progress else True)


def _run_pool(jobs: list[Job], workers: int, initargs: tuple, outcomes: list[Outcome],
              bar) -> None:
    """The jobs on a pool of spawned worker processes (no fork of a process with threads),
    watching for a stop between their results."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                               initargs=initargs,
                               mp_context=multiprocessing.get_context("spawn"))
    futures = {}
    try:
        with stop.stop_signals_blocked():  # each worker starts with them blocked
            for job in jobs:
                futures[pool.submit(_work, job)] = job
        pending = set(futures)
        while pending and not stop.stop_requested():
            done, pending = wait(pending, timeout=STOP_POLL, return_when=FIRST_COMPLETED)
            for future in done:
                outcomes.append(_report(_outcome(future, futures[future]), bar))
        if pending:
            # queued jobs are cancelled; running ones get SIGTERM, which their worker turns
            # into a stop before the swap (the terminal's Ctrl-C reached them already)
            pool.shutdown(wait=False, cancel_futures=True)
            for process in multiprocessing.active_children():
                process.terminate()
            # done() also counts a cancelled job (wait() waits for those until its timeout)
            deadline = time.monotonic() + STOP_GRACE
            while not all(f.done() for f in pending) and time.monotonic() < deadline:
                time.sleep(STOP_POLL)
            if not all(f.done() for f in pending):
                for process in multiprocessing.active_children():
                    process.kill()
            pool.shutdown(wait=True)
            outcomes.extend(_outcome(future, futures[future], stopping=True)
                            for future in pending if not future.cancelled())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future, job: Job, stopping: bool = False) -> Outcome:
    try:
        return future.result()
    except Exception as exc:  # a worker process died (killed, out of memory)
        if stopping:
            return Outcome(job, interrupted=True)
        return Outcome(job, error=f"the worker process died ({type(exc).__name__}: {exc})")


def _init_worker(notebooks: list[str], formats: tuple[str, ...],
                 kernel_files: dict[str, bytes] | None = None) -> None:
    """A pool worker: stop signals handled (raised inside a job only), then its kernel."""
    stop.handle_stops_in_worker()
    if not stop.stop_requested():
        _prepare_worker(notebooks, formats, kernel_files)


def _prepare_worker(notebooks: list[str], formats: tuple[str, ...],
                    kernel_files: dict[str, bytes] | None = None) -> None:
    """A worker starts its warm kernel first, then imports the exporters meanwhile."""
    from .kernels import init_worker
    from .render import preload

    init_worker(notebooks, files=kernel_files)
    preload(formats)


def _report(outcome: Outcome, bar) -> Outcome:
    if outcome.interrupted:
        return outcome
    if outcome.error:
        first = outcome.error.splitlines()[0]
        bar.write(f"failed: {outcome.job.label}: {first}", file=sys.stderr)
    bar.update(1)
    return outcome


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


def plan(notebook: str | Path, values: dict, origins: dict, countries: list[str] | None,
         out_dir: Path, formats: tuple[str, ...], cell_timeout: float | None = None
         ) -> tuple[list[Job], Validated]:
    """Validate everything (data once, then every country) and return the jobs.

    Raises ParameterError/DataError before any kernel starts.
    """
    from .params import validate_data_dir

    declared = declarations(notebook)
    if "country" not in declared:
        raise ParameterError(f"{paths.display_path(notebook_path(notebook))} has no 'country' "
                             "parameter; batch renders one report per country")
    if "country" in values:
        raise ParameterError(_origin(origins, "country") + "parameter country: batch sets it "
                             "for each profile (use --countries A,B to choose them)")
    data_text = values.get("data_dir", declared["data_dir"].default
                           if "data_dir" in declared else str(paths.DATA_DIR))
    validated = validate_data_dir(str(data_text), origins.get("data_dir"))
    names = validated.country_names
    wanted = countries if countries else list(names)
    jobs, problems = [], []
    for item in wanted:
        try:
            params = check(notebook, {**values, "country": item}, dataset=validated,
                           origins={**origins, "country": "--countries"})
        except ParameterError as exc:
            problems.extend(line.strip() for line in str(exc).splitlines()
                            if not line.endswith("problems in the parameters:"))
            continue
        if any(job.stem == params.country for job in jobs):
            continue
        jobs.append(make_job(notebook, params, out_dir, formats, cell_timeout))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ParameterError(unique[0] if len(unique) == 1 else "\n".join(
            [f"{len(unique)} problems in the parameters:", *(f"  {p}" for p in unique)]))
    from .render import output_names

    written = [name for job in jobs for name in (*output_names(job.stem, formats).values(),
                                                 f"{job.stem}.failed.ipynb")]
    output.refuse_inputs_as_outputs(out_dir, ["index.html", *written],
                                    notebook_path(notebook), validated.data_dir)
    ensure_writable(out_dir)
    return jobs, validated


def _origin(origins: dict, name: str) -> str:
    return f"{origins[name]}: " if name in origins else ""


def batch(notebook: str | Path, values: dict, origins: dict, countries: list[str] | None,
          out_dir: Path, formats: tuple[str, ...], workers: int,
          progress: bool = True, cell_timeout: float | None = None) -> int:
    """Render every profile; print a summary; return the exit code (0, or 1 on failures).

    The index is written whatever happens (also after Ctrl-C), from the profiles present in
    ``out_dir``, each described as it was rendered (a profile rendered with other
    parameters or data says so), so it never links a profile that is not there, misses one
    that is, or gives one the facts of another run. A stop asked for raises
    :class:`briefing.stop.Interrupted`, whose message says which profiles were replaced."""
    from .handoff import kernel_files
    from .output import recover, write_one
    from .present import combined_checksum

    start = time.perf_counter()
    out_dir = Path(out_dir)
    jobs, validated = plan(notebook, values, origins, countries, out_dir, formats,
                           cell_timeout)
    for warning in validated.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    recover(out_dir)
    shown = {k: v for k, v in jobs[0].parameters.items() if k != "country"} if jobs else {}
    run = RunRecord(shown, {name: d.default for name, d in declarations(notebook).items()},
                    combined_checksum(validated.checksums))
    index = out_dir / "index.html"
    outcomes: list[Outcome] = []
    interrupted = False
    with stop.stops_held():  # from here a stop is acted on where the code checks for it
        try:
            run_jobs(jobs, workers, progress=progress, outcomes=outcomes,
                     kernel_files=kernel_files(validated))
        except KeyboardInterrupt:  # called without stops_handled: Python's own Ctrl-C
            interrupted = True
        interrupted = interrupted or stop.stop_requested()
        finished = [o for o in outcomes if not o.interrupted]
        try:
            facts = index_facts(validated, shown.get("as_of"))
        except Exception as exc:  # the index is written whatever happens, if more plainly
            print(f"warning: the index shows no statuses, borders or claims ({exc})",
                  file=sys.stderr)
            facts = None
        write_one(index, index_html(finished, validated, out_dir, shown, facts, run=run,
                                    planned=len(jobs), interrupted=interrupted))
    failures = [o for o in finished if o.error]
    took = time.perf_counter() - start
    where = (f"{paths.display_path(out_dir)} in {took:.1f} s; index: "
             f"{paths.display_path(index)}")
    if interrupted:
        replaced = [o.job.stem for o in finished if not o.error]
        print(f"rendered {len(replaced)} of {len(jobs)} profiles into {where} (stopped)")
        raise stop.Interrupted(_stopped(jobs, replaced, [o.job.stem for o in failures]))
    print(f"rendered {len(finished) - len(failures)} of {len(finished)} profiles into {where}")
    if failures:
        print(f"error: {len(failures)} profile{'s' if len(failures) != 1 else ''} failed:",
              file=sys.stderr)
        for o in failures:
            lines = o.error.splitlines()
            print(f"  {o.job.label}: {lines[0]}", file=sys.stderr)
            for extra in lines[1:]:
                print(f"    {extra.strip()}", file=sys.stderr)
        return 1
    return 0


def _stopped(jobs: list[Job], replaced: list[str], failed: list[str]) -> str:
    """What an interrupted batch did: the profiles it replaced, and those it left."""
    left = [job.stem for job in jobs if job.stem not in replaced]
    text = (f"interrupted: {len(replaced)} of {len(jobs)} profiles "
            f"{'was' if len(replaced) == 1 else 'were'} replaced before the stop"
            + (f" ({', '.join(replaced)})" if replaced else ""))
    if len(left) == 1:
        text += f"; the other one was left as it was ({left[0]})"
    elif left:
        text += f"; the other {len(left)} were left as they were ({', '.join(left)})"
    if failed:
        text += f", {len(failed)} of them after failing ({', '.join(failed)})"
    return text
