"""Review 8 (layout): Figure 3 fits the page and tells its fills apart; Figure 1's line never
runs through a state's "not a member" ring."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.patches import FancyArrowPatch

from briefing import analysis as A
from briefing import charts, paths
from briefing.load import load
from briefing.schema import CLAIM_TYPES, TOPICS, C

DATASETS = {"shipped": None, "other": paths.FIXTURES_DIR / "other_dataset"}


@pytest.fixture(scope="module")
def views():
    out = {}
    for name, folder in DATASETS.items():
        ds = load(folder) if folder else load()
        out[name] = A.build_view(ds.tables, ds.meta, article=ds.article)
    return out


def _svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))


def _one_line(label: str) -> str:
    """A wrapped label read back as one line: a break after a hyphen joins, any other is a
    space."""
    return re.sub(r"\s+", " ", label.replace("-\n", "-")).strip()


def _every_claim_type_and_topic(v) -> list[tuple[str, pd.DataFrame]]:
    """Frames as :func:`analysis.claims_by_speaker` gives them, with every claim type and
    every topic a bar segment, and names longer than any the data has."""
    speakers = ["The article (narration)", "Malawi's disaster-management commissioner",
                "The Secretary-General of the Shanghai Cooperation Organisation", "Xi"]
    frames = []
    for by, cats in ((C.CLAIM_TYPE, list(CLAIM_TYPES)), (C.TOPIC, list(TOPICS))):
        frame = pd.DataFrame([[1 + (i + j) % 3 for j in range(len(cats))]
                              for i in range(len(speakers))], index=speakers, columns=cats)
        frame["total"] = frame.sum(axis=1)
        frames.append((by, frame))
    return frames


# --------------------------------------------------------------- 1. Figure 3 fits the page


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_claims_chart_is_never_wider_than_the_page_and_names_every_speaker(views, dataset,
                                                                           narrow):
    v = views[dataset]
    by = A.claims_by_speaker(v.claims)
    speakers = list(by.index)
    longest = max(speakers, key=len)
    # the default title and one as long as the briefing's can be, naming the longest speaker
    titles = ["", f"The narration states {by['total'].iloc[0]} of the {len(v.claims)} claims; "
                  f"{longest} and {speakers[1]} lead the speakers with {by['total'].max()} each"]
    intended = 72 * (charts.NARROW_WIDTH_IN if narrow else charts.WIDTH_IN)
    for title in titles:
        fig = charts.claims_chart(by, v.claims, title=title, narrow=narrow)
        labels = [_one_line(t.get_text()) for t in fig.axes[0].get_yticklabels()]
        assert labels == speakers  # every name in full, however it is wrapped
        svg = charts.to_svg(fig)
        width = _svg_width_pt(svg)
        assert width <= intended + 1.0, (title, width, intended)
        # shown at its own size, so its smallest text is the size it was set at
        assert charts.smallest_text_pt(svg) >= charts.SMALLEST_PT


def _speaker_label(v, speaker: str, narrow: bool) -> str:
    by = A.claims_by_speaker(v.claims)
    fig = charts.claims_chart(by, v.claims, narrow=narrow)
    labels = {_one_line(t.get_text()): t.get_text() for t in fig.axes[0].get_yticklabels()}
    plt.close(fig)
    return labels[speaker]


def test_a_long_speaker_name_takes_two_lines_not_the_width(views):
    v = views["other"]
    label = _speaker_label(v, "Malawi's disaster-management commissioner", narrow=False)
    assert label.count("\n") == 1, label


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_claims_chart_with_every_category_and_long_names_fits(views, narrow):
    v = views["other"]
    intended = 72 * (charts.NARROW_WIDTH_IN if narrow else charts.WIDTH_IN)
    for by, frame in _every_claim_type_and_topic(v):
        fig = charts.claims_chart(frame, v.claims, by=by, narrow=narrow)
        assert [_one_line(t.get_text()) for t in fig.axes[0].get_yticklabels()] == list(
            frame.index)
        assert _svg_width_pt(charts.to_svg(fig)) <= intended + 1.0, by


# ------------------------------------------------------ 2. Figure 3's fills tell apart


def _fills(fig) -> list[tuple[str, str]]:
    """(colour, hatch) of each category's bars, in the legend's order."""
    ax = fig.axes[0]
    return [(to_hex(c.get_facecolor()[0]).upper(), c.get_hatch() or "")
            for c in ax.collections if c.get_label() and not c.get_label().startswith("_")]


def _claims_figures(views):
    for name, v in views.items():
        yield name, charts.claims_chart(A.claims_by_speaker(v.claims), v.claims)
        yield name + " narrow", charts.claims_chart(A.claims_by_speaker(v.claims), v.claims,
                                                    narrow=True)
    for by, frame in _every_claim_type_and_topic(views["other"]):
        yield by, charts.claims_chart(frame, views["other"].claims, by=by)


def test_claims_fills_are_distinct_okabe_ito_and_never_orange_with_vermillion(views):
    okabe_ito = set(charts.OKABE_ITO.values())
    orange, vermillion = charts.OKABE_ITO["orange"], charts.OKABE_ITO["vermillion"]
    for name, fig in _claims_figures(views):
        fills = _fills(fig)
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        plt.close(fig)
        assert len(fills) == len(labels) > 1, name
        assert len(set(fills)) == len(fills), (name, fills)  # no two categories alike
        colours = {colour for colour, _ in fills}
        assert colours <= okabe_ito, (name, colours - okabe_ito)
        # the two are hard to tell apart side by side, and any two categories can meet in a bar
        assert not {orange, vermillion} <= colours, name


def test_the_shipped_figure_and_position_claims_are_told_apart(views):
    v = views["shipped"]
    fig = charts.claims_chart(A.claims_by_speaker(v.claims), v.claims)
    fills = dict(zip([t.get_text() for t in fig.axes[0].get_legend().get_texts()],
                     _fills(fig), strict=True))
    plt.close(fig)
    hard = {charts.OKABE_ITO["orange"], charts.OKABE_ITO["vermillion"]}
    assert not {fills["Figure"][0], fills["Position"][0]} <= hard, fills


# --------------------------------------- 3. Figure 1: a ring between two organisations


def _row_y(ax, country: str) -> float:
    for tick, label in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True):
        if label.get_text() == country:
            return float(tick)
    raise AssertionError(country)


def _ring(ax, x: float, y: float):
    """The grey "not a member" ring drawn at (x, y): its collection."""
    for coll in ax.collections:
        face, edge = coll.get_facecolor(), coll.get_edgecolor()
        if not (len(face) and len(edge)):
            continue
        if to_hex(edge[0]) != "#808080":
            continue
        if any(np.allclose(o, (x, y)) for o in coll.get_offsets()):
            return coll
    raise AssertionError(f"no ring at {(x, y)}")


def _pieces(ax, y_px: float) -> list[tuple[float, float, float]]:
    """The joining line's pieces on the row at display height ``y_px``: (left, right, zorder)
    in display pixels, whatever artist draws them (a Line2D or a patch)."""
    out = []
    for artist in [*ax.lines, *(p for p in ax.patches if isinstance(p, FancyArrowPatch))]:
        path = artist.get_transform().transform_path(artist.get_path())
        xy = path.vertices
        if len(xy) and np.allclose(xy[:, 1], y_px, atol=1.0):
            out.append((float(xy[:, 0].min()), float(xy[:, 0].max()), artist.get_zorder()))
    return out


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
def test_the_line_never_runs_through_a_not_a_member_ring(narrow):
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    for v in (A.build_view(ds.tables, ds.meta, article=ds.article),
              A.build_view(ds.tables, ds.meta, statuses=["member", "acceding"], focus="TZA")):
        fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name,
                                     v.focus, narrow=narrow)
        ax = fig.axes[0]
        fig.canvas.draw()
        row = v.matrix.set_index(C.COUNTRY).loc["Tanzania"]
        orgs = list(v.organisations)
        assert [bool(row[o]) for o in orgs] == [True, False, True]  # SADC, EAC; not COMESA
        y = _row_y(ax, "Tanzania")
        (x0, cy), (cx, _), (x2, _) = (ax.transData.transform((i, y)) for i in range(3))
        ring = _ring(ax, 1, y)
        pieces = _pieces(ax, cy)
        assert pieces, "a line joins Tanzania's organisations"
        # the ring: white, opaque, drawn over the line
        assert to_rgba(ring.get_facecolor()[0]) == (1.0, 1.0, 1.0, 1.0)
        assert all(ring.get_zorder() > z for _, _, z in pieces)
        # ... and the line stops clear of it: no piece comes within the ring's radius and a
        # gap of two points on either side
        px = fig.dpi / 72
        radius = (ring.get_sizes()[0] ** 0.5 / 2 + ring.get_linewidth()[0] / 2) * px
        clear = radius + 2 * px
        for left, right, _ in pieces:
            assert right <= cx - clear or left >= cx + clear, (left, right, cx, clear)
        # still one line from SADC to EAC, broken only around the ring
        assert min(left for left, _, _ in pieces) == pytest.approx(x0, abs=1.0)
        assert max(right for _, right, _ in pieces) == pytest.approx(x2, abs=1.0)
        gaps = sorted(pieces)
        for (_, right, _), (left, _, _) in zip(gaps, gaps[1:], strict=False):
            assert right < cx < left, "the line breaks only where the ring is"
        plt.close(fig)


def test_a_line_between_neighbouring_members_is_unbroken():
    ds = load(paths.FIXTURES_DIR / "other_dataset")
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    fig = charts.membership_grid(v.matrix, v.long, v.organisations, v.subject_name)
    ax = fig.axes[0]
    fig.canvas.draw()
    for country, columns in (("Eswatini", (0, 1)), ("Kenya", (1, 2))):
        y = _row_y(ax, country)
        (a, cy), (b, _) = (ax.transData.transform((i, y)) for i in columns)
        pieces = _pieces(ax, cy)
        assert len(pieces) == 1, country
        assert pieces[0][0] == pytest.approx(a, abs=1.0)
        assert pieces[0][1] == pytest.approx(b, abs=1.0)
    plt.close(fig)


def _every_chart(v, ds_name: str, narrow: bool):
    """Figures 1 and 2 of the briefing and a country profile's timeline, with titles as
    long as the briefing gives them."""
    f = A.money_facts(v)
    yield "membership", charts.membership_grid(
        v.matrix, v.long, v.organisations, v.subject_name, v.focus, narrow=narrow,
        title="Four of the ten states border Afghanistan; of them, only Tajikistan is a "
              "member of both")
    yield "money", charts.money_chart(
        f.figures, title="China’s $31m of aid equals 5.1% of the $606m appeal",
        article_date=v.article_date, narrow=narrow)
    code = v.matrix[C.COUNTRY_CODE].iloc[0]
    folder = DATASETS[ds_name]
    ds = load(folder) if folder else load()
    timeline = A.country_timeline(ds.membership_timeline, code)
    yield "timeline", charts.timeline_chart(timeline, str(code), v.article_date,
                                            narrow=narrow)


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_no_chart_is_wider_than_the_page_or_the_phone(views, dataset, narrow):
    """Every chart's saved image is the width it was drawn for (the page's text width, or
    the phone's), never wider: a wider one is shown scaled down, all its text smaller than
    set (Figure 2 was 488 pt wide, 298 pt on a phone, where its title and legend ran past
    the figure's edge)."""
    intended = 72 * (charts.NARROW_WIDTH_IN if narrow else charts.WIDTH_IN)
    for name, fig in _every_chart(views[dataset], dataset, narrow):
        svg = charts.to_svg(fig)
        assert _svg_width_pt(svg) <= intended + 1.0, (name, _svg_width_pt(svg), intended)
        assert charts.smallest_text_pt(svg) >= charts.SMALLEST_PT, name
