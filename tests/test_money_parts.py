"""A part of a figure is data (money_context.part_of), validated like every other column:
it names another row of the file, in the same currency, and is not larger than it. The
briefing then says which figure it is part of: the chart draws it right under its whole, the
money section names the whole by whose it is, its id and amount, and the annex table says
"Part of" before its description."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest
from test_money import _paragraphs, _sections

from briefing import analysis as A
from briefing import charts, paths
from briefing.charts.money import _money_rows, twins
from briefing.load import load
from briefing.schema import TABLES, C

MONEY_CONTEXT = TABLES["money_context"].path


def _dataset(tmp_path, **changes) -> tuple:
    """The shipped data with ``changes`` ({id: {column: value}}) made to money_context;
    returns the folder and the line of each row by id."""
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    path = data / MONEY_CONTEXT
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for r in rows:
        r.update(changes.get(r[C.REFERENCE_MONEY_ID], {}))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return data, {r[C.REFERENCE_MONEY_ID]: i + 2 for i, r in enumerate(rows)}


def test_the_shipped_part_is_r04_of_r02():
    ds = load()
    context = ds.tables["money_context"].set_index(C.REFERENCE_MONEY_ID)
    assert context.loc["R04", C.PART_OF] == "R02"
    assert context[C.PART_OF].fillna("").ne("").sum() == 1


@pytest.mark.parametrize("whole,message,expected", [
    ("R99", "refers to a reference_money_id that is not in reference/money_context.csv",
     "a reference_money_id from reference/money_context.csv"),
    ("R04", "a figure is not part of itself",
     "the reference_money_id of another row (the whole)"),
    ("R10", "the part is larger than its whole (R10: 606000000)",
     "a whole of at least 7000000000 (this row's low)"),
], ids=["unknown", "itself", "larger"])
def test_a_bad_part_of_is_one_error_line_and_exit_code_2(tmp_path, whole, message, expected):
    data, line = _dataset(tmp_path, R04={C.PART_OF: whole})
    proc = subprocess.run([sys.executable, "-m", "briefing", "check", "--data-dir", str(data)],
                          capture_output=True, text=True, cwd=paths.ROOT, check=False)
    assert proc.returncode == 2, proc.stderr
    found = [x for x in proc.stderr.splitlines() if f"column '{C.PART_OF}'" in x]
    assert len(found) == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    where = f"{MONEY_CONTEXT}:{line['R04']}: column '{C.PART_OF}': "
    assert where in found[0], found[0]
    assert message in found[0] and f"(got '{whole}'" in found[0], found[0]
    assert f"expected {expected})" in found[0], found[0]


def test_a_whole_in_another_currency_is_an_error(tmp_path):
    data, line = _dataset(tmp_path, R02={C.CURRENCY: "EUR"})
    proc = subprocess.run([sys.executable, "-m", "briefing", "check", "--data-dir", str(data)],
                          capture_output=True, text=True, cwd=paths.ROOT, check=False)
    assert proc.returncode == 2
    assert (f"{MONEY_CONTEXT}:{line['R04']}: column 'part_of': the whole (R02) is in EUR, "
            "this part in USD (got 'R02'; expected a whole in USD)") in proc.stderr


def test_part_of_is_in_the_data_dictionary():
    from briefing.schema import dictionary_markdown

    row = next(x for x in dictionary_markdown().splitlines() if x.startswith("| `part_of` |"))
    assert "| no |" in row and "→ `reference/money_context.csv`.reference_money_id" in row


def test_the_money_section_names_the_whole_a_part_is_part_of():
    _, sections = _sections()
    assets = next(p for p in _paragraphs(sections["money"]) if "[C32]" in p)
    # where its label says where it is held, the part says so: "was held at ..."
    assert ("Of Ajmal Ahmady’s $9bn (R02), about $7bn (R04, 18 Aug 2021) was held at the "
            "New York Fed [S64].") in assets
    assert "is the share of" not in assets


def test_the_words_come_from_the_data_not_from_the_shipped_names(tmp_path):
    """Make R04 part of the IMF's figure (R03) instead: the sentence names that whole."""
    data, _ = _dataset(tmp_path, R04={C.PART_OF: "R03"})
    _, sections = _sections(data)
    assets = next(p for p in _paragraphs(sections["money"]) if "[C32]" in p)
    assert "Of the IMF’s $9.4bn (R03), about $7bn (R04, 18 Aug 2021) was held at" in assets
    assert "(R02), about $7bn" not in assets


def test_the_chart_draws_a_part_right_under_its_whole():
    ds = load()
    v = A.build_view(ds.tables, ds.meta, article=ds.article)
    order = [i for _, g in _money_rows(v.figures, twins(v.figures)) for i in g["id"]]
    assert order.index("R04") == order.index("R02") + 1
    for narrow in (False, True):
        fig = charts.money_chart(v.figures, article_date=v.article_date, narrow=narrow)
        texts = [" ".join(t.get_text().split()) for ax in fig.axes
                 for t in [*ax.texts, *ax.get_yticklabels()]]
        assert any(t.startswith("R04 of which: share of the reserves") for t in texts)
        assert any(t.startswith("about $7bn") and "part of R02" in t for t in texts)
        plt.close(fig)


def test_the_annex_table_says_what_a_part_is_part_of():
    _, sections = _sections()
    row = re.search(r'<tr id="R04">(.*?)</tr>', sections["money_table"], flags=re.S).group(1)
    what = re.search(r'<td class="text"[^>]*>(.*?)</td>', row, flags=re.S).group(1)
    assert what.startswith("Part of R02 ($9bn). Share of the reserves held at the New York Fed")
    assert "Part of" not in re.search(r'<tr id="R02">(.*?)</tr>', sections["money_table"],
                                      flags=re.S).group(1)
