"""Render one report per country (the country profiles) in parallel, with an index page.

The parent validates the data and every country's parameters once, before any kernel starts;
the workers only execute and export. One failing profile does not stop the others: each
outcome is collected, the index page shows what was written, and the caller exits 1 when
anything failed.

:func:`run_job` is the one place a single report is rendered -- ``python -m briefing render``
uses it too -- so a profile rendered in the batch is the same file as one rendered alone.
"""

from __future__ import annotations

import html
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from . import paths
from .errors import BriefingError, ParameterError
from .fonts import embed_page_fonts
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


def run_job(job: Job, km=None, on_executed=None) -> list[Path]:
    """Execute and export one report; ``km`` is an optional pre-started kernel manager,
    ``on_executed`` what to call once its cells have run."""
    from .render import CELL_TIMEOUT, render

    return render(job.notebook, job.parameters, job.out_dir, stem=job.stem,
                  formats=job.formats, title=job.title, km=km, on_executed=on_executed,
                  register=job.register, cell_timeout=job.cell_timeout or CELL_TIMEOUT)


def ensure_writable(out_dir: Path, flag: str = "--out") -> Path:
    """Create ``out_dir`` and prove a file can be written there; ParameterError if not."""
    out_dir = Path(out_dir)
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
    """Worker entry point: never raises, so one failure cannot stop the pool."""
    from .kernels import worker_kernel

    start = time.perf_counter()
    try:
        with worker_kernel(job.notebook) as km:  # a warm kernel, reused and reset per job
            written = run_job(job, km=km)
    except BriefingError as exc:
        return Outcome(job, error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # an unexpected failure of one profile is still one failure
        return Outcome(job, error=f"{type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - start)
    return Outcome(job, written=written, seconds=time.perf_counter() - start)


def run_jobs(jobs: list[Job], workers: int, progress: bool = True,
             outcomes: list[Outcome] | None = None,
             kernel_files: dict[str, bytes] | None = None) -> list[Outcome]:
    """Render ``jobs`` on ``workers`` processes with a progress bar on stderr. Outcomes are
    appended to ``outcomes`` as they come, so an interrupted batch still knows what it did.
    ``kernel_files`` are handed to every kernel (the validated data, :mod:`briefing.handoff`).
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm import tqdm

    outcomes = [] if outcomes is None else outcomes
    workers = max(1, min(workers, len(jobs)))
    bar_args = {"total": len(jobs), "desc": "profiles", "unit": "profile",
                "file": sys.stderr, "disable": None if progress else True}
    from .kernels import close_worker

    notebooks = sorted({str(job.notebook) for job in jobs})
    if workers == 1:
        _init_worker(notebooks, jobs[0].formats, kernel_files)
        try:
            with tqdm(**bar_args) as bar:
                for job in jobs:
                    outcomes.append(_report(_work(job), bar))
        finally:
            close_worker()
        return outcomes
    import multiprocessing

    # spawn: a fresh interpreter per worker (no fork of a process with threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_init_worker,
                             initargs=(notebooks, jobs[0].formats, kernel_files)) as pool:
        futures = {pool.submit(_work, job): job for job in jobs}
        with tqdm(**bar_args) as bar:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker process died (killed, out of memory)
                    outcome = Outcome(futures[future], error=f"the worker process died "
                                      f"({type(exc).__name__}: {exc})")
                outcomes.append(_report(outcome, bar))
    order = {job.stem: i for i, job in enumerate(jobs)}  # workers return copies of jobs
    outcomes.sort(key=lambda o: order[o.job.stem])
    return outcomes


def _init_worker(notebooks: list[str], formats: tuple[str, ...],
                 kernel_files: dict[str, bytes] | None = None) -> None:
    """A worker starts its warm kernel first, then imports the exporters meanwhile."""
    from .kernels import init_worker
    from .render import preload

    init_worker(notebooks, files=kernel_files)
    preload(formats)


def _report(outcome: Outcome, bar) -> Outcome:
    if outcome.error:
        first = outcome.error.splitlines()[0]
        bar.write(f"failed: {outcome.job.label}: {first}", file=sys.stderr)
    bar.update(1)
    return outcome


# ---------------------------------------------------------------------------------------
# The index page
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StateFacts:
    """What the index says of one state, as its profile does: its statuses on the day shown
    ((organisation, status, other statuses held) each), its border with the subject country
    ((status, length in km or None), None when the data has no row) and how many of the
    article's claims name it."""

    statuses: tuple[tuple[str, str, tuple[str, ...]], ...]
    border: tuple[str, float | None] | None
    is_subject: bool
    n_naming: int


@dataclass(frozen=True)
class IndexFacts:
    """The facts of the index's columns: the day the statuses are shown for (the article's,
    or the as-of date's), the subject country, the number of claims and each state's facts."""

    day: str
    from_article: bool
    subject_name: str
    n_claims: int
    states: dict[str, StateFacts]


def index_facts(validated: Validated, as_of: str | None = None) -> IndexFacts:
    """Each state's statuses, border and claim count, from the view the profiles compute
    (the same functions, run once for all states: no notebook runs again)."""
    from . import analysis
    from .load import from_validated
    from .schema import C

    ds = from_validated(validated)
    view = analysis.build_view(ds.tables, ds.meta, None, analysis.ALL_STATUSES, as_of or None,
                               None, ds.article)
    t = view.tables
    on_day = analysis.membership(t["members"], view.timeline, view.as_of, analysis.ALL_STATUSES,
                                 None, article_date=view.article_date,
                                 qualifications=t["qualifications"])  # as profile_facts
    statuses: dict[str, list] = {}
    for row in on_day.to_dict("records"):
        # a member whose participation is frozen is still a member: not said twice
        implied = {row[C.STATUS], "member" if row[C.STATUS] == "participation_frozen" else ""}
        others = tuple(s for s in row["statuses_held"] if s not in implied)
        statuses.setdefault(row[C.COUNTRY_CODE], []).append(
            (row[C.ORGANISATION], row[C.STATUS], others))
    borders = {}
    for row in view.borders.to_dict("records"):
        km = row[C.LENGTH_KM]
        known = km is not None and not math.isnan(km)
        borders[row[C.COUNTRY_CODE]] = (row[C.BORDER_STATUS], float(km) if known else None)
    states = {code: StateFacts(statuses=tuple(statuses.get(code, ())),
                               border=borders.get(code), is_subject=code == view.subject,
                               n_naming=len(analysis.claims_mentioning(view.all_claims, code)))
              for code in view.country_names}
    return IndexFacts(day=analysis.words.day(view.date_shown), from_article=view.as_of is None,
                      subject_name=analysis.words.the_country(view.subject_name),
                      n_claims=len(view.all_claims), states=states)


INDEX_CSS = """
body { font: 16px/1.5 "Briefing Sans", sans-serif; color: #1a1a1a;
       max-width: 68rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
p.source { color: #555; margin-top: 0; }
p.notes { color: #555; font-size: .9rem; max-width: 48rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: #555; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem;
         border-bottom: 1px solid #ddd; }
thead th { border-bottom: 2px solid #999; vertical-align: bottom; }
td.num, th.num { text-align: right; }
.code, .none { color: #555; }
.code { font-weight: 400; font-size: .85em; margin-left: .3em; }
ul.statuses, ul.files { list-style: none; margin: 0; padding: 0; }
ul.files { display: flex; flex-wrap: wrap; gap: 0 .9rem; }
ul.files li { white-space: nowrap; }
td.failed { color: #a40000; }
a { color: #0b4f8a; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 40rem) {
  body { margin: 1rem auto; }
  /* one card a state, each value beside its column's name: nothing scrolls sideways */
  table, caption, tbody, tr, tbody th, td { display: block; }
  thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
          clip-path: inset(50%); }
  tr { border: 1px solid #ddd; border-radius: 2px; margin: 0 0 .6rem; padding: .2rem .6rem; }
  tbody th, td { border: 0; padding: .2rem 0; }
  td[data-label] { display: grid; grid-template-columns: 7rem 1fr; column-gap: .6rem; }
  td[data-label]::before { content: attr(data-label); font-size: .8rem; font-weight: 600;
                           color: #555; padding-top: .15rem; }
  td.num { text-align: left; }
}
"""

#: The files of a profile the index links, in the order shown: (extension, link text).
PROFILE_FILES = (("html", "HTML"), ("pdf", "PDF"), ("ipynb", "Notebook"),
                 ("claims_register.csv", "Claims (CSV)"))
BORDER_WORDS = {"recognised": "Yes", "claimed": "Claimed, not de facto", "none": "No"}


def _statuses_cell(facts: StateFacts | None) -> str:
    from .analysis.words import lower_label

    if facts is None or not facts.statuses:
        return '<span class="none">none</span>'
    items = []
    for org, status, others in facts.statuses:
        also = f" (also {', '.join(lower_label(s) for s in others)})" if others else ""
        items.append(f"<li>{html.escape(org)}: {html.escape(lower_label(status) + also)}</li>")
    return f'<ul class="statuses">{"".join(items)}</ul>'


def _border_cell(facts: StateFacts | None) -> str:
    if facts is not None and facts.is_subject:
        return "The subject country"
    if facts is None or facts.border is None:
        return '<span class="none">not in the data</span>'
    status, km = facts.border
    words = BORDER_WORDS.get(status, status)
    return html.escape(f"{words}, {km:,.0f} km" if status == "recognised" and km else words)


def _files_cell(code: str, name: str, out_dir: Path, error: str | None,
                rendered: bool) -> str | None:
    """The cell linking a profile's files (name: escaped); None when it has none here."""
    if error:
        first = html.escape(error.splitlines()[0])
        return f'<td class="failed" data-label="Files">failed: {first}</td>'
    links = [f'<li><a href="{html.escape(quote(code))}.{ext}">{text}'
             f'<span class="visually-hidden"> of {name}</span></a></li>'
             for ext, text in PROFILE_FILES if (out_dir / f"{code}.{ext}").exists()]
    if links:
        return f'<td data-label="Files"><ul class="files">{"".join(links)}</ul></td>'
    return '<td data-label="Files">written (no file to link)</td>' if rendered else None


def _same_data_briefing(out_dir: Path, validated: Validated) -> list[tuple[str, str]]:
    """(address, text) of the main briefing's files in the folder above ``out_dir`` (where
    ``render`` writes it when ``batch`` writes to reports/profiles/), if that briefing was
    built from the same data: its reproducibility annex lists every data file's SHA-256."""
    folder = out_dir.parent
    page = folder / "briefing.html"
    digests = set(validated.checksums.values())
    try:
        text = page.read_text(encoding="utf-8") if digests and page.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []
    if not text or not all(d in text for d in digests):
        return []
    return [("../briefing.html", "HTML")] + [
        (f"../{name}", label) for name, label in
        (("briefing.pdf", "PDF"), ("claims_register.csv", "claims register (CSV)"))
        if (folder / name).is_file()]


def index_html(outcomes: list[Outcome], validated: Validated, out_dir: Path,
               parameters: dict, facts: IndexFacts | None = None) -> str:
    """A self-contained page listing every profile in ``out_dir`` (no external URL): each
    state's statuses, border and claims (``facts``, when given) and links to its files,
    and the briefing built from the same data when it is in the folder above."""
    from .analysis.words import day

    esc = html.escape
    names = validated.country_names
    meta = validated.meta
    failed = {o.job.stem: o.error for o in outcomes if o.error}
    rendered = {o.job.stem for o in outcomes}
    rows, missing = [], 0
    for code in sorted(names, key=lambda c: names[c].casefold()):
        name = esc(names[code])
        files = _files_cell(code, name, out_dir, failed.get(code), code in rendered)
        if files is None:
            missing += 1
            continue
        cells = [f'<th scope="row">{name}<span class="code">{esc(code)}</span></th>']
        if facts is not None:
            state = facts.states.get(code)
            cells += [f'<td data-label="Statuses">{_statuses_cell(state)}</td>',
                      f'<td data-label="Borders {esc(facts.subject_name)}">'
                      f"{_border_cell(state)}</td>",
                      f'<td class="num" data-label="Claims naming it">'
                      f"{state.n_naming if state is not None else '—'}</td>"]
        rows.append(f"<tr>{''.join(cells)}{files}</tr>")
    heads = ['<th scope="col">State</th>']
    notes = ""
    if facts is not None:
        subject = esc(facts.subject_name)
        heads += [f'<th scope="col">Statuses on {esc(facts.day)}</th>',
                  f'<th scope="col">Borders {subject}</th>',
                  '<th scope="col" class="num">Claims naming it</th>']
        when = "the article's date" if facts.from_article else "from the reference timeline"
        notes = ('<p class="notes">Statuses: the state\'s status in each organisation on '
                 f"{esc(facts.day)} ({esc(when)}), as its profile gives them. Borders "
                 f"{subject}: a recognised land border and its length, a claimed one, or "
                 f"none. Claims naming it: of the article's {facts.n_claims} claims.</p>")
    heads.append('<th scope="col">Files</th>')
    shown = ", ".join(f"{esc(k)} = {esc(str(v))}" for k, v in sorted(parameters.items()))
    published = day(meta.get("published")) or meta.get("published")
    where = ", ".join(esc(v) for v in (meta.get("outlet"), published) if v)
    source = f"From <cite>{esc(meta.get('title', ''))}</cite>" + (f", {where}." if where else ".")
    language = esc(meta.get("language", "en") or "en")
    ok = sum(1 for o in outcomes if not o.error)
    summary = f"{ok} of {len(outcomes)} profiles rendered in this run"
    summary += f"; parameters: {shown}." if shown else "."
    if missing:
        summary += (f" {missing} other {'country' if missing == 1 else 'countries'} in the data "
                    "have no profile in this folder.")
    briefing = ", ".join(f'<a href="{esc(href)}">{text}</a>'
                         for href, text in _same_data_briefing(out_dir, validated))
    page = "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{language}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Country profiles</title>",
        f"<style>{INDEX_CSS}</style></head>",
        "<body><main>",
        "<h1>Country profiles</h1>",
        f'<p class="source">{source}</p>',
        f"<p>{summary}</p>",
        f"<p>The briefing built from the same data: {briefing}.</p>" if briefing else "",
        notes,
        "<table><caption>Profiles in this folder, by the state's name</caption>",
        f"<thead><tr>{''.join(heads)}</tr></thead>",
        "<tbody>", *rows, "</tbody></table>",
        "</main></body></html>", ""])
    return embed_page_fonts(page)


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
    ensure_writable(out_dir)
    return jobs, validated


def _origin(origins: dict, name: str) -> str:
    return f"{origins[name]}: " if name in origins else ""


def batch(notebook: str | Path, values: dict, origins: dict, countries: list[str] | None,
          out_dir: Path, formats: tuple[str, ...], workers: int,
          progress: bool = True, cell_timeout: float | None = None) -> int:
    """Render every profile; print a summary; return the exit code (0, or 1 on failures).

    The index is written whatever happens (also after Ctrl-C), from the profiles present in
    ``out_dir``, so it never links a profile that is not there or misses one that is."""
    from .output import recover, write_one

    start = time.perf_counter()
    out_dir = Path(out_dir)
    jobs, validated = plan(notebook, values, origins, countries, out_dir, formats,
                           cell_timeout)
    for warning in validated.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    recover(out_dir)
    shown = {k: v for k, v in jobs[0].parameters.items() if k != "country"} if jobs else {}
    index = out_dir / "index.html"
    outcomes: list[Outcome] = []
    from .handoff import kernel_files

    try:
        run_jobs(jobs, workers, progress=progress, outcomes=outcomes,
                 kernel_files=kernel_files(validated))
    finally:
        try:
            facts = index_facts(validated, shown.get("as_of"))
        except Exception as exc:  # the index is written whatever happens, if more plainly
            print(f"warning: the index shows no statuses, borders or claims ({exc})",
                  file=sys.stderr)
            facts = None
        write_one(index, index_html(outcomes, validated, out_dir, shown, facts))
    failures = [o for o in outcomes if o.error]
    took = time.perf_counter() - start
    print(f"rendered {len(outcomes) - len(failures)} of {len(outcomes)} profiles into "
          f"{paths.display_path(out_dir)} in {took:.1f} s; index: "
          f"{paths.display_path(index)}")
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
