"""The profiles' index page: the facts it shows and its rendering.

``batch`` writes it beside the country profiles: a self-contained page (no external URL)
listing every profile in the folder with the state's statuses, border and claim count, links
to its files, and the briefing built from the same data when it is in the folder above. The
facts come from here; every word and tag is in ``templates/index/index.html.j2``.

A folder may hold profiles of earlier runs, rendered with other parameters or data (a run
for a few countries, or one stopped half-way). Each profile's executed notebook records the
parameters papermill injected and prints the data's combined SHA-256, so such a profile is
listed with what differs instead of this run's facts (:func:`rendered_otherwise`).
"""

from __future__ import annotations

import functools
import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .document import page_language
from .fonts import embed_page_fonts
from .validate import Validated

INDEX_DIR = paths.TEMPLATES_DIR / "index"
#: The files of a profile the index links, in the order shown (their words: the template's).
PROFILE_FILES = ("html", "pdf", "ipynb", "claims_register.csv")
#: The main briefing's files the index links when built from the same data, in that order.
BRIEFING_FILES = ("briefing.html", "briefing.pdf", "claims_register.csv")


@dataclass(frozen=True)
class StateFacts:
    """What the index says of one state, as its profile does."""

    statuses: tuple[tuple[str, str, tuple[str, ...]], ...]  # (organisation, status, others held)
    border: tuple[str, float | None] | None  # (status, km); None: the data has no row
    is_subject: bool
    n_naming: int  # the article's claims that name it
    #: On the article's date, as the briefing's annex marks them: the (organisation, status)
    #: pairs only the reference timeline gives, and those whose claim the sources qualify.
    from_reference: frozenset[tuple[str, str]] = frozenset()
    qualified: frozenset[tuple[str, str]] = frozenset()
    #: On an as-of date: the article's statuses in the organisations the timeline has no row
    #: for the state in, which it cannot say for that day.
    unrecorded: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IndexFacts:
    """The facts of the index's columns: the day the statuses are shown for (the article's,
    or the as-of date's), the subject country, the number of claims and each state's facts."""

    day: str
    from_article: bool
    subject_name: str
    n_claims: int
    states: dict[str, StateFacts]


@dataclass(frozen=True)
class RunRecord:
    """What a profile in the folder is compared with: this run's parameters as papermill
    injects them (the country aside), the notebook's defaults (a parameter not given is its
    default) and the data's combined SHA-256 (:func:`briefing.present.combined_checksum`,
    which every profile prints in its reproducibility section)."""

    parameters: dict
    defaults: dict
    data_digest: str


@dataclass(frozen=True)
class Otherwise:
    """How a profile was rendered where that differs from this run: ``kind`` "parameters"
    (``values``: each differing parameter's (name, value as the profile had it)), "data"
    or "unknown" (no executed notebook that says)."""

    kind: str
    values: tuple[tuple[str, str], ...] = ()


#: Parameters the index does not compare: the profile's own, and the folder the data was
#: read from (the data itself is compared, by its checksum).
NOT_COMPARED = ("country", "data_dir")


def rendered_otherwise(notebook: Path, run: RunRecord) -> Otherwise | None:
    """How the profile whose executed notebook is ``notebook`` was rendered, if not as
    ``run`` renders (None: with the same parameters, from the same data)."""
    try:
        text = notebook.read_text(encoding="utf-8")
        recorded = dict(json.loads(text)["metadata"]["papermill"]["parameters"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return Otherwise("unknown")
    if run.data_digest not in text:
        return Otherwise("data")
    mine, theirs = {**run.defaults, **run.parameters}, {**run.defaults, **recorded}
    differ = tuple((name, _shown(theirs.get(name, "")))
                   for name in sorted(set(mine) | set(theirs))
                   if name not in NOT_COMPARED and mine.get(name) != theirs.get(name))
    return Otherwise("parameters", differ) if differ else None


def _shown(value) -> str:
    """A parameter's value as the index writes it (a list as a, b; empty as empty)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def index_facts(validated: Validated, as_of: str | None = None) -> IndexFacts:
    """Each state's statuses, border and claim count, from the view the profiles compute
    (the same functions, run once for all states: no notebook runs again)."""
    from . import analysis
    from .analysis.membership import undocumented
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
    from_reference: dict[str, set] = {}
    qualified: dict[str, set] = {}
    for row in on_day.to_dict("records"):
        code = row[C.COUNTRY_CODE]
        if view.as_of is None:  # an as-of date's statuses are all the timeline's
            from_reference.setdefault(code, set()).update(
                (row[C.ORGANISATION], s) for s in row["unstated"])
        if row["flag"]:
            qualified.setdefault(code, set()).add((row[C.ORGANISATION], row[C.STATUS]))
        # a member whose participation is frozen is still a member: not said twice
        implied = {row[C.STATUS], "member" if row[C.STATUS] == "participation_frozen" else ""}
        others = tuple(s for s in row["statuses_held"] if s not in implied)
        statuses.setdefault(row[C.COUNTRY_CODE], []).append(
            (row[C.ORGANISATION], row[C.STATUS], others))
    unrecorded: dict[str, list] = {}
    if view.as_of is not None:  # the states the timeline is silent on (as the profiles)
        for row in undocumented(analysis.membership(
                t["members"], view.timeline, None, analysis.ALL_STATUSES,
                article_date=view.article_date), view.timeline).to_dict("records"):
            unrecorded.setdefault(row[C.COUNTRY_CODE], []).append(
                (row[C.ORGANISATION], row[C.STATUS]))
    borders = {}
    for row in view.borders.to_dict("records"):
        km = row[C.LENGTH_KM]
        known = km is not None and not math.isnan(km)
        borders[row[C.COUNTRY_CODE]] = (row[C.BORDER_STATUS], float(km) if known else None)
    states = {code: StateFacts(statuses=tuple(statuses.get(code, ())),
                               border=borders.get(code), is_subject=code == view.subject,
                               n_naming=len(analysis.claims_mentioning(view.all_claims, code)),
                               from_reference=frozenset(from_reference.get(code, ())),
                               qualified=frozenset(qualified.get(code, ())),
                               unrecorded=tuple(unrecorded.get(code, ())))
              for code in view.country_names}
    return IndexFacts(day=analysis.words.day(view.date_shown), from_article=view.as_of is None,
                      subject_name=analysis.words.the_country(view.subject_name),
                      n_claims=len(view.all_claims), states=states)


def _same_data_briefing(out_dir: Path, validated: Validated) -> list[str]:
    """The main briefing's files (BRIEFING_FILES) in the folder above ``out_dir`` (where
    ``render`` writes it when ``batch`` writes to reports/profiles/), if that briefing was
    built from the same data: its reproducibility annex lists every data file's SHA-256."""
    folder = out_dir.parent
    page = folder / BRIEFING_FILES[0]
    digests = set(validated.checksums.values())
    try:
        text = page.read_text(encoding="utf-8") if digests and page.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []
    if not text or not all(d in text for d in digests):
        return []
    return [BRIEFING_FILES[0]] + [name for name in BRIEFING_FILES[1:]
                                  if (folder / name).is_file()]


def index_html(outcomes: list, validated: Validated, out_dir: Path,
               parameters: dict, facts: IndexFacts | None = None,
               run: RunRecord | None = None, planned: int | None = None,
               interrupted: bool = False) -> str:
    """A self-contained page listing every profile in ``out_dir`` (no external URL): each
    state's statuses, border and claims (``facts``, when given) and links to its files,
    and the briefing built from the same data when it is in the folder above.

    ``outcomes``: the profiles this run finished (:class:`briefing.batch.Outcome`, written
    or failed), of ``planned`` (default: as many); ``interrupted``: the run was stopped.
    ``run``: compare every other profile in the folder with this run
    (:func:`rendered_otherwise`); without it, every profile is taken to be of this run's
    parameters and data."""
    rows, missing = _rows(outcomes, validated.country_names, out_dir, facts, run)
    page = _environment().get_template("index.html.j2").render(
        css=_css(), meta=validated.meta, language=page_language(validated.meta.get("language")),
        parameters=parameters, facts=facts, rows=rows,
        missing=missing, total=len(outcomes) if planned is None else planned,
        ok=sum(1 for o in outcomes if not o.error), interrupted=interrupted,
        otherwise=sum(1 for row in rows if row["otherwise"] is not None),
        briefing=_same_data_briefing(out_dir, validated))
    return embed_page_fonts(page)


def _rows(outcomes: list, names: dict[str, str], out_dir: Path,
          facts: IndexFacts | None, run: RunRecord | None = None) -> tuple[list[dict], int]:
    """The index's rows, by the state's name -- each state with a profile in ``out_dir``
    (PROFILE_FILES there) or in ``outcomes`` (its error's first line, if it failed), with
    how its profile was rendered where that differs from ``run`` -- and how many other
    states the data has."""
    failed = {o.job.stem: o.error for o in outcomes if o.error}
    rendered = {o.job.stem for o in outcomes}
    rows, missing = [], 0
    for code in sorted(names, key=lambda c: names[c].casefold()):
        files = [ext for ext in PROFILE_FILES if (out_dir / f"{code}.{ext}").exists()]
        if not files and code not in rendered:
            missing += 1
            continue
        otherwise = None
        if run is not None and code not in rendered:  # a profile of an earlier run
            otherwise = rendered_otherwise(out_dir / f"{code}.ipynb", run)
        rows.append({"code": code, "name": names[code], "files": files,
                     "error": failed[code].splitlines()[0] if code in failed else None,
                     "state": facts.states.get(code) if facts is not None else None,
                     "otherwise": otherwise})
    return rows, missing


@functools.cache
def _css():
    """The page's style sheet: the kit's own text, not data, so it is not escaped."""
    from markupsafe import Markup

    return Markup((INDEX_DIR / "index.css").read_text(encoding="utf-8"))


def _escape(value):
    """Escape as :func:`html.escape` does (``&quot;``, ``&#x27;``), the entities the page has
    always had; Jinja2's own would write ``&#34;`` and ``&#39;`` for the same characters."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) else Markup(html.escape(str(value)))


@functools.cache
def _environment():
    """The index's Jinja2 environment: autoescaped (every value through :func:`_escape`),
    undefined names an error, and the words the template needs from the profiles'."""
    import jinja2

    from .analysis.words import day, km, lower_label

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(INDEX_DIR)), autoescape=True, finalize=_escape,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters.update(day=day, lower_label=lower_label, km=km)
    return env
