"""From review 13 (a new user's QA), the command line, validation and documentation:

* ``make report PARAMS=x.yaml`` tracks the files of the data folder the set names (2);
* article.json's ``review`` key warns like a review-marked row and counts on the cover (3);
* an unquoted delimiter in a row ending in empty cells is one "row has N cells" problem (4);
* the rebuild command renders the report again where it is (``--out``, ``--format``) (9);
* currency codes are checked against ISO 4217, with the closest code suggested (11);
* unknown keys of article.json are warned about, with the closest known key (12);
* the closest passage of non-verbatim evidence is the best of every occurrence (13);
* a Python without the kit's packages gets one ``error:`` line naming them (14);
* the README's synopsis lists every option of every command (15);
* dates that are most likely typos are warned about, on the terminal only (16).
"""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import sys
import time

import pytest
from test_review11_draft import _text

from briefing import analysis as A
from briefing import article_rules, cli, evidence_rules, paths, present, rules
from briefing.errors import DataError
from briefing.load import load
from briefing.params import RENDER_OPTIONS_ENV, check
from briefing.validate import MAX_PER_COLUMN, validate


def _problems(data_dir) -> list[str]:
    with pytest.raises(DataError) as info:
        validate(data_dir)
    return [str(p) for p in info.value.problems]


def _append(path, line: str) -> None:
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\n")


def _meta(data_dir, **changes) -> None:
    path = data_dir / paths.ARTICLE_META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(changes)
    path.write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write_rows(path, rows, lineterminator="\n") -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator=lineterminator).writerows(rows)


# --------------------------------------------------------------------------- 2. make

def _report_data(params_file) -> list[str]:
    """The data files `make report PARAMS=…` depends on (nothing is run: -n)."""
    proc = subprocess.run(
        ["make", "--no-print-directory", "-n", "--eval",
         "review13-data: ; @echo 'DATA:' $(REPORT_DATA)", "review13-data", "report",
         f"PARAMS={params_file}"], cwd=paths.ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "DATA:" in x)  # -n: echo shown
    return line.split("DATA:", 1)[1].strip("' ").split()


def test_make_report_tracks_the_data_folder_a_parameter_set_names(tmp_path, data_copy):
    mine = tmp_path / "mine.yaml"
    mine.write_text(f"data_dir: {data_copy}\ntitle: Mine\n", encoding="utf-8")
    tracked = _report_data(mine)
    for name in ("article.txt", "article.json", "claims.csv", "reference/borders.csv"):
        assert str(data_copy / name) in tracked, name
    assert not any(t.startswith("data/") for t in tracked)
    # a flow mapping is read by the kit, not by sed
    flow = tmp_path / "flow.yaml"
    flow.write_text(f"{{data_dir: {data_copy}}}\n", encoding="utf-8")
    assert str(data_copy / "claims.csv") in _report_data(flow)


def test_make_report_with_the_kits_data_tracks_data(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("data_dir: './data/'   # the kit's data\n", encoding="utf-8")
    comment = tmp_path / "comment.yaml"  # names data_dir in a comment only: asks the kit
    comment.write_text("# data_dir: left as it is\ntitle: x\n", encoding="utf-8")
    for params_file in (plain, comment, paths.PARAMS_DIR / "default.yaml",
                        paths.PARAMS_DIR / "2024.yaml"):
        tracked = _report_data(params_file)
        assert "data/claims.csv" in tracked and "data/reference/sources.csv" in tracked


def test_make_report_renders_every_time_when_the_data_folder_cannot_be_read(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"data_dir: {tmp_path / 'nowhere'}\n", encoding="utf-8")
    assert _report_data(bad) == ["FORCE"]


def test_the_readme_says_what_make_report_tracks():
    readme = " ".join((paths.ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "the files of the data folder the set's `data_dir` names" in readme


# --------------------------------------------------------------------------- 3. review key

def test_article_json_marked_for_review_warns_like_a_row(data_copy):
    note = ("draft: check title: the text's first line; outlet: not given (--outlet); "
            "event_date: set to the publication date")
    _meta(data_copy, review=note, outlet="[outlet not given]")
    warnings = validate(data_copy).warnings
    file = paths.display_path(data_copy / paths.ARTICLE_META_FILE)
    assert (f"{file}: still marked for review (title, outlet, event_date): confirm, then "
            "remove the review key") in warnings
    assert not any("unknown key" in w for w in warnings)  # review is a key of the schema
    _meta(data_copy, review="look at the date again")
    assert any("still marked for review ('look at the date again')" in w
               for w in validate(data_copy).warnings)
    _meta(data_copy, review="")  # emptied: reviewed
    assert not any("still marked for review" in w for w in validate(data_copy).warnings)


def test_the_cover_counts_article_json_marked_for_review(data_copy):
    _meta(data_copy, review="draft: check outlet: not given (--outlet)")
    ds = load(data_copy)
    unreviewed = A.unreviewed_rows(A.build_view(ds.tables, ds.meta, article=ds.article))
    assert (unreviewed.details, unreviewed.rows) == (True, 0)
    text = _text(data_copy, "cover", title="", author="A", series="S")
    assert ("Draft, not reviewed. The article’s details (article.json) are still marked for "
            "review: what this briefing says rests on them as drafted.") in text
    rows = _rows(data_copy / "claims.csv")
    for row in rows[1:3]:
        row[rows[0].index("review")] = "draft: check the speaker"
    _write_rows(data_copy / "claims.csv", rows)
    text = _text(data_copy, "cover", title="", author="A", series="S")
    assert ("Draft, not reviewed. The article’s details (article.json) and two rows of the "
            "data are still marked for review") in text


# --------------------------------------------------------------------------- 4. extra cells

def test_an_unquoted_comma_in_a_row_ending_in_empty_cells_is_one_problem(data_copy):
    _append(data_copy / "money.csv", "M13,pledges,EU pledge, of its own,European Union,,,,"
            "1500000000,,EUR,lower_bound,at least €1.5bn,C07,")
    problems = [p for p in _problems(data_copy) if "money.csv" in p]
    assert len(problems) == 1, problems
    assert re.search(r"money\.csv:\d+: row has 15 cells but the header has 14 columns \(got "
                     r"'M13,pledges,EU pledge, of its own,.*expected quote cells that contain "
                     r"the delimiter ','\)", problems[0]), problems[0]


def test_a_spreadsheets_empty_columns_are_still_dropped(data_copy):
    path = data_copy / "money.csv"
    rows = _rows(path)
    _write_rows(path, [rows[0], *(row + ["", ""] for row in rows[1:])], "\r\n")
    assert validate(data_copy).count("money") == len(rows) - 1
    # ... but a row with one cell more than the others is the delimiter's problem
    rows = _rows(path)
    rows[1] = [*rows[1][:2], "half", "half", *rows[1][3:]]
    _write_rows(path, rows)
    [problem] = [p for p in _problems(data_copy) if "money.csv" in p]
    assert "money.csv:2: row has 17 cells but the header has 14 columns" in problem


# --------------------------------------------------------------------------- 9. rebuild

@pytest.fixture
def params_2024():
    return check("briefing", {"as_of": "2024-12-31"})


def _command(monkeypatch, options: dict | None, params) -> dict:
    if options is None:
        monkeypatch.delenv(RENDER_OPTIONS_ENV, raising=False)
    else:
        monkeypatch.setenv(RENDER_OPTIONS_ENV, json.dumps(options))
    return present.build_info(params, {})


def test_the_rebuild_command_names_the_output_folder_inside_the_project(monkeypatch,
                                                                       params_2024):
    info = _command(monkeypatch, {"out": str(paths.REPORTS_DIR / "2024"), "formats": "html"},
                    params_2024)
    assert info["command"] == ("python -m briefing render --out reports/2024 --format html "
                               "-p as_of 2024-12-31")
    assert info["out_variable"] is None
    assert _command(monkeypatch, None, params_2024)["command"] == \
        "python -m briefing render -p as_of 2024-12-31"  # Jupyter, papermill, the default


def test_the_rebuild_command_of_a_report_outside_the_project_reads_a_variable(
        monkeypatch, tmp_path, params_2024):
    info = _command(monkeypatch, {"out": str(tmp_path / "mine")}, params_2024)
    assert info["command"] == 'python -m briefing render --out "$OUT" -p as_of 2024-12-31'
    assert info["out_variable"] == "OUT"
    for compact in (False, True):
        markup = present.markup(present.Report().section("reproducibility",
                                                         **{**info, "compact": compact}))
        text = " ".join(markup.split())
        assert str(tmp_path) not in markup and "mine" not in markup
        assert "<code>OUT</code>" in text and "the folder this report was written to" in text


def test_render_hands_its_output_options_to_the_kernel_and_restores_them(monkeypatch,
                                                                        tmp_path):
    monkeypatch.delenv(RENDER_OPTIONS_ENV, raising=False)
    import os

    with cli.render_options(paths.REPORTS_DIR, paths.REPORTS_DIR, ("pdf", "html")):
        assert json.loads(os.environ[RENDER_OPTIONS_ENV]) == {}
    with cli.render_options(tmp_path / "x", paths.REPORTS_DIR, ("html",)):
        assert json.loads(os.environ[RENDER_OPTIONS_ENV]) == {
            "formats": "html", "out": str((tmp_path / "x").resolve())}
    assert RENDER_OPTIONS_ENV not in os.environ


@pytest.mark.slow
def test_a_profiles_rebuild_command_names_its_folder_and_format(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "render", "--notebook", "country_profile", "-p",
         "country", "TJK", "--format", "html", "--out", str(tmp_path / "profiles")],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "profiles" / "TJK.html").read_text(encoding="utf-8")
    assert ('python -m briefing render --notebook country_profile --out "$OUT" --format html '
            '-p country TJK') in html.unescape(page)
    assert str(tmp_path) not in page


# --------------------------------------------------------------------------- 11. currency

@pytest.mark.parametrize("typo,meant", [("ERU", "EUR"), ("GPB", "GBP"), ("USS", "USD")])
def test_a_currency_typo_is_an_error_with_the_closest_code(data_copy, typo, meant):
    _append(data_copy / "money.csv", f"M11,pledges,typo currency,China,CHN,,,5000000,5000000,"
            f"{typo},exact,€5m,C49,")
    [problem] = [p for p in _problems(data_copy) if "currency" in p]
    assert f"column 'currency': not an ISO 4217 currency code (did you mean '{meant}'?) " \
        f"(got '{typo}'" in problem


def test_a_currency_the_data_uses_is_suggested_first(data_copy):
    _append(data_copy / "money.csv", "M11,pledges,x,China,CHN,,,5,5,TES,exact,5,C49,")
    [problem] = [p for p in _problems(data_copy) if "currency" in p]
    assert "(did you mean 'KES'?)" in problem  # one letter from KES and from TZS
    _append(data_copy / "money.csv", "M12,pledges,x,China,CHN,,,5,5,TZS,exact,5,C49,")
    [problem] = [p for p in _problems(data_copy) if "currency" in p]
    assert "(did you mean 'TZS'?)" in problem  # the one the data uses


@pytest.mark.parametrize("code", ["XDR", "DEM", "AFA"])
def test_real_currency_codes_pass_current_or_withdrawn(data_copy, code):
    """A withdrawn code (the Deutschmark, the old afghani) is real for an article about the
    past: pycountry lists only current ones."""
    _append(data_copy / "money.csv", f"M11,pledges,x,China,CHN,,,5,5,{code},exact,5,C49,")
    validate(data_copy)


# --------------------------------------------------------------------------- 12. keys

def test_unknown_keys_of_article_json_are_warned_about(data_copy):
    _meta(data_copy, titel="x", **{"title-note": "y", "publised": "2021-09-17"})
    warnings = validate(data_copy).warnings
    file = paths.display_path(data_copy / paths.ARTICLE_META_FILE)
    assert f"{file}: unknown key 'titel' ignored (did you mean 'title'?)" in warnings
    assert f"{file}: unknown key 'title-note' ignored (did you mean 'title_note'?)" in warnings
    assert f"{file}: unknown key 'publised' ignored (did you mean 'published'?)" in warnings


def test_the_shipped_datasets_have_no_unknown_keys():
    for data_dir in (paths.DATA_DIR, paths.FIXTURES_DIR / "other_dataset"):
        assert not any("unknown key" in w for w in validate(data_dir).warnings)


# --------------------------------------------------------------------------- 13. closest

def test_the_closest_passage_is_found_past_the_first_occurrence(data_copy):
    article = (data_copy / paths.ARTICLE_FILE).read_text(encoding="utf-8")
    passage = "the future of Afghanistan would be discussed again in 2026"
    assert article.count("Afghanistan") >= 2 and passage not in article
    (data_copy / paths.ARTICLE_FILE).write_text(article + f"\nOfficials said {passage}.\n",
                                                encoding="utf-8")
    path = data_copy / "claims.csv"
    rows = _rows(path)
    row = list(rows[1])
    row[rows[0].index("claim_id")] = "C900"
    row[rows[0].index("evidence")] = passage.replace("would", "will")
    row[rows[0].index("evidence_start")] = row[rows[0].index("evidence_end")] = ""
    _write_rows(path, [*rows, row])
    [problem] = [p for p in _problems(data_copy) if "column 'evidence'" in p]
    assert f"closest passage: {passage!r}" in problem


def test_the_closest_passage_of_the_review_case():
    article = ("Leaders met at a two-day summit in Nairobi that was overshadowed by rain. "
               "It was agreed that the next summit would be held in Kigali in 2026.")
    assert evidence_rules._closest_span("the next summit will be held in Kigali in 2026", article) \
        == "the next summit would be held in Kigali in 2026"


def test_closest_passages_cost_a_bounded_search(data_copy):
    """Many evidence cells that are not in the article: the first HINTED get a hint, the
    rest the plain message, and the whole check stays quick."""
    path = data_copy / "claims.csv"
    rows = _rows(path)
    header, template = rows[0], rows[1]
    at = header.index("evidence")
    extra = []
    for k in range(3000):
        row = list(template)
        row[header.index("claim_id")] = f"C{900 + k}"
        row[at] = f"Putin said the summit number {k} was held in Dushanbe on Friday"
        row[header.index("evidence_start")] = row[header.index("evidence_end")] = ""
        extra.append(row)
    _write_rows(path, [*rows, *extra])
    started = time.perf_counter()
    problems = [p for p in _problems(data_copy) if "column 'evidence'" in p]
    assert time.perf_counter() - started < 10
    hinted = [p for p in problems if "closest passage" in p]
    assert 0 < len(hinted) <= evidence_rules.HINTED <= MAX_PER_COLUMN


# --------------------------------------------------------------------------- 14. packages

def test_a_python_without_the_packages_gets_one_error_line(tmp_path):
    """-S: no site-packages, as a plain system Python without the requirements."""
    proc = subprocess.run([sys.executable, "-S", "-m", "briefing", "render", "--out",
                           str(tmp_path / "out"), "--format", "html"], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: this Python (") and "lacks the packages" in line
    assert "papermill" in line and "make setup" in line and ".venv/bin/python" in line
    assert not (tmp_path / "out").exists()


def test_a_missing_module_anywhere_is_one_error_line(monkeypatch, capsys):
    def missing(args):
        raise ModuleNotFoundError("No module named 'jupyter_core'", name="jupyter_core")

    monkeypatch.setattr(cli, "_cmd_check", missing)
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: this Python (") and "lacks the package jupyter_core" in err


def test_the_readme_says_which_python_runs_the_commands():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python -m briefing" in readme and ". .venv/bin/activate" in readme


# --------------------------------------------------------------------------- 15. README

def test_the_readme_synopsis_lists_every_command_and_option():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    synopsis: dict[str, str] = {}
    command = ""
    for line in block.splitlines():
        found = re.match(r"python -m briefing (\w+)", line)
        command = found.group(1) if found else command
        synopsis[command] = synopsis.get(command, "") + line
    parser = cli.build_parser()
    for name, sub in parser.commands.choices.items():
        assert name in synopsis, f"{name} is not in the README's synopsis"
        for action in sub._actions:
            longest = max(action.option_strings, key=len, default="")
            if longest and longest != "--help":
                assert re.search(rf"(^|[\s\[]){re.escape(longest)}\b", synopsis[name]) or \
                    any(re.search(rf"(^|[\s\[]){re.escape(o)}\b", synopsis[name])
                        for o in action.option_strings), f"{name} {longest}"


def test_the_readme_does_not_call_the_kits_order_papermills():
    readme = " ".join((paths.ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "behave as papermill's" not in readme
    assert "apply in the order given" in readme
    assert check("briefing", cli.collect(cli.build_parser().parse_args(
        ["params", "-p", "focus_country", "RUS", "-f", str(paths.PARAMS_DIR /
                                                          "tajikistan.yaml")]))[0]
                 ).focus_country == "TJK"


# --------------------------------------------------------------------------- 16. dates

def test_dates_that_are_most_likely_typos_are_warnings(data_copy):
    _meta(data_copy, event_date="2999-06-01")
    _append(data_copy / "reference" / "membership_timeline.csv",
            "SCO,IRN,Iran,observer,2998-01-01,exact,,A typo,S82")
    v = validate(data_copy)  # warnings, not problems
    meta_file = paths.display_path(data_copy / paths.ARTICLE_META_FILE)
    [event] = [w for w in v.warnings if "'event_date'" in w]
    assert event.startswith(f"{meta_file}: column 'event_date': date is after the "
                            "publication date (2021-09-17) and after today (")
    assert event.endswith("a typo (2031 for 2021)? (got '2999-06-01')")
    [start] = [w for w in v.warnings if "'start_date'" in w]
    assert re.search(r"membership_timeline\.csv:\d+: column 'start_date': date is after today",
                     start)


def test_an_event_after_its_article_is_a_warning(data_copy):
    _meta(data_copy, event_date="2021-09-20")
    [w] = [w for w in validate(data_copy).warnings if "'event_date'" in w]
    assert "date is after the publication date (2021-09-17): a typo (2031 for 2021)? (an " \
        "article announcing an event to come may keep it) (got '2021-09-20')" in w


def test_future_dates_are_counted_in_one_warning_per_column(data_copy):
    assert not any("after today" in w for w in validate(data_copy).warnings)
    path = data_copy / "reference" / "sources.csv"
    rows = _rows(path)
    for row in rows[1:8]:
        row[rows[0].index("date")] = "2999-01-01"
    _write_rows(path, rows)
    warnings = [w for w in validate(data_copy).warnings if "after today" in w]
    assert len(warnings) == 1 and "7 dates are after today" in warnings[0]
    assert "lines 2, 3, 4, 5, 6 and 2 more" in warnings[0]


def test_a_date_is_judged_against_the_day_given(data_copy):
    import datetime as dt

    data = rules.Checked(data_copy, "", {"published": "2021-09-17",
                                         "event_date": "2021-09-17"}, {})
    assert article_rules.implausible_dates(data, today=dt.date(2021, 9, 17)) == []
    [late] = article_rules.implausible_dates(data, today=dt.date(2021, 9, 16))[:1]
    assert late.column == "published" and "after today (2021-09-16)" in late.message
