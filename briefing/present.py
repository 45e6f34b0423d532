"""The notebooks' toolkit: one Jinja2 template per section, numbered figures and tables,
links to the evidence.

A section is a template in ``briefing/templates/sections/`` (autoescaped: text from the data
is always shown as text) fed by the facts :mod:`briefing.analysis` computed::

    display(doc.section("money", analysis.money_facts(view)))

The template writes the prose and calls the figure and table macros of ``_macros.html.j2``;
this module numbers figures and tables in the order they are first referred to ("Figure 3"
stays right whichever figures a parameter set shows), remembers every evidence id cited so
that the sources table lists exactly those, and turns a matplotlib figure into an inline
image. Nothing here reads or writes files other than the templates.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as html_lib
import importlib.metadata
import platform
import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd

from . import analysis, charts, paths
from .analysis import words
from .schema import ENUM_DOCS, TABLES, C

try:  # IPython is present in every kernel; keep the module importable without it.
    from IPython.display import HTML
except ImportError:  # pragma: no cover
    class HTML(str):  # type: ignore[no-redef]
        @property
        def data(self) -> str:
            return str(self)

SECTIONS_DIR = paths.TEMPLATES_DIR / "sections"
PACKAGES = ("pandas", "matplotlib", "numpy", "papermill", "nbconvert", "weasyprint",
            "pycountry")
METADATA_MIMETYPE = "application/vnd.briefing.metadata+json"
#: The smallest text a chart may show, in CSS pixels, however narrow the screen: a chart
#: gets a minimum width that keeps its smallest text this size, and scrolls in its box.
MIN_CHART_TEXT_PX = 8.0


def markup(obj) -> str:
    """The HTML text of an object returned by this module."""
    return obj.data if hasattr(obj, "data") else str(obj)


@dataclass
class Svg:
    """A chart ready for an ``<img>``: data URL, size and the minimum width in CSS pixels
    at which its smallest text is still MIN_CHART_TEXT_PX."""

    src: str
    width: float
    height: float
    min_width: int


@dataclass
class Report:
    """Numbers figures and tables, collects the evidence ids cited, renders sections of
    the briefing on ``view``."""

    view: analysis.View | None = None
    max_rows: int | None = None
    figure_numbers: dict[str, int] = field(default_factory=dict)
    table_numbers: dict[str, int] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)

    # -- numbering and citing -----------------------------------------------------------

    def figure_number(self, key: str) -> int:
        """The number of figure ``key``, reserved on first mention."""
        return self.figure_numbers.setdefault(key, len(self.figure_numbers) + 1)

    def table_number(self, key: str) -> int:
        """The number of table ``key``, reserved on first mention."""
        return self.table_numbers.setdefault(key, len(self.table_numbers) + 1)

    def cite(self, refs: Iterable[str] | str | None) -> list[str]:
        """The evidence ids of ``refs`` (a list, or text with ids in it), sorted, each once;
        they are remembered as cited."""
        if refs is None:
            return []
        found = words.EVIDENCE_ID.findall(refs) if isinstance(refs, str) else \
            [r for ref in refs for r in analysis.items(ref)]
        ids = words.sorted_refs(found)
        self.cited.update(ids)
        return ids

    def capped(self, frame: pd.DataFrame, keep: Iterable[str] = (),
               id_column: str | None = None) -> tuple[list[dict], list[str]]:
        """(rows shown, ids left out) of a table capped at ``max_rows``; rows whose
        ``id_column`` is in ``keep`` (ids cited elsewhere) are always shown."""
        if self.max_rows is None or len(frame) <= self.max_rows:
            return frame.to_dict("records"), []
        must = frame[id_column].isin(set(keep)) if id_column is not None else \
            pd.Series(False, index=frame.index)
        shown = must | (~must & ((~must).cumsum() <= self.max_rows))
        left = [str(i) for i in frame.loc[~shown, id_column]] if id_column is not None \
            else [""] * int((~shown).sum())
        return frame[shown].to_dict("records"), left

    # -- figures ------------------------------------------------------------------------

    @staticmethod
    def svg(fig) -> Svg:
        """A matplotlib figure (closed here) or SVG text as an inline image."""
        text = fig if isinstance(fig, str) else charts.to_svg(fig)
        width, height = _svg_size(text)
        smallest = charts.smallest_text_pt(text) if not isinstance(fig, str) else 8.0
        natural = width * 96 / 72
        min_width = round(natural * MIN_CHART_TEXT_PX / (smallest * 96 / 72)) \
            if smallest else 0
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        return Svg(f"data:image/svg+xml;base64,{data}", round(natural), round(height * 96 / 72),
                   min(min_width, round(natural)))

    # -- sections -----------------------------------------------------------------------

    def section(self, name: str, facts=None, **context) -> HTML:
        """The section ``name``: ``templates/sections/<name>.html.j2`` rendered with the
        facts (``f``), the view (``v``), this report (``doc``) and any other ``context``.

        Every evidence id its text shows counts as cited, linked or not: a figure's
        description that ends "(S101)" puts S101 in the sources list."""
        template = environment().get_template(f"{name}.html.j2")
        page = template.render(doc=self, f=facts, v=self.view, **context).strip()
        self.cite(shown_text(page))
        return HTML(page)


_TAG = re.compile(r"<[^>]*>")


def shown_text(page: str) -> str:
    """The text a reader sees in a section's HTML: no tags, no attribute values (an image's
    data URL may hold anything), entities decoded."""
    return html_lib.unescape(_TAG.sub(" ", page))


def _svg_size(svg: str) -> tuple[float, float]:
    """The (width, height) of an SVG in points, from its root element."""
    head = svg[svg.index("<svg"):svg.index(">", svg.index("<svg"))]
    size = []
    for name in ("width", "height"):
        match = re.search(rf'\b{name}="([\d.]+)(pt|px)?"', head)
        value = float(match.group(1)) if match else 0.0
        size.append(value * 0.75 if match and match.group(2) == "px" else value)
    return size[0], size[1]


# ---------------------------------------------------------------------------------------
# The template environment
# ---------------------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records") if frame is not None and len(frame) else []


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The sections' Jinja2 environment: autoescaped, undefined names an error, and the
    helpers a template needs to turn facts into words."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(SECTIONS_DIR)),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters.update(
        label=words.label, lower=words.lower_label, count=words.count_word,
        plural=lambda n, one, many=None: words.plural(n, one, many), how_many=words.how_many,
        names=words.join_names, the=words.the_country, possessive=words.possessive,
        day=lambda value: words.day(value).replace(" ", "\u00a0"),  # a date never breaks
        # what a money figure's label and description say: whose it is ("per the IMF"),
        # where it is held, and the curator's account after the label
        whose=analysis.amounts.per, held_where=words.held_where,
        after_label=lambda d: words.after_label(d) if isinstance(d, str) else "",
        amount=analysis.format_amount, share=analysis.share,
        items=analysis.items, records=_records, missing=_is_missing,
        cap=lambda text: text[:1].upper() + text[1:] if text else text,
        km=words.km,
        membership_column=lambda org: (org, org, "status"),
        stance_column=lambda speaker: (speaker, speaker, "stances"),
        noun=words.as_noun,
        the_article=lambda noun: ("an " if noun[:1] in "aeiou" else "a ") + noun)
    env.globals.update(charts=charts, analysis=analysis, C=C, enum_docs=ENUM_DOCS,
                       likelihood_ranges=analysis.LIKELIHOOD_RANGES, schema_tables=TABLES,
                       status_phrase=status_phrase, status_noun=status_noun,
                       status_role=status_role)
    return env


#: How a status reads in a sentence: "Tajikistan is {phrase} the CSTO".
STATUS_PHRASES = {
    "member": ("a member of", "members of"),
    "participation_frozen": ("a member, with its participation frozen, of",
                             "members, with their participation frozen, of"),
    "acceding": ("acceding to", "acceding to"),
    "observer": ("an observer of", "observers of"),
    "dialogue_partner": ("a dialogue partner of", "dialogue partners of"),
    "partner": ("a partner of", "partners of"),
}
STATUS_NOUNS = {"member": ("member", "members"), "acceding": ("acceding state",
                                                              "acceding states"),
                "observer": ("observer", "observers"),
                "dialogue_partner": ("dialogue partner", "dialogue partners"),
                "partner": ("partner", "partners"),
                "participation_frozen": ("member with its participation frozen",
                                         "members with their participation frozen")}


def status_phrase(status: str, n: int = 1) -> str:
    """``member`` -> ``a member of`` (or ``members of`` for several)."""
    one, many = STATUS_PHRASES.get(status, (f"{words.lower_label(status)} of",) * 2)
    return one if n == 1 else many


def status_role(status: str, organisation: str, n: int = 1) -> str:
    """A status in an organisation, for ``n`` states: "an observer of the SCO", "observers
    of the SCO", "a member of the CSTO with its participation frozen"."""
    if status == "participation_frozen":
        return (f"a member of {organisation} with its participation frozen" if n == 1 else
                f"members of {organisation} with their participation frozen")
    return f"{status_phrase(status, n)} {organisation}"


def status_noun(status: str, n: int = 2) -> str:
    """``acceding`` -> ``acceding states`` (or ``acceding state`` for one)."""
    one, many = STATUS_NOUNS.get(status, (words.lower_label(status),) * 2)
    return one if n == 1 else many


# ---------------------------------------------------------------------------------------
# What the document says about itself, and how to rebuild it
# ---------------------------------------------------------------------------------------


def document_metadata(v: analysis.View, title: str, author: str = "",
                      kind: str = "Briefing", profile: analysis.Profile | None = None) -> dict:
    """Title, author, description and keywords for the PDF and HTML metadata, as a bundle
    the notebook displays raw (the renderer reads it; it is never shown). A country
    profile (``profile``: its facts) is described by what it shows of its state."""
    meta = v.meta
    # the outlet and the date where the data gives them: an undated article has no ", )"
    where = ", ".join(p for p in (meta.get("outlet") or "", words.day(meta.get("published")))
                      if p)
    source = f"“{meta.get('title', '')}”" + (f" ({where})" if where else "")
    if profile is None:
        desc = (f"{kind} on {source}: key judgements, membership of "
                f"{words.join_names(v.organisations)}, money, positions and what the "
                "reference sources say.")
    else:
        desc = f"{kind} of {words.the_country(profile.name)}, from {source} and the " \
            f"reference sources: {words.join_names(profile_contents(v, profile))}."
    keywords = [*v.organisations, v.subject_name, meta.get("outlet", ""), kind.lower()]
    if v.focus_name:
        keywords.append(v.focus_name)
    return {METADATA_MIMETYPE: {"title": title, "author": author, "description": desc,
                                "keywords": list(dict.fromkeys(k for k in keywords if k)),
                                "language": meta.get("language", "en") or "en"}}


def profile_contents(v: analysis.View, profile: analysis.Profile) -> list[str]:
    """What a country profile shows of its state, in the order it shows it (the sections
    the notebook leaves out when empty are not named)."""
    orgs = words.join_names(v.organisation_words)
    parts = [f"its statuses in {orgs}" + (" over time" if len(profile.timeline) else "")]
    if not profile.is_subject and v.subject_name:
        parts.append(f"its border with {words.the_country(v.subject_name)}")
    if profile.n_naming:
        parts.append(f"the article's {words.plural(profile.n_naming, 'claim')} that "
                     f"{words.plural(profile.n_naming, 'names', 'name')} it")
    if len(profile.money):
        parts.append(f"the money {words.plural(len(profile.money), 'figure')} that "
                     f"{words.plural(len(profile.money), 'involves', 'involve')} it")
    return parts


#: The shell variable the rebuild command reads a data folder outside the project from:
#: the report never prints an absolute path (its bytes would depend on where the folder
#: lies), so the reproducibility section says in words what the variable must hold.
DATA_DIR_VARIABLE = "DATA_DIR"


def outside_folder(path: Path | str | None) -> str | None:
    """The name of the data folder ``path`` when it lies outside the project, else None."""
    if not path:
        return None
    text = paths.display_path(path)
    return Path(text).name if Path(text).is_absolute() else None


def shown_path(path: Path | str) -> str:
    """A data folder as the report may show it: relative to the project, never absolute."""
    outside = outside_folder(path)
    return paths.display_path(path) if outside is None else f"{outside} (outside the project)"


def parameter_value(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Path):
        return shown_path(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def parameters(params) -> list[tuple[str, str, str]]:
    """(name, value as run, help) of every declared parameter, in declaration order."""
    out = []
    for name, d in (getattr(params, "declarations", {}) or {}).items():
        value = params[name] if name in params else d.default
        out.append((name, parameter_value(value), d.help))
    return out


def rebuild_command(params, notebook: str = "briefing") -> str:
    """The command that renders this report again, where it is: the output options given
    (:func:`output_options`) and only the values that differ from the defaults (a profile
    always names its country)."""
    bits = []
    if params is not None and hasattr(params, "injectable"):
        declared = getattr(params, "declarations", {}) or {}
        for k, val in params.injectable().items():
            raw = params.given.get(k)
            if k in declared and raw == declared[k].default and k != "country":
                continue
            val = ",".join(str(x) for x in val) if isinstance(val, list) else str(val)
            if k == "data_dir":
                if outside_folder(val) is not None:  # its path is left out: a variable
                    bits.append(f'-p data_dir "${DATA_DIR_VARIABLE}"')
                    continue
                val = shown_path(val)
                if val == shown_path(paths.DATA_DIR):
                    continue
            bits.append(f"-p {k} {shlex.quote(val)}")
    nb = "" if notebook == "briefing" else f"--notebook {notebook} "
    options, _ = output_options()
    return f"python -m briefing render {nb}{' '.join(options + bits)}".rstrip()


#: The shell variable the rebuild command reads an output folder outside the project from
#: (as :data:`DATA_DIR_VARIABLE` for the data): the report's bytes do not depend on it.
OUT_VARIABLE = "OUT"


def output_options() -> tuple[list[str], bool]:
    """``--out`` and ``--format`` as the render that is running was given them, when not
    the defaults (:func:`briefing.params.render_options`): the folder relative to the
    project, or :data:`OUT_VARIABLE` for a folder outside it; and whether it wrote that
    variable (the folder lies outside the project: the annex says to set it)."""
    from .params import render_options

    options = render_options()
    bits = []
    outside = False
    if options.get("out"):
        out = paths.display_path(options["out"])
        outside = Path(out).is_absolute()
        bits.append(f'--out "${OUT_VARIABLE}"' if outside else f"--out {shlex.quote(out)}")
    if options.get("formats"):
        bits.append(f"--format {shlex.quote(options['formats'])}")
    return bits, outside


def build_info(params, checksums: dict[str, str], notebook: str = "briefing",
               compact: bool = False) -> dict:
    """What the reproducibility section shows: the command, the parameters, the data's
    checksums (each and combined) and the software versions. ``data_folder``: the name of
    a data folder outside the project, whose path the command takes from
    ``data_variable``; ``out_variable``: set when the report was written outside the
    project, the variable the command takes the output folder from."""
    injected = params.injectable() if hasattr(params, "injectable") else {}
    command = rebuild_command(params, notebook)
    _, out_outside = output_options()
    return {"command": command, "parameters": parameters(params),
            "checksums": checksums, "combined": combined_checksum(checksums),
            "versions": package_versions(), "compact": compact,
            "data_folder": outside_folder(injected.get("data_dir")),
            "data_variable": DATA_DIR_VARIABLE,
            "out_variable": OUT_VARIABLE if out_outside else None}


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Versions of Python, this kit and the packages that shape the output."""
    from . import __version__

    out = {"python": platform.python_version(), "briefing": __version__}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def combined_checksum(checksums: dict[str, str]) -> str:
    """One SHA-256 for a set of files: the digest of ``sha256sum``-style lines
    (``<digest>  <path>``) sorted by path, so anyone can recompute it."""
    listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()
