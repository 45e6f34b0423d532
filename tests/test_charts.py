"""Charts: titled, labelled, sourced, deterministic SVG, closed after use."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from fontTools.ttLib import TTFont

from briefing import analysis as A
from briefing import charts, fonts, paths
from briefing.load import load
from briefing.schema import C


@pytest.fixture(scope="module")
def view():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    return ds, A.build_view(ds.tables, ds.meta, statuses=["member", "acceding"],
                            focus="TZA")


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(match=lambda o: hasattr(o, "get_text")))


def _check_labelled(fig, *words):
    axes = fig.axes
    assert axes, "a chart has axes"
    titles = [ax.get_title(loc="left") or ax.get_title() for ax in axes]
    assert any(titles), "a chart has a title"
    # an axis title, or (the membership grid) the column heads, which need none above them
    assert any(ax.get_xlabel() or any(t.get_text() for t in ax.get_xticklabels())
               for ax in axes), "a chart labels its x axis"
    text = _texts(fig)
    assert "Source" in text or "Counts of states" in text, "a chart names its source"
    for w in words:
        assert w in text, w
    plt.close(fig)


def test_membership_grid(view):
    ds, v = view
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name, v.focus)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == v.organisations
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(v.matrix[C.COUNTRY])
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Tanzania"]  # the focus country
    # a grey ring where a state holds none of the statuses, in the legend too
    _check_labelled(fig, "Member", "Acceding", "Focus country", "Mozambique itself",
                    "None of these statuses")


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_membership_grid_has_its_column_heads_and_no_header_above_them(view, narrow):
    """Figure 1's column heads (the organisations, the border) say what the columns are: no
    "Organisation and border" over them (review 15, reader 10)."""
    _, v = view
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name, v.focus,
                                 narrow=narrow)
    ax = fig.axes[0]
    heads = [t.get_text() for t in ax.get_xticklabels()]
    assert heads == [*v.organisations, f"Borders\n{v.subject_name}"]
    assert ax.get_xlabel() == ""
    assert "Organisation" not in _texts(fig)
    plt.close(fig)


def test_membership_grid_legend_names_the_light_dot_as_the_caption_does():
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Member" in labels and "Not a member" in labels  # members alone: simply "not"
    plt.close(fig)
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name,
                                 no_status="Not in it")
    assert "Not in it" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)


def test_money_chart_is_a_dot_plot_with_one_panel_per_currency(view):
    _, v = view
    fig = charts.money_chart(v.figures, title="$45m of aid is 18% of the $254m appeal")
    currencies = list(dict.fromkeys(v.figures[C.CURRENCY]))
    panels = [ax for ax in fig.axes if ax.get_xscale() == "log"]
    assert len(panels) == len(currencies) > 1  # never two currencies on one axis
    for ax, currency in zip(panels, currencies, strict=True):
        assert currency in ax.get_xlabel() and "logarithmic" in ax.get_xlabel()
        assert not any(p.get_width() for p in ax.patches if hasattr(p, "get_width"))  # no bars
    labels = [t.get_text() for ax in panels for t in ax.get_yticklabels()]
    assert not any("…" in label for label in labels)  # full labels, wrapped
    for ident, label in zip(v.figures["id"], v.figures["label"], strict=True):
        assert any(" ".join(t.split()).startswith(f"{ident} {label.split()[0]}")
                   for t in labels), ident
    assert panels[0].get_title(loc="left") == "$45m of aid is 18% of the $254m appeal"
    _check_labelled(fig, "amount not stated", "Reference source", "Vague wording", "S2")


def test_money_chart_marks_a_disputed_figure_and_dates_the_sources():
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.money_chart(v.figures)
    text = _texts(fig)
    assert "disputed" in text and "Disputed figure" in text
    dated = v.figures[v.figures[C.DATE].notna() & (v.figures["layer"] == A.REFERENCE)]
    for day in dated[C.DATE]:
        assert A.day(day) in text
    plt.close(fig)


def test_claims_chart_bars_add_up_to_the_claims(view):
    _, v = view
    by = A.claims_by_speaker(v.claims)
    fig = charts.claims_chart(by, v.claims)
    ax = fig.axes[0]
    bars = [path.vertices[:, 0] for c in ax.collections for path in c.get_paths()]
    widths = sum(xs.max() - xs.min() for xs in bars)
    assert widths == len(A.credited(v.claims))  # a joint statement counts for each speaker
    assert all(xs.max() > xs.min() for xs in bars)  # no empty bar drawn
    assert ax.get_xlabel() == "Number of claims"
    # the source line says why the bars add up to more than the claims
    source = " ".join(_texts(fig).split())
    assert f"({len(v.claims)} claims" in source
    assert (f"C1 is credited to two speakers and counted once per speaker, so the bars add up "
            f"to {widths:.0f}.") in source
    _check_labelled(fig, "Klaus Berger")


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_claims_chart_names_its_speakers_without_an_axis_title(view, narrow):
    """The bars' labels are the speakers' names: a "Speaker" axis title beside them says
    nothing more (review 15, reader 10)."""
    _, v = view
    fig = charts.claims_chart(A.claims_by_speaker(v.claims), v.claims, narrow=narrow)
    ax = fig.axes[0]
    assert ax.get_ylabel() == ""
    assert "Klaus Berger" in [t.get_text() for t in ax.get_yticklabels()]
    assert "Speaker" not in _texts(fig)
    plt.close(fig)


def test_timeline_chart_has_a_lane_per_organisation(view):
    ds, _ = view
    tl = A.country_timeline(ds.membership_timeline, "TZA")
    fig = charts.timeline_chart(tl, "Tanzania", dt.date(2025, 3, 3), dt.date(2026, 1, 1))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(dict.fromkeys(
        tl[C.ORGANISATION]))
    _check_labelled(fig, "Tanzania", "article 3 Mar 2025")


def test_timeline_chart_runs_to_the_end_of_the_data(view):
    """Open intervals and the axis reach the view's cut-off, however early the article."""
    import matplotlib.dates as mdates

    ds, _ = view
    tl = A.country_timeline(ds.membership_timeline, "TZA")
    end = dt.date(2031, 9, 1)
    fig = charts.timeline_chart(tl, "Tanzania", dt.date(2025, 3, 3), end=end)
    ax = fig.axes[0]
    assert mdates.num2date(ax.get_xlim()[1]).date() > end
    open_bars = [b for b in ax.patches if b.get_height() > 0]
    assert max(mdates.num2date(b.get_x() + b.get_width()).date() for b in open_bars) == end
    text = _texts(fig)
    assert "1 Sep 2031" in text and not re.search(r"\d{4}-\d\d-\d\d", text)
    plt.close(fig)


def test_legend_glyphs_are_drawn_as_text_not_as_mathtext_markers(view):
    _, v = view
    long = v.long.copy()
    long["flag"] = ["qualified"] + [""] * (len(long) - 1)
    matrix = v.matrix.copy()
    if C.BORDER_STATUS in matrix.columns:
        matrix.loc[matrix.index[0], C.BORDER_STATUS] = "unknown"
    fig = charts.membership_grid(matrix, long, v.organisations, v.subject_name, v.focus)
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert "Status the sources qualify" in labels
    markers = [h.get_marker() for h in legend.legend_handles if hasattr(h, "get_marker")]
    assert not [m for m in markers if isinstance(m, str) and m.startswith("$")]
    drawn = [t.get_text() for t in legend.findobj(match=lambda o: type(o).__name__ == "Text")]
    assert "†" in drawn
    if C.BORDER_STATUS in matrix.columns:
        assert "?" in drawn and "Border not in the reference data" in labels
    plt.close(fig)


def _money_annotations(fig, words: bool = True) -> list:
    """The words written after each money figure (amount, then date or "disputed"), or
    (``words=False``) the arrows of its open-ended amounts."""
    from matplotlib.text import Annotation

    # the panels only: the footer's source line is an annotation too, hung from the legend
    return [t for ax in fig.axes if ax.axison for t in ax.texts
            if isinstance(t, Annotation) and bool(t.get_text()) == words]


def test_money_chart_dates_every_figure_as_the_money_table_does():
    """One date rule for the chart and the annex table (analysis.money.figure_date): the
    article's figures carry the article's date, a reference figure the day it refers to,
    and one whose source gives no day none: it says "undated" where the others show a date
    (the table's "—"), no date made up. Vague wording is written in its own words."""
    from briefing.analysis.money import figure_date

    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.money_chart(v.figures, article_date=v.article_date)
    words = [t.get_text() for t in _money_annotations(fig)]
    assert len(words) == len(v.figures)
    for _, r in v.figures.iterrows():
        first = "amount not stated" if r[C.PRECISION] == "not_stated" else \
            f"‘{r[C.AS_STATED]}’" if r[C.PRECISION] == "order_of_magnitude" else r["amount"]
        mine = [w for w in words if w.split("\n")[0] == first]
        assert mine, r["id"]
        date = figure_date(r, v.article_date)
        if date is not None:
            assert any(A.day(date) in w for w in mine), r["id"]
        else:
            assert not any(re.search(r"\d{4}", w) for w in mine), r["id"]
            assert all("undated" in w for w in mine), r["id"]
    plt.close(fig)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_two_accounts_of_one_figure_are_joined_by_words_alone(narrow):
    """A source's account of the article's figure (R01 of M01) is drawn right under it and
    says "same figure as M01"; no bracket joins their dots, a mark the legend would have to
    explain (review 15, reader 10). Every line a panel draws stays within its own row: a
    range or a band along it, a band's end ticks across it."""
    from briefing.charts.money import twins

    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    accounts = twins(v.figures)
    assert accounts, "the data has a source's account of an article figure"
    fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
    words = [t.get_text() for t in _money_annotations(fig)]
    for figure in accounts.values():
        assert any(f"same figure as {figure}" in w for w in words), figure
    for ax in fig.axes:
        if not ax.axison:
            continue
        for line in ax.get_lines():
            ys = [float(y) for y in line.get_ydata()]
            assert max(ys) - min(ys) < 1.0, "a line across rows"
    plt.close(fig)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_money_chart_labels_are_short_readable_and_clear_of_each_other(narrow):
    """Short labels (the description's first clause; the annex has the rest), at 8.5 pt
    at least; the words after a figure always on its right, inside the figure, never on
    another figure's words or dot."""
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_xscale() == "log"]
    labels = [t for ax in panels for t in [*ax.get_yticklabels(), *ax.texts]
              if re.match(r"[MR]\d+ ", t.get_text())]
    assert len(labels) == len(v.figures)
    for t in labels:
        lines = t.get_text().split("\n")
        assert len(lines) <= 2, t.get_text()
        assert t.get_fontsize() >= 8.5
        if "share of" in t.get_text().lower():
            assert "of which" in t.get_text()
    words = _money_annotations(fig)
    for ax in panels:
        for t in [*ax.texts, *ax.get_xticklabels(), ax.xaxis.label]:
            if t.get_text():
                assert t.get_fontsize() >= 8.5, t.get_text()
    boxes = [t.get_window_extent(renderer) for t in words]
    figure_box = fig.bbox
    for t, box in zip(words, boxes, strict=True):
        anchor = t.axes.transData.transform(t.xy)
        assert box.x0 >= anchor[0], t.get_text()  # after its figure, never before it
        assert box.x1 <= figure_box.x1 and box.x0 >= figure_box.x0, t.get_text()
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    dots = [c for ax in panels for c in ax.collections]
    for t, box in zip(words, boxes, strict=True):
        for c in dots:
            for x, y in c.get_offsets():
                px, py = c.axes.transData.transform((x, y))
                assert not (box.x0 <= px <= box.x1 and box.y0 <= py <= box.y1), t.get_text()
    plt.close(fig)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_the_scale_gridlines_stop_at_the_words(narrow):
    """A gridline never runs through a figure's words: each sits on a white ground drawn
    above the gridlines, and that ground covers no figure's dot."""
    from matplotlib.colors import to_rgba

    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    words = _money_annotations(fig)
    assert len(words) == len(v.figures)
    dots = [c for t in words for c in t.axes.collections]
    for t in words:
        ground = t.get_bbox_patch()
        assert ground is not None, t.get_text()
        assert to_rgba(ground.get_facecolor()) == to_rgba("white"), t.get_text()
        gridlines = t.axes.get_xgridlines()
        assert gridlines and all(g.get_zorder() < t.get_zorder() for g in gridlines)
        box = ground.get_window_extent(renderer)
        assert box.contains(*t.get_window_extent(renderer).p0), t.get_text()
        for c in dots:
            for x, y in c.get_offsets():
                px, py = c.axes.transData.transform((x, y))
                assert not (box.x0 <= px <= box.x1 and box.y0 <= py <= box.y1), t.get_text()
    plt.close(fig)


def test_money_chart_draws_every_open_ended_amount_the_same_way():
    """"More than X" starts at its floor with a dot and an arrow, never a bar to an upper
    end the data does not have. Vague wording with no top ("billions") is no longer open
    ended (review 12): a band from its floor to the next order its words do not reach
    (under $1tn), with no arrow and no dot (vague wording gives no figure)."""
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    rows = v.figures
    no_top = rows[rows[C.PRECISION].isin(["lower_bound", "order_of_magnitude"])
                  & rows[C.HIGH].isna()]
    assert len(no_top) >= 2 and no_top[C.PRECISION].nunique() == 2
    floors = no_top[no_top[C.PRECISION] == "lower_bound"]
    fig = charts.money_chart(rows, article_date=v.article_date)
    arrows = _money_annotations(fig, words=False)
    assert {a.xy[0] for a in arrows} == set(floors[C.LOW])
    dots = {float(x) for ax in fig.axes for c in ax.collections for x, _ in c.get_offsets()}
    for _, r in no_top.iterrows():
        assert (r[C.LOW] in dots) == (r[C.PRECISION] == "lower_bound"), r["id"]
    for ax in fig.axes:
        for line in ax.lines:
            xs = [float(x) for x in line.get_xdata()]
            assert not (xs and min(xs) in set(floors[C.LOW]) and max(xs) > min(xs)), \
                "a bar from a floor to an upper end the data does not have"
    tops = {max(float(x) for x in line.get_xdata()) for ax in fig.axes for line in ax.lines
            if len(line.get_xdata()) and min(line.get_xdata()) == 2e9
            and max(line.get_xdata()) > 2e9}  # the band, not the tick at its floor
    assert tops == {1e12}  # 'billions of dollars': a band under a trillion
    plt.close(fig)


def test_svg_is_deterministic_and_closes_the_figure(view):
    _, v = view
    plt.close("all")
    one = charts.to_svg(charts.money_chart(v.figures))
    fonts.subset_woff.cache_clear()  # the embedded subsets are made again, not reused
    two = charts.to_svg(charts.money_chart(v.figures))
    assert one == two
    assert plt.get_fignums() == []
    assert "<dc:date>" not in one and not re.search(r"20\d\d-\d\d-\d\dT", one)
    assert one.lstrip().startswith("<?xml")


def test_palette_is_okabe_ito():
    assert charts.PALETTE[0] == "#0072B2" and "#E69F00" in charts.PALETTE
    assert len(set(charts.PALETTE)) == len(charts.PALETTE)


def test_dollar_signs_and_markup_in_the_data_are_plain_text(view):
    _, v = view
    figures = v.figures.copy()
    figures.loc[0, "label"] = r"Aid $\frac{1}{2$ <script>alert(1)</script>"
    svg = charts.to_svg(charts.money_chart(figures))  # TeX would fail on the broken \frac
    assert "<script>" not in svg  # text is written escaped, never as markup
    assert svg.count("<svg") == 1
    root = ET.fromstring(svg.encode("utf-8"))
    assert not root.findall(f".//{SVG}script")
    assert any("<script>alert(1)</script>" in (t.text or "") for t in root.iter(f"{SVG}text")
               ) or "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


SVG = "{http://www.w3.org/2000/svg}"
FACE = re.compile(r'@font-face \{ font-family: "([^"]+)"; font-style: (\w+); '
                  r"font-weight: (\w+); src: url\(([^)]*)\) format\(\"woff2?\"\); \}")
#: The charts' own typeface: the first family of their font list.
FAMILY = charts.RC["font.family"][0]


def _embedded(svg: str) -> dict[tuple[str, str, str], set[str]]:
    """The faces an SVG embeds: (family, style, weight) -> characters of the subset's cmap."""
    faces = {}
    for family, style, weight, url in FACE.findall(svg):
        assert url.startswith(("data:font/woff2;base64,", "data:font/woff;base64,")), url
        woff2 = base64.b64decode(url.split(",", 1)[1])
        faces[(family, style, weight)] = {chr(c) for c in
                                          TTFont(io.BytesIO(woff2)).getBestCmap()}
    return faces


def test_chart_text_is_text_with_its_fonts_embedded(view):
    _, v = view
    svg = charts.to_svg(charts.money_chart(v.figures))
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.strip()]
    assert any("Money in the article" in t for t in texts)
    # no glyph outlines: matplotlib's path fonttype defines one <path id="DejaVuSans-..."> each
    assert not [p for p in root.iter(f"{SVG}path") if "DejaVu" in (p.get("id") or "")]
    assert "xlink:href=\"#DejaVu" not in svg
    # every font is an inline WOFF2; other references are to the SVG's own elements
    urls = [u for u in re.findall(r"url\(([^)]*)\)", svg) if not u.startswith("#")]
    assert urls and all(u.startswith(("data:font/woff2;base64,", "data:font/woff;base64,"))
                        for u in urls)
    assert svg.count("@font-face") == len(urls)
    for node in root.iter():
        for name, value in node.attrib.items():
            if name.endswith("href"):
                assert value.startswith("#"), value
    # whitespace is kept as matplotlib measured it
    assert root.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert "white-space: pre" in svg


def test_embedded_subsets_cover_exactly_the_text_of_each_face(view):
    _, v = view
    svg = charts.to_svg(charts.membership_grid(v.matrix, v.long, v.organisations,
                                               v.subject_name, v.focus))
    used = charts.svg_text_faces(svg)
    embedded = _embedded(svg)
    assert (FAMILY, "normal", "400") in embedded
    assert (FAMILY, "normal", "700") in embedded, "the bold title's face is embedded"
    for face, chars in used.items():
        have = fonts.codepoints(Path(charts._face_file(*face)))
        wanted = {ch for ch in chars if ord(ch) in have}
        assert embedded[face] == wanted, face
    assert set(embedded) <= set(used)


def test_characters_outside_dejavu_are_left_to_the_fallback_font():
    fig = charts._figure(1.5)
    ax = fig.add_subplot()
    ax.set_title("中国 China")
    ax.set_xlabel("Oblique", fontstyle="italic")
    svg = charts.to_svg(fig)
    assert "中国 China" in svg and "Noto Sans CJK JP" in svg  # the family list names it
    embedded = _embedded(svg)
    assert embedded[(FAMILY, "normal", "700")] == set(" Cahin")
    assert embedded[(FAMILY, "italic", "400")] == set("Oblique")


def test_a_money_axis_names_its_currency_in_words():
    from briefing.charts.money import currency_words

    assert currency_words("MWK") == "Malawian kwacha"
    assert currency_words("TZS") == "Tanzanian Shilling"  # ISO 4217's name, from pycountry
    assert currency_words("XQQ") == "XQQ"


# --- the country profile's timeline: its words, its marks, its footer ------------------------


@pytest.fixture(scope="module")
def real():
    return load(paths.DATA_DIR)


def _timeline_section(ds, code: str, monkeypatch) -> tuple[str, str]:
    """The profile's timeline section as plain text (non-breaking spaces made plain) and the
    title its chart was given."""
    import html as html_lib

    from briefing import present

    titles = []
    drawn = charts.timeline_chart

    def spy(*args, **kwargs):
        titles.append(kwargs["title"])
        return drawn(*args, **kwargs)

    monkeypatch.setattr(charts, "timeline_chart", spy)
    v = A.build_view(ds.tables, ds.meta, None, A.ALL_STATUSES, None, code, ds.article)
    doc = present.Report(v, max_rows=30)
    text = present.markup(doc.section("profile_timeline", A.profile_facts(v, code)))
    plt.close("all")
    return html_lib.unescape(text).replace("\xa0", " "), titles[0].replace("\xa0", " ")


def test_a_start_only_known_as_on_or_before_is_never_printed_as_that_day(real, monkeypatch):
    """Iran was an observer long before 17 Sep 2021: the data only knows it was one by then."""
    text, _ = _timeline_section(real, "IRN", monkeypatch)
    alt = re.search(r'alt="([^"]*)"', text).group(1)
    assert "SCO: observer from 17 Sep 2021 or earlier, to 4 Jul 2023." in alt
    assert "SCO: acceding from 17 Sep 2021 to 4 Jul 2023." in alt  # an exact start stays
    cells = re.findall(r'data-label="From">([^<]*)<', text)
    assert cells == ["17 Sep 2021 or earlier", "17 Sep 2021", "4 Jul 2023"]
    text, _ = _timeline_section(real, "ARM", monkeypatch)
    assert "member (participation frozen) from 22 Feb 2024 or earlier, still held" in text
    assert "22 Feb 2024 or earlier" in re.findall(r'data-label="From">([^<]*)<', text)


@pytest.mark.parametrize(("code", "title"), [
    ("ARM", "Armenia has been a member of the CSTO with its participation frozen since 2024 "
            "or earlier and became a partner of the SCO on 1 Sep 2025"),
    ("BLR", "Belarus has been a member of the CSTO since 2003 and of the SCO since 2024"),
    ("RUS", "Russia has been a member of the SCO since 2001 and of the CSTO since 2003"),
    ("UZB", "Uzbekistan has been a member of the SCO since 2001 and was a member of the CSTO "
            "until 2012"),
    ("LAO", "Laos became a partner of the SCO on 1 Sep 2025"),
    ("ARE", "The United Arab Emirates became a partner of the SCO on 1 Sep 2025"),
])
def test_timeline_title_names_each_organisation_and_when_its_status_began(real, monkeypatch,
                                                                          code, title):
    """Each organisation by name with its article, each status said once with its own start:
    never "a member of both since 2024", "a member of SCO", or a freeze said twice."""
    _, drawn = _timeline_section(real, code, monkeypatch)
    assert drawn == title


def _intervals(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[C.ORGANISATION, C.STATUS, C.START_DATE,
                                       C.START_PRECISION, C.END_DATE, C.SOURCE_ID])


LAST = dt.date(2025, 9, 1)

#: every status, a start only known as "on or before", and one begun on the last day
EVERY_STATUS = [
    ("CSTO", "member", dt.date(2003, 9, 18), "exact", None, "S1"),
    ("CSTO", "participation_frozen", dt.date(2024, 2, 22), "on_or_before", None, "S2"),
    ("SCO", "observer", dt.date(2015, 7, 10), "on_or_before", dt.date(2021, 9, 17), "S3"),
    ("SCO", "dialogue_partner", dt.date(2021, 9, 17), "exact", dt.date(2022, 9, 16), "S4"),
    ("SCO", "acceding", dt.date(2022, 9, 16), "exact", dt.date(2024, 7, 4), "S5"),
    ("SCO", "member", dt.date(2024, 7, 4), "exact", LAST, "S6"),
    ("SCO", "partner", LAST, "exact", None, "S7"),
]


def _points(fig, extent) -> tuple[float, float]:
    """Width and height of a display-space box, in points."""
    return extent.width * 72 / fig.dpi, extent.height * 72 / fig.dpi


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_a_status_begun_on_the_last_day_still_has_a_visible_bar(narrow):
    """A partner since the last day of the data would get a bar of no width: every status
    gets a stub of a few points, and every arrow is long enough to read as one."""
    import matplotlib.dates as mdates

    fig = charts.timeline_chart(_intervals(EVERY_STATUS), "Somewhere", dt.date(2021, 9, 17),
                                end=LAST, narrow=narrow)
    fig.canvas.draw()
    ax = fig.axes[0]
    bars = [b for b in ax.patches if b.get_height() > 0]
    assert len(bars) == len(EVERY_STATUS)
    for bar in bars:
        assert _points(fig, bar.get_window_extent())[0] >= 4, bar
    stub = min(bars, key=lambda b: abs(b.get_x() - mdates.date2num(LAST)))
    assert mdates.num2date(stub.get_x()).date() == LAST  # drawn from its true start
    box = ax.get_window_extent()
    arrows = [t for t in ax.texts if not t.get_text()]
    assert len(arrows) == 3  # the statuses still held
    for arrow in arrows:
        drawn = arrow.arrow_patch.get_window_extent()
        assert _points(fig, drawn)[0] >= 8 and drawn.x1 <= box.x1, "an arrow whole"
    plt.close(fig)


def _footer_boxes(fig):
    fig.canvas.draw()
    foot = next(ax for ax in fig.axes if ax.get_legend() is not None and not ax.axison)
    legend = foot.get_legend().get_window_extent()
    source = next(t for t in foot.texts if t.get_text().startswith("Source"))
    return foot, legend, source.get_window_extent()


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_timeline_legend_and_source_line_never_overlap(narrow):
    """However many rows the legend takes, the source line sits under it, and the legend
    is never wider than the figure (a wider one squeezes the chart to make room)."""
    fig = charts.timeline_chart(_intervals(EVERY_STATUS), "Somewhere", dt.date(2021, 9, 17),
                                end=LAST, narrow=narrow)
    foot, legend, source = _footer_boxes(fig)
    assert len(foot.get_legend().get_texts()) == 7
    assert source.y1 <= legend.y0, "the source line under the legend"
    main = fig.axes[0].get_tightbbox()
    assert legend.y1 <= main.y0, "the legend under the chart and its axis labels"
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.x1
    plot = fig.axes[0].get_window_extent()
    assert plot.width >= 0.55 * fig.bbox.width, "the plot keeps most of the width"
    plt.close(fig)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_money_legend_and_source_line_never_overlap(narrow):
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
    _, legend, source = _footer_boxes(fig)
    assert source.y1 <= legend.y0
    plt.close(fig)
