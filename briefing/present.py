"""HTML fragments for the notebooks: prose, key judgements, numbered figures and tables.

Every piece of text that comes from the data goes through :func:`esc` (``html.escape``), so
a claim containing ``<script>`` shows as text and runs nothing. Each function returns an
``IPython.display.HTML`` object (or its markup, with ``markup()``) that the notebook
displays; nothing here reads or writes files.

Figures are numbered in the order they are first referred to (``doc.ref("money")`` in a
sentence before the figure reserves its number), so generated text can say "Figure 3" and
stay right whichever figures a parameter set shows.
"""

from __future__ import annotations

import base64
import html
import importlib.metadata
import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import analysis as A
from . import charts, paths
from .schema import ENUM_DOCS, TABLES, C, Table

try:  # IPython is present in every kernel; keep the module importable without it.
    from IPython.display import HTML
except ImportError:  # pragma: no cover
    class HTML(str):  # type: ignore[no-redef]
        @property
        def data(self) -> str:
            return str(self)

PACKAGES = ("pandas", "matplotlib", "numpy", "papermill", "nbconvert", "weasyprint",
            "pycountry")


def esc(value: object) -> str:
    """Text from the data, escaped for HTML (quotes too, so it is safe in attributes)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def markup(obj) -> str:
    """The HTML text of an object returned by this module."""
    return obj.data if hasattr(obj, "data") else str(obj)


def refs_html(refs: Iterable[str]) -> str:
    """``[C27, S03]`` as a small span (empty when there is no reference)."""
    text = A.refs_text(refs)
    return f' <span class="refs">[{esc(text)}]</span>' if text else ""


# ---------------------------------------------------------------------------------------
# Figures that can be drawn ahead, in another process
# ---------------------------------------------------------------------------------------

#: Figures a section draws from the view alone, by key: the one definition used both when
#: the section draws it and when it was drawn ahead (Report.draw_ahead).
FIGURES = {
    "money": lambda v: charts.money_chart(v.figures),
    "claims": lambda v: charts.claims_chart(A.claims_by_speaker(v.claims), v.claims),
}


class _DrawAhead:
    """A forked child that draws some FIGURES to SVG text and sends them down a pipe.

    Any failure (no fork, the child dies, a figure raises) only means the figure is drawn
    in this process when its section asks for it, with the same result or the same error.
    """

    #: All figures together: drawing them takes about a second; past this the child is
    #: taken for stuck and the figures are drawn here (same output, only later).
    TIMEOUT_S = 60

    def __init__(self, process, conn, keys: list[str]) -> None:
        import time

        self.process, self.conn = process, conn
        self.pending = set(keys)
        self.received: dict[str, str | None] = {}
        self.deadline = time.monotonic() + self.TIMEOUT_S

    @staticmethod
    def possible() -> bool:
        import os
        import sys

        if paths.switched_off("ahead") or sys.platform != "linux":
            return False
        return len(os.sched_getaffinity(0)) >= 2

    @classmethod
    def start(cls, v: A.View, keys: list[str]) -> _DrawAhead | None:
        import multiprocessing

        if not keys:
            return None
        try:
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_draw_in_child,
                                      args=(send, receive, v, keys, cls.TIMEOUT_S),
                                      name="briefing-draw-ahead", daemon=True)
            process.start()
            send.close()
        except Exception:
            return None
        return cls(process, receive, keys)

    def take(self, key: str) -> str | None:
        """The SVG text of ``key`` drawn ahead, or None (then draw it here)."""
        if key not in self.pending and key not in self.received:
            return None
        import time

        try:
            while key not in self.received and self.conn.poll(
                    max(0.0, self.deadline - time.monotonic())):
                got, svg = self.conn.recv()
                self.received[got] = svg
                self.pending.discard(got)
        except (EOFError, OSError):
            pass
        svg = self.received.pop(key, None)
        self.pending.discard(key)
        if not self.pending:
            self.close()
        return svg

    def close(self) -> None:
        self.pending.clear()
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


def _draw_in_child(conn, other_end, v: A.View, keys: list[str],
                   timeout: float) -> None:  # pragma: no cover - runs in the child
    import os
    import signal

    # Never outlive a kernel that died (killed, or its own parent gone): without the read
    # end the child holds too, a send to a dead kernel fails instead of blocking for ever;
    # and whatever happens, the alarm ends the child once the kernel has stopped waiting.
    other_end.close()
    signal.alarm(max(1, int(timeout)))
    try:
        for key in keys:
            try:
                svg = charts.to_svg(FIGURES[key](v))
            except Exception:
                svg = None
            conn.send((key, svg))
        conn.close()
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the kernel's streams


# ---------------------------------------------------------------------------------------
# Numbering and the document's parts
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    """Numbers figures and tables, and collects the source ids cited along the way."""

    max_rows: int | None = None
    figure_numbers: dict[str, int] = field(default_factory=dict)
    table_numbers: dict[str, int] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    _ahead: _DrawAhead | None = field(default=None, repr=False)

    def draw_ahead(self, v: A.View, keys: Sequence[str] = ("money", "claims")) -> None:
        """Start drawing the figures ``keys`` (of later sections) in a forked process, so
        that they are ready when their section asks for them while this process draws the
        earlier ones: both cores busy instead of one. The SVG is the same text either way;
        without fork, or on one core, or with ``BRIEFING_NO_WARM=ahead``, nothing happens
        and each figure is drawn when its section is shown."""
        if self._ahead is None and _DrawAhead.possible():
            self._ahead = _DrawAhead.start(v, [k for k in keys if k in FIGURES])

    def ref(self, key: str) -> str:
        """'Figure N' for ``key``, reserving the next number on first mention."""
        if key not in self.figure_numbers:
            self.figure_numbers[key] = len(self.figure_numbers) + 1
        return f"Figure {self.figure_numbers[key]}"

    def tref(self, key: str) -> str:
        """'Table N' for ``key``, reserving the next number on first mention."""
        if key not in self.table_numbers:
            self.table_numbers[key] = len(self.table_numbers) + 1
        return f"Table {self.table_numbers[key]}"

    def cite(self, refs: Iterable[str]) -> None:
        for r in refs:
            if r:
                self.cited.add(str(r))

    # -- figures ------------------------------------------------------------------------

    def figure(self, key: str, fig_or_svg, alt: str, caption: str) -> str:
        """``<figure id="fig-N">`` with the SVG inlined as a data: URL, alt text and a
        numbered caption. ``fig_or_svg`` is a matplotlib figure (closed here), SVG text, or
        a view whose figure ``key`` of FIGURES is drawn here (or was drawn ahead)."""
        if isinstance(fig_or_svg, A.View):
            drawn = self._ahead.take(key) if self._ahead is not None else None
            fig_or_svg = drawn if drawn is not None else FIGURES[key](fig_or_svg)
        svg = fig_or_svg if isinstance(fig_or_svg, str) else charts.to_svg(fig_or_svg)
        number = self.ref(key).split()[-1]
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return (f'<figure id="fig-{number}" class="figure">'
                f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}">'
                f"<figcaption><strong>Figure {number}.</strong> {esc(caption)}</figcaption>"
                "</figure>")

    # -- tables -------------------------------------------------------------------------

    def table(self, key: str, frame: pd.DataFrame, columns: dict[str, str], caption: str,
              *, html_columns: Sequence[str] = (), what: str = "rows",
              id_column: str | None = None, focus: str | None = None,
              focus_column: str = C.COUNTRY_CODE, classes: dict[str, str] | None = None,
              cap: bool = True, source: str = "") -> str:
        """A numbered ``<table class="data">`` with a caption; every cell escaped except
        the ``html_columns`` (built here from escaped parts).

        Longer than ``max_rows`` rows: the first are shown and a note says how many were
        left out and which (by ``id_column``) so the reader can find them in the data.
        """
        shown, left = A.cap(frame, self.max_rows if cap else None)
        number = self.tref(key).split()[-1]
        classes = classes or {}
        head = "".join(f'<th scope="col" class="{esc(classes.get(c, ""))}">{esc(title)}</th>'
                       for c, title in columns.items())
        body = []
        for _, row in shown.iterrows():
            is_focus = focus is not None and focus_column in row and row[focus_column] == focus
            cells = []
            for c in columns:
                value = row.get(c, "")
                text = str(value) if c in html_columns else esc(value)
                if is_focus and c == next(iter(columns)):
                    text = f"<strong>{text}</strong>"
                cells.append(f'<td class="{esc(classes.get(c, ""))}">{text}</td>')
            cls = ' class="focus"' if is_focus else ""
            body.append(f"<tr{cls}>{''.join(cells)}</tr>")
        note = ""
        if len(left):
            ids = ""
            if id_column and id_column in left.columns:
                left_ids = [str(i) for i in left[id_column]]
                ids = f" ({esc(_id_span(left_ids))})"
            note = (f'<p class="table-note">Showing {len(shown)} of {len(frame)} {esc(what)}; '
                    f"{len(left)} left out{ids} by max_table_rows = {self.max_rows}. "
                    "Raise it to show them all; the data files hold every row.</p>")
        src = f'<p class="table-source">{source}</p>' if source else ""
        return (f'<table class="data" id="table-{number}"><caption><strong>Table {number}.'
                f"</strong> {esc(caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>{note}{src}")


def _id_span(ids: Sequence[str]) -> str:
    if len(ids) <= 6:
        return ", ".join(ids)
    return f"{ids[0]} to {ids[-1]}"


def paragraph(text: str, refs: Iterable[str] = ()) -> str:
    """A prose paragraph (escaped) with its evidence ids."""
    return f"<p>{esc(text)}{refs_html(refs)}</p>"


def show(*parts: str) -> HTML:
    """Join fragments into one displayable HTML object."""
    return HTML("\n".join(p for p in parts if p))


def judgement_list(judgements: Sequence[A.Judgement], doc: Report | None = None) -> str:
    """The key judgements as a list; each bullet ends with its evidence ids."""
    if doc is not None:
        for j in judgements:
            doc.cite(j.refs)
    items = "".join(f"<li>{esc(j.text)}{refs_html(j.refs)}</li>" for j in judgements)
    return f'<ul class="key-judgements">{items}</ul>'


# ---------------------------------------------------------------------------------------
# Title block
# ---------------------------------------------------------------------------------------


def _param_value(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Path):
        return shown_path(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def shown_path(path: Path | str) -> str:
    """A data folder as the report may show it: relative to the project, never absolute."""
    text = paths.display_path(path)
    return text if not Path(text).is_absolute() else f"{Path(text).name} (outside the project)"


METADATA_MIMETYPE = "application/vnd.briefing.metadata+json"


def document_metadata(v: A.View, title: str, author: str = "", kind: str = "Briefing"
                      ) -> dict:
    """Title, author, description and keywords for the PDF and HTML metadata, as a bundle
    the notebook displays raw (the renderer reads it; it is never shown)."""
    meta = v.meta
    desc = (f"{kind} on “{meta.get('title', '')}” ({meta.get('outlet', '')}, "
            f"{meta.get('published', '')}): membership of {A.join_names(v.organisations)}, "
            "money figures, the claims register and what reference sources say.")
    keywords = [*v.organisations, v.subject_name, meta.get("outlet", ""), kind.lower()]
    if v.focus_name:
        keywords.append(v.focus_name)
    return {METADATA_MIMETYPE: {"title": title, "author": author, "description": desc,
                                "keywords": [k for k in keywords if k],
                                "language": meta.get("language", "en") or "en"}}


def _declared_values(params):
    """(name, value as run, help) for every declared parameter, in declaration order."""
    for name, d in (getattr(params, "declarations", {}) or {}).items():
        yield name, (params[name] if name in params else d.default), d.help


def parameters_summary(params) -> str:
    """The parameters in one line: ``name = value`` for each, as the reader set them."""
    if params is None:
        return ""
    bits = [f"{name} = {_param_value(value)}" for name, value, _ in _declared_values(params)
            if name not in ("title", "author")]
    return "; ".join(bits)


def title_block(v: A.View, params, title: str, author: str = "") -> HTML:
    """Title, the source article (outlet, dates), the date of the membership shown, and the
    parameters used (in full in the reproducibility section)."""
    meta = v.meta
    rep = meta.get("republished_by", "")
    source = f"{meta.get('outlet', '')}, {meta.get('published', '')}"
    if rep:
        source += f" (text as republished by {rep})"
    if v.as_of:
        shown = (f"{v.as_of.isoformat()}, from the reference membership timeline "
                 "(not the article)")
    else:
        shown = f"{meta.get('event_date', '')}, as the article states it"
    rows = [("Source article", f"“{meta.get('title', '')}” — {source}"),
            ("Membership as of", shown),
            ("Organisations", ", ".join(f"{o} ({v.organisation_names.get(o, o)})"
                                        for o in v.organisations)),
            ("Statuses counted", ", ".join(A.label(s) for s in v.statuses))]
    if v.focus:
        rows.append(("Focus country", v.focus_name or v.focus))
    rows.append(("Parameters", parameters_summary(params)))
    facts = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td>{esc(val)}</td></tr>"
                    for k, val in rows)
    author_html = f'<p class="byline">{esc(author)}</p>' if author else ""
    return show(f'<header class="title-block"><h1>{esc(title)}</h1>{author_html}'
                f'<table class="meta">{facts}</table></header>')


def parameters_table(params) -> str:
    """The parameters the briefing was run with (name, value, what it means)."""
    if params is None:
        return ""
    rows = [f"<tr><td><code>{esc(name)}</code></td><td>{esc(_param_value(value))}"
            f"</td><td>{esc(help_text)}</td></tr>"
            for name, value, help_text in _declared_values(params)]
    return ('<table class="data params"><caption>Parameters used</caption><thead><tr>'
            '<th scope="col">Parameter</th><th scope="col">Value</th>'
            '<th scope="col">Meaning</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


# ---------------------------------------------------------------------------------------
# Sections of the briefing
# ---------------------------------------------------------------------------------------


def key_judgements(doc: Report, v: A.View) -> HTML:
    return show(judgement_list(A.key_judgements(v), doc))


def _status_list(v: A.View) -> str:
    return A.join_names([A.label(s).lower() for s in v.statuses], "or")


def membership_overview(doc: Report, v: A.View) -> HTML:
    """Lead paragraph, the membership grid and the Venn (two organisations) or UpSet."""
    orgs = v.organisations
    n = len(v.matrix)
    grid_ref = doc.ref("membership-grid")
    second = "venn" if len(orgs) == 2 else "upset"
    parts = []
    both = A.in_all(v.matrix, orgs)
    when = (f"as of {v.as_of.isoformat()} (reference timeline)" if v.as_of
            else f"as the article states it ({v.meta.get('event_date', '')})")
    text = (f"{grid_ref} shows each of the {n} states counted as "
            f"{A.statuses_noun(v.statuses)} of {A.join_names(orgs, 'or')} {when}, and whether "
            f"it borders {v.subject_name}.")
    if len(orgs) >= 2:
        text += (f" {doc.ref(second)} counts the overlap: {len(both)} state"
                 f"{'s' if len(both) != 1 else ''} in "
                 f"{'both' if len(orgs) == 2 else 'all of them'}.")
    if v.focus and v.focus not in set(v.matrix[C.COUNTRY_CODE]):
        text += (f" The focus country, {v.focus_name}, is not counted in any of the "
                 "organisations shown.")
    parts.append(paragraph(text))
    if not v.unknown.empty:
        names = A.join_names(sorted(set(v.unknown[C.COUNTRY])))
        parts.append(paragraph(
            f"Not shown: {names}, whose status in the reference timeline is only known "
            f"from a date after {v.as_of.isoformat()} ('on or before' that date).",
            v.unknown[C.SOURCE_ID]))
    frozen = v.long[v.long[C.STATUS] == "participation_frozen"]
    if not frozen.empty:
        bits = A.join_names([f"{r.country} ({r.organisation})" for r in frozen.itertuples()])
        parts.append(paragraph(f"Flagged: {bits} — formally still a member, but "
                               "participation frozen by the state itself.",
                               A._evidence(frozen)))
        doc.cite(A._evidence(frozen))
    doc.cite(A._evidence(v.long))
    doc.cite(s for s in v.matrix.get("border_source", []) if s)
    fig = charts.membership_grid(v.matrix, v.long, orgs, v.subject_name, v.focus, v.as_of)
    alt = membership_alt(v)
    caption = (f"Membership of {A.join_names(orgs)} by state ({_status_list(v)}; {when}). "
               "Shapes and colours distinguish statuses; joined markers show a state in "
               f"more than one organisation; the last column is its border with "
               f"{v.subject_name} (reference layer).")
    if v.focus:
        caption += f" The focus country, {v.focus_name}, is highlighted."
    parts.append(doc.figure("membership-grid", fig, alt, caption))
    if len(orgs) == 2:
        fig2 = charts.venn2(v.overlap, orgs, v.focus_name)
        alt2 = "; ".join(f"{r.label}: {r.n} ({', '.join(r.countries)})"
                         for r in v.overlap.itertuples())
        parts.append(doc.figure(
            "venn", fig2, f"Venn diagram of two organisations. {alt2}.",
            f"The same states as a two-set Venn diagram: {A.join_names(orgs)} "
            "and the states in both."))
    elif len(orgs) > 2:
        fig2 = charts.upset(v.overlap, orgs)
        alt2 = "; ".join(f"{r.label}: {r.n}" for r in v.overlap.itertuples())
        parts.append(doc.figure(
            "upset", fig2, f"UpSet chart of state counts per combination. {alt2}.",
            "States counted by the exact combination of organisations they belong to; "
            "read a column's dots to see the combination, its bar for how many states."))
    return show(*parts)


def membership_alt(v: A.View) -> str:
    """Alt text of the membership grid: every state, its statuses and border, in words."""
    bits = []
    for _, row in v.matrix.iterrows():
        held = [f"{A.label(row[o]).lower()} of {o}" for o in v.organisations if row[o]]
        border = charts.BORDER_WORDS.get(row.get(C.BORDER_STATUS, "unknown"), "")
        bits.append(f"{row[C.COUNTRY]}: {', '.join(held)}; {border} with {v.subject_name}")
    return "Membership grid. " + ". ".join(bits) + "."


def membership_table(doc: Report, v: A.View) -> HTML:
    """States x organisations table with statuses, border and evidence ids."""
    frame = v.matrix.copy()
    evidence = {}
    for code, g in v.long.groupby(C.COUNTRY_CODE):
        evidence[code] = A._evidence(g)
    for o in v.organisations:
        frame[o] = frame[o].map(lambda s: A.label(s) if s else "—")
    frame["border"] = [
        _border_words(b, km) for b, km in zip(frame[C.BORDER_STATUS], frame[C.LENGTH_KM],
                                              strict=True)]
    frame["evidence"] = [A.refs_text([*evidence.get(c, ()), s]) for c, s in
                         zip(frame[C.COUNTRY_CODE], frame["border_source"], strict=True)]
    columns = {C.COUNTRY: "State", **{o: o for o in v.organisations},
               "border": f"Border with {v.subject_name}", "evidence": "Evidence"}
    classes = {o: "status" for o in v.organisations} | {"evidence": "refs"}
    layer = "article (claims)" if v.as_of is None else "reference timeline (sources)"
    return show(doc.table(
        "membership", frame, columns,
        f"States × organisations: status counted ({_status_list(v)}) and border with "
        f"{v.subject_name}. Evidence: {layer}; borders from the reference layer.",
        what="states", id_column=C.COUNTRY, focus=v.focus, classes=classes))


def _border_words(status: str, km) -> str:
    words = charts.BORDER_WORDS.get(status, status).capitalize()
    if status in ("recognised", "claimed") and km is not None and not pd.isna(km):
        words += f" ({float(km):,.0f} km)"
    return words


def money_section(doc: Report, v: A.View) -> HTML:
    """Paragraph, the money chart (log scale) and the table of figures."""
    f = v.figures
    art, ref = f[f["layer"] == A.ARTICLE], f[f["layer"] == A.REFERENCE]
    fig_ref = doc.ref("money")
    table_ref = doc.tref("money")
    text = (f"{fig_ref} puts the article's {len(art)} money figure"
            f"{'s' if len(art) != 1 else ''} on one logarithmic scale"
            + (f" next to {len(ref)} reference figures that give context" if len(ref) else "")
            + f"; {table_ref} lists them with their wording and evidence. "
            "An exact figure is a bar; a vague one is drawn as the range its words allow, "
            "and an amount the article does not state is marked, never guessed.")
    j = A.judge_money(f)
    parts = [paragraph(text)]
    if j is not None:
        parts.append(paragraph(j.text, j.refs))
        doc.cite(j.refs)
    doc.cite(ref[C.SOURCE_ID])
    alt = "Money chart, logarithmic scale. " + " ".join(
        f"{r.id} ({r.layer}): {A.short_description(r.description)} — {r.amount}."
        for r in f.itertuples())
    caption = ("Every money figure in the article (blue; vague amounts as an orange range; "
               "unstated amounts marked) and the reference context (grey, hatched), on a "
               "logarithmic scale so that millions and billions are both readable.")
    parts.append(doc.figure("money", v, alt, caption))
    frame = f.copy()
    frame["what"] = frame[C.DESCRIPTION].map(lambda d: A.short_description(d, 160))
    frame["flow"] = [f"{esc(a)} → {esc(b)}" if isinstance(b, str) and b else esc(a)
                     for a, b in zip(frame[C.FROM_PARTY], frame[C.TO_PARTY], strict=True)]
    frame["layer_label"] = frame["layer"].map({A.ARTICLE: "Article",
                                               A.REFERENCE: "Reference"})
    frame["amount_words"] = [f"{amt} (as stated: “{st}”)" for amt, st in
                             zip(frame["amount"], frame[C.AS_STATED], strict=True)]
    frame["evidence"] = [A.refs_text([c, s]) for c, s in
                         zip(frame[C.CLAIM_ID], frame[C.SOURCE_ID], strict=True)]
    columns = {"id": "ID", "layer_label": "Layer", "what": "What", "flow": "From → to",
               "amount_words": "Amount", "evidence": "Evidence"}
    parts.append(doc.table(
        "money", frame, columns,
        "Money figures: the article's (with the claim stating each) and the reference "
        "context (with its source; a claim id there is the article claim it puts in "
        "context).", html_columns=("flow",), what="figures", id_column="id",
        classes={"id": "id", "evidence": "refs"}))
    return show(*parts)


def claims_section(doc: Report, v: A.View) -> HTML:
    """The claims register: chart by speaker and type, then the table (capped)."""
    c = v.claims
    by = A.claims_by_speaker(c)
    fig_ref, table_ref = doc.ref("claims"), doc.tref("claims")
    top = by.index[0] if len(by) else ""
    quotes = int(c[C.IS_DIRECT_QUOTE].fillna(False).astype(bool).sum())
    text = (f"The article makes {len(c)} checkable claims from {len(by)} speakers "
            f"({fig_ref}); {top} accounts for the most ({int(by['total'].iloc[0])}). "
            f"{quotes} are direct quotes. {table_ref} gives each claim with the article's "
            "own words.")
    parts = [paragraph(text)]
    alt = "Stacked bar chart of claims per speaker. " + " ".join(
        f"{s}: {int(row['total'])} ("
        + ", ".join(f"{int(row[t])} {A.label(t).lower()}" for t in by.columns
                    if t != "total" and row[t]) + ")."
        for s, row in by.iterrows())
    parts.append(doc.figure("claims", v, alt,
                            "Claims by speaker, split by the type of statement. The "
                            "article's own narration is shown as a speaker of its own."))
    frame = c.copy()
    frame["who"] = [A.speaker_label(s, k, short=True) for s, k in
                    zip(frame[C.SPEAKER], frame[C.SPEAKER_KIND], strict=True)]
    frame["kind"] = [f"{A.label(t)} · {A.label(tp).lower()}" for t, tp in
                     zip(frame[C.CLAIM_TYPE], frame[C.TOPIC], strict=True)]
    frame["words"] = [f"<q>{esc(e)}</q>" if q else f"<span class=\"paraphrase\">{esc(e)}</span>"
                      for e, q in zip(frame[C.EVIDENCE], frame[C.IS_DIRECT_QUOTE].fillna(False),
                                      strict=True)]
    columns = {C.CLAIM_ID: "ID", "who": "Speaker", "kind": "Type · topic",
               C.STATEMENT: "Statement", "words": "In the article's words"}
    parts.append(doc.table(
        "claims", frame, columns,
        "The claims register: each checkable statement, who makes it, and the exact words "
        "of the article (in quotation marks where they are the speaker's own).",
        html_columns=("words",), what="claims", id_column=C.CLAIM_ID,
        classes={C.CLAIM_ID: "id", "words": "quote"}))
    return show(*parts)


def positions_section(doc: Report, v: A.View) -> HTML:
    """The two speakers with most stance claims, topic by topic."""
    speakers = v.speakers
    if len(speakers) < 2:
        return show(paragraph("The claims data names fewer than two speakers who state a "
                              "position, proposal, pledge or warning, so there is nothing to "
                              "set side by side."))
    pos = A.positions(v.claims, speakers)
    table_ref = doc.tref("positions")
    counts = {s: sum(len(x) for x in pos[s]) for s in speakers}
    shared = [A.label(t).lower() for t, *cells in
              zip(pos[C.TOPIC], *(pos[s] for s in speakers), strict=True) if all(cells)]
    text = (f"{table_ref} sets {A.join_names(speakers)} side by side: their positions, "
            "proposals, pledges and warnings, topic by topic ("
            + ", ".join(f"{s}: {n}" for s, n in counts.items()) + ").")
    text += (f" Both speak on {A.join_names(shared)}." if shared
             else " They speak on no common topic.")
    frame = pos.copy()
    frame["topic_label"] = frame[C.TOPIC].map(A.label)
    # Each cell is capped too: max_table_rows statements shared out over the topics.
    per_cell = max(1, (doc.max_rows or 10**9) // max(1, len(frame)))
    for s in speakers:
        frame[s] = frame[s].map(lambda entries: _stance_cell(entries, per_cell))
    columns = {"topic_label": "Topic", **{s: s for s in speakers}}
    return show(paragraph(text), doc.table(
        "positions", frame, columns,
        f"Positions side by side: {A.join_names(speakers)} — what each says on each topic "
        "(from the claims data; claim ids in brackets).", html_columns=tuple(speakers),
        what="topics", classes={s: "stance" for s in speakers}))


def _stance_cell(entries, limit: int) -> str:
    if not entries:
        return '<span class="none">—</span>'
    shown = "".join(f'<p class="stance">{esc(st)} <span class="refs">[{esc(cid)}, '
                    f"{esc(A.label(t).lower())}]</span></p>" for cid, t, st in entries[:limit])
    if len(entries) > limit:
        shown += (f'<p class="table-note">… and {len(entries) - limit} more (capped by '
                  "max_table_rows; all are in the claims register)</p>")
    return shown


def qualifications_section(doc: Report, v: A.View) -> HTML:
    """Article statements the reference sources qualify or contradict, with the source."""
    q = v.qualified
    counts = A.verdict_counts(q)
    table_ref = doc.tref("qualifications")
    serious = q[q[C.VERDICT] != "confirmed"]
    text = (f"{table_ref} lists what the reference sources say about the article's "
            f"statements: " + A.join_names([f"{n} {A.label(k).lower()}"
                                            for k, n in counts.items()])
            + " (claims counted once per verdict). Confirmations are listed after the "
            "statements that are qualified, contradicted or not verified.")
    doc.cite(q[C.SOURCE_ID])
    frame = q.copy()
    frame["verdict_label"] = frame[C.VERDICT].map(
        lambda x: f'<span class="verdict verdict-{esc(x)}">{esc(A.label(x))}</span>')
    frame["source"] = [_source_cell(sid, pub, title, url) for sid, pub, title, url in
                       zip(frame[C.SOURCE_ID], frame[C.PUBLISHER], frame[C.TITLE],
                           frame[C.URL], strict=True)]
    columns = {C.CLAIM_ID: "Claim", C.STATEMENT: "Article statement",
               "verdict_label": "Verdict", C.NOTE: "What the sources say", "source": "Source"}
    note = (f"{len(serious)} of {len(q)} rows qualify, contradict or cannot verify a "
            "statement.")
    return show(paragraph(text), doc.table(
        "qualifications", frame, columns,
        "Article vs reference: each checked statement, the verdict and the source. "
        + note, html_columns=("verdict_label", "source"), what="checks",
        id_column=C.REF_ID, classes={C.CLAIM_ID: "id", "verdict_label": "verdict"}))


def _source_cell(sid, publisher, title, url) -> str:
    text = f"{esc(sid)}: {esc(publisher)}"
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        text += f' — <a href="{esc(url)}">{esc(title)}</a>'
    elif isinstance(title, str):
        text += f" — {esc(title)}"
    return text


# ---------------------------------------------------------------------------------------
# Method and provenance
# ---------------------------------------------------------------------------------------


def curation_summary(v: A.View, tables: dict[str, pd.DataFrame]) -> HTML:
    """How the data was curated, in numbers: one paragraph per layer."""
    c = tables["claims"]
    article = (f"Article layer: {len(c)} claims, each with the verbatim span of the article "
               f"it rests on (checked against the text at load time) and its character "
               f"offsets; {len(tables['members'])} membership rows and {len(tables['money'])} "
               f"money figures, each pointing at the claim that states it; "
               f"{len(tables['organisations'])} organisations as the article describes them.")
    reference = (f"Reference layer: {len(tables['membership_timeline'])} membership "
                 f"intervals, {len(tables['borders'])} border rows, "
                 f"{len(tables['money_context'])} context figures and "
                 f"{len(tables['qualifications'])} checks of article claims, every row "
                 f"carrying one of {len(tables['sources'])} sources. Context the article does "
                 "not state is always drawn and labelled as reference, never as the "
                 "article's claim.")
    checks = ("Every file is validated against one schema per CSV before anything runs: "
              "types, allowed values, keys between files, canonical country names, money "
              "amounts consistent with their precision, and evidence found verbatim in the "
              "article.")
    return show(paragraph(article), paragraph(reference), paragraph(checks))


def _allowed_codes(f) -> str:
    if f.enum:
        return ", ".join(f.enum)
    return ""


def data_dictionary(tables: Iterable[Table] | None = None, doc: Report | None = None) -> HTML:
    """The data dictionary generated from :mod:`briefing.schema`: one compact table per
    file (column, type, required, meaning with allowed values)."""
    parts = []
    for t in tables or TABLES.values():
        rows = []
        for f in t.fields:
            meaning = esc(f.description)
            allowed = _allowed_codes(f)
            if allowed:
                meaning += f' <span class="allowed">Allowed: {esc(allowed)}.</span>'
            rows.append(f"<tr><td><code>{esc(f.name)}</code></td><td>{esc(f.type)}</td>"
                        f"<td>{'yes' if f.required else 'no'}</td><td>{meaning}</td></tr>")
        key = ", ".join(t.primary_key)
        parts.append(
            f'<table class="data dictionary"><caption><code>{esc(t.path)}</code> '
            f"({esc(t.layer)} layer) — {esc(t.description)}"
            + (f" Key: {esc(key)}." if key else "") + "</caption>"
            '<thead><tr><th scope="col">Column</th><th scope="col">Type</th>'
            '<th scope="col">Required</th><th scope="col">Meaning</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")
    return show(*parts)


def enum_meanings() -> HTML:
    """What each allowed value means (from the schema's documented enumerations)."""
    blocks = []
    for name, values in ENUM_DOCS:
        items = "".join(f"<dt><code>{esc(k)}</code></dt><dd>{esc(d)}</dd>"
                        for k, d in values.items())
        blocks.append(f'<h4>{esc(name)}</h4><dl class="enum">{items}</dl>')
    return show(*blocks)


def sources_table(doc: Report, sources: pd.DataFrame) -> HTML:
    """The reference sources cited in this briefing (all of them when none was cited)."""
    cited = [s for s in sources[C.SOURCE_ID] if s in doc.cited]
    frame = sources[sources[C.SOURCE_ID].isin(cited)] if cited else sources
    frame = frame.copy()
    frame["title_link"] = [
        esc(t) + (f'<br><a class="url" href="{esc(u)}">{esc(u)}</a>' if isinstance(u, str)
                  and u.startswith(("http://", "https://")) else
                  '<br><span class="url">(no address given)</span>')
        for t, u in zip(frame[C.TITLE], frame[C.URL], strict=True)]
    frame["when"] = frame[C.DATE].map(lambda d: d.date().isoformat() if hasattr(d, "date")
                                      and not pd.isna(d) else "")
    columns = {C.SOURCE_ID: "ID", C.PUBLISHER: "Publisher", "title_link": "Title and address",
               "when": "Date"}
    caption = (f"Reference sources cited in this briefing ({len(frame)} of {len(sources)} "
               "in reference/sources.csv).")
    return show(doc.table("sources", frame, columns, caption, html_columns=("title_link",),
                          what="sources", id_column=C.SOURCE_ID,
                          classes={C.SOURCE_ID: "id", "when": "date"}))


def sources_list(doc: Report, sources: pd.DataFrame) -> HTML:
    """The cited sources as a compact list (for the one-to-two-page country profile)."""
    cited = sources[sources[C.SOURCE_ID].isin(doc.cited)]
    items = []
    for r in cited.itertuples():
        url = getattr(r, C.URL)
        link = (f' <a class="url" href="{esc(url)}">{esc(url)}</a>'
                if isinstance(url, str) and url.startswith(("http://", "https://")) else "")
        items.append(f"<li><strong>{esc(getattr(r, C.SOURCE_ID))}</strong> "
                     f"{esc(getattr(r, C.PUBLISHER))}, “{esc(getattr(r, C.TITLE))}”.{link}</li>")
    head = (f"<p>Reference sources cited ({len(cited)} of {len(sources)} in "
            "reference/sources.csv):</p>")
    return show(head, f'<ul class="sources">{"".join(items)}</ul>')


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


def reproducibility(params, checksums: dict[str, str],
                    versions: dict[str, str] | None = None, notebook: str = "briefing",
                    compact: bool = False) -> HTML:
    """Parameters (as a command), data file checksums and package versions — no clock
    time and no absolute path, so equal inputs give an equal block. ``compact`` (for the
    one-to-two-page country profile) leaves out the parameters table (the title block
    lists them) and gives the versions as one line."""
    versions = versions or package_versions()
    args = ""
    if params is not None and hasattr(params, "injectable"):
        declared = getattr(params, "declarations", {}) or {}
        given = params.injectable()
        bits = []
        for k, val in given.items():
            raw = params.given.get(k)
            if k in declared and raw == declared[k].default and k != "country":
                continue  # a default needs no flag (a profile always names its country)
            val = ",".join(str(x) for x in val) if isinstance(val, list) else str(val)
            if k == "data_dir":
                val = shown_path(val)
                if val == shown_path(paths.DATA_DIR):
                    continue
            bits.append(f"-p {k} {_shell_quote(val)}")
        args = " ".join(bits)
    nb = "" if notebook == "briefing" else f"--notebook {notebook} "
    cmd = f"python -m briefing render {nb}{args}".rstrip()
    rows = "".join(f"<tr><td><code>{esc(name)}</code></td><td><code>{esc(digest)}</code>"
                   "</td></tr>" for name, digest in sorted(checksums.items()))
    vers = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>"
                   for k, v in versions.items())
    if compact:
        line = ", ".join(f"{k} {v}" for k, v in versions.items())
        return show(
            f'<p class="reproduce">Rebuild with <code>{esc(cmd)}</code>. Data: '
            f"{len(checksums)} files, combined SHA-256 <code>"
            f"{esc(combined_checksum(checksums))}</code> (of the sorted "
            f"<code>sha256sum</code> listing). Built with {esc(line)}. Evidence ids in "
            "brackets: article claims (C…) and reference sources (S…).</p>")
    return show(
        f'<p>To rebuild this report with the same parameters:</p><pre class="command">'
        f"{esc(cmd)}</pre>",
        parameters_table(params),
        '<table class="data checksums"><caption>SHA-256 checksums of the data files read '
        '</caption><thead><tr><th scope="col">File</th><th scope="col">SHA-256</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>",
        '<table class="data versions"><caption>Software versions</caption><thead><tr>'
        f'<th scope="col">Package</th><th scope="col">Version</th></tr></thead><tbody>{vers}'
        "</tbody></table>")


def combined_checksum(checksums: dict[str, str]) -> str:
    """One SHA-256 for a set of files: the digest of ``sha256sum``-style lines
    (``<digest>  <path>``) sorted by path, so anyone can recompute it."""
    import hashlib

    listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# ---------------------------------------------------------------------------------------
# Country profile
# ---------------------------------------------------------------------------------------


def profile_title(name: str, code: str, v: A.View, params) -> HTML:
    meta = v.meta
    lines = [("Country", f"{name} ({code})"),
             ("Source article", f"“{meta.get('title', '')}” — {meta.get('outlet', '')}, "
                                f"{meta.get('published', '')}"),
             ("Membership shown as of", v.date_shown + (" (reference timeline)" if v.as_of
                                                        else " (as the article states it)")),
             ("Parameters", parameters_summary(params))]
    facts = "".join(f"<tr><th scope=\"row\">{esc(k)}</th><td>{esc(val)}</td></tr>"
                    for k, val in lines)
    return show(f'<header class="title-block"><h1>Country profile: {esc(name)}</h1>'
                f'<table class="meta">{facts}</table></header>')


def profile_summary(doc: Report, v: A.View, tables: dict[str, pd.DataFrame], code: str,
                    name: str) -> HTML:
    """Key facts on one state: memberships (article and timeline), border, mentions, money."""
    judgements = [A.judge_focus(code, name, v.long, v.matrix, v.claims, v.subject_name,
                                v.borders, lead="")]
    tl = A.country_timeline(tables["membership_timeline"], code)
    if not tl.empty:
        current = tl[tl[C.END_DATE].isna()]
        if not current.empty:
            phr = A.memberships_phrase(current)
            judgements.append(A.Judgement(
                f"In the reference timeline, {name} is still {phr} at the end of the data "
                f"({len(tl)} status interval{'s' if len(tl) != 1 else ''} in all).",
                tuple(current[C.SOURCE_ID])))
    money = A.money_involving(v.figures, code)
    if not money.empty:
        judgements.append(A.Judgement(
            f"{len(money)} money figure{'s' if len(money) != 1 else ''} involve {name}: "
            + "; ".join(f"{A.short_description(d)} ({amt})" for d, amt in
                        zip(money[C.DESCRIPTION], money["amount"], strict=True)) + ".",
            tuple(r for r in [*money[C.CLAIM_ID], *money[C.SOURCE_ID]] if r)))
    return show(judgement_list(judgements, doc))


def profile_timeline(doc: Report, v: A.View, tables: dict[str, pd.DataFrame], code: str,
                     name: str) -> HTML:
    tl = A.country_timeline(tables["membership_timeline"], code)
    if tl.empty:
        return show(paragraph(f"The reference timeline has no membership record for {name}."))
    fig_ref, table_ref = doc.ref("timeline"), doc.tref("timeline")
    article_date = A._to_date(v.meta.get("event_date"))
    fig = charts.timeline_chart(tl, name, article_date, v.as_of)
    alt = f"Timeline of {name}'s statuses. " + " ".join(
        f"{r.organisation}: {A.label(r.status).lower()} from {r.start_date.isoformat()}"
        + (f" to {r.end_date.isoformat()}." if r.end_date else ", still held.")
        for r in tl.itertuples())
    doc.cite(tl[C.SOURCE_ID])
    frame = tl.copy()
    frame["status_label"] = frame[C.STATUS].map(A.label)
    frame["from"] = [("on or before " if p == "on_or_before" else "") + s.isoformat()
                     for s, p in zip(frame[C.START_DATE], frame[C.START_PRECISION],
                                     strict=True)]
    frame["to"] = frame[C.END_DATE].map(lambda d: d.isoformat() if d else "still held")
    frame["what"] = frame[C.EVENT].map(lambda e: A.short_description(e, 110))
    columns = {C.ORGANISATION: "Organisation", "status_label": "Status", "from": "From",
               "to": "To", "what": "What happened (in brief)", C.SOURCE_ID: "Source"}
    return show(
        paragraph(f"{fig_ref} and {table_ref} show every status {name} has held in each "
                  "organisation, from the sourced reference timeline."),
        doc.figure("timeline", fig, alt,
                   f"{name}'s membership statuses over time (reference timeline); dashed "
                   "line: the article's date."),
        doc.table("timeline", frame, columns, f"{name}: status intervals with their source.",
                  what="intervals",
                  classes={C.SOURCE_ID: "id", "status_label": "status", "to": "date"}))


def profile_border(v: A.View, code: str, name: str) -> HTML:
    b = v.borders[v.borders[C.COUNTRY_CODE] == code]
    if code == v.subject:
        return show(paragraph(f"{name} is the country the article is about; the reference "
                              f"layer lists {len(v.borders)} states by their border with it."))
    if b.empty:
        return show(paragraph(f"The reference data does not say whether {name} borders "
                              f"{v.subject_name}."))
    r = b.iloc[0]
    words = {"recognised": f"{name} shares a recognised land border with {v.subject_name}",
             "claimed": f"{name} claims a border with {v.subject_name}, which is not a de "
                        "facto border",
             "none": f"{name} has no land border with {v.subject_name}"}.get(
        r[C.BORDER_STATUS], f"{name}: border status {r[C.BORDER_STATUS]}")
    if pd.notna(r[C.LENGTH_KM]):
        words += f" ({float(r[C.LENGTH_KM]):,.0f} km)"
    note = f" {r[C.NOTE]}." if isinstance(r[C.NOTE], str) and r[C.NOTE] else ""
    return show(paragraph(f"{words}.{note}".replace("..", "."), [r[C.SOURCE_ID]]))


def profile_claims(doc: Report, v: A.View, code: str, name: str) -> HTML:
    c = A.claims_mentioning(v.claims, code)
    if c.empty:
        return show(paragraph(f"No claim in the article names {name}."))
    frame = c.copy()
    frame["who"] = [A.speaker_label(s, k, short=True) for s, k in
                    zip(frame[C.SPEAKER], frame[C.SPEAKER_KIND], strict=True)]
    frame["kind"] = frame[C.CLAIM_TYPE].map(A.label)
    columns = {C.CLAIM_ID: "ID", "who": "Speaker", "kind": "Type", C.STATEMENT: "Statement",
               C.EVIDENCE: "In the article's words"}
    return show(doc.table("claims", frame, columns, f"Claims that name {name}.",
                          what="claims", id_column=C.CLAIM_ID,
                          classes={C.CLAIM_ID: "id", C.EVIDENCE: "quote"}))


def profile_money(doc: Report, v: A.View, code: str, name: str) -> HTML:
    m = A.money_involving(v.figures, code)
    if m.empty:
        return show(paragraph(f"No money figure, in the article or the reference context, "
                              f"involves {name}."))
    frame = m.copy()
    frame["what"] = frame[C.DESCRIPTION].map(A.short_description)
    frame["layer_label"] = frame["layer"].map({A.ARTICLE: "Article",
                                               A.REFERENCE: "Reference"})
    frame["evidence"] = [A.refs_text([c, s]) for c, s in
                         zip(frame[C.CLAIM_ID], frame[C.SOURCE_ID], strict=True)]
    doc.cite(frame[C.SOURCE_ID])
    columns = {"id": "ID", "layer_label": "Layer", "what": "What", "amount": "Amount",
               "evidence": "Evidence"}
    return show(doc.table("money", frame, columns, f"Money figures involving {name}.",
                          what="figures", id_column="id",
                          classes={"id": "id", "evidence": "refs"}))
