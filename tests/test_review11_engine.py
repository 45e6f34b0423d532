"""Review 11, the engine: a stop is never swallowed, empty or misplaced options are refused,
command-line mistakes are one ``error:`` line, and what the report says of itself is true.

* A stop (Ctrl-C, SIGTERM) that a library catches -- WeasyPrint's SVG drawing catches
  ``BaseException`` -- is recorded by the signal handler and acted on after the export and
  before the swap: exit 130, the previous report as it was. A stop during the swap lets it
  finish, and the message says the new report is in place.
* ``--format ""``, ``--out ""``, ``--countries ""`` are refused (exit 2, one line), and a
  file removed with the old set is named on stdout.
* ``--out`` under the kit's ``data/`` is refused whatever ``--data-dir`` says.
* argparse's errors are one ``error:`` line; ``params -f bad.yaml`` prints only the error.
* The index says "an internationally recognised"; the rebuild command of a report whose data
  lies outside the project names a variable and says in words what it must hold.

Signals are sent by the code under test itself, at a chosen point (never after a delay), so
every test here is deterministic.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from test_batch import _tiny_profile
from test_cli import rejected, run
from test_render_atomic import _files, _old_report, tiny_notebook

from briefing import cli, output, paths, present, render, stop
from briefing.index_page import RunRecord, index_facts, index_html, rendered_otherwise
from briefing.validate import validate


def _swallowing_export(calls: list):
    """A stand-in for :func:`briefing.pdf.export_pdf` that is hit by SIGINT while it works
    and, as WeasyPrint's SVG drawing does, catches the KeyboardInterrupt and carries on."""

    def export(html, base_url):
        calls.append(base_url)
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except BaseException:  # noqa: BLE001 - what WeasyPrint does (images.py, SVGImage)
            pass
        return b"%PDF-1.7 a PDF with a blank chart\n"

    return export


# --------------------------------------------------------------------------- 1. the stop

def test_a_stop_swallowed_by_the_pdf_export_still_stops_the_render(tmp_path, monkeypatch):
    from briefing import pdf

    out = tmp_path / "reports"
    old = _old_report(out)
    calls: list = []
    monkeypatch.setattr(pdf, "export_pdf", _swallowing_export(calls))
    with stop.stops_handled(), pytest.raises(KeyboardInterrupt):
        render.render(tiny_notebook(tmp_path / "t.ipynb"), {}, out, stem="briefing")
    assert calls, "the export never ran"
    assert _files(out) == old  # nothing replaced, no staging or backup folder left


def test_the_command_exits_130_when_the_export_swallowed_the_stop(tmp_path, monkeypatch,
                                                                   capsys):
    from briefing import pdf

    out = tmp_path / "reports"
    old = _old_report(out, ("t.ipynb", "t.html", "t.pdf", "t.claims_register.csv"))
    monkeypatch.setattr(pdf, "export_pdf", _swallowing_export([]))
    notebook = tiny_notebook(tmp_path / "t.ipynb")
    assert cli.main(["render", "--notebook", str(notebook), "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert captured.err == "error: interrupted; earlier reports were left as they were\n"
    assert "wrote" not in captured.out
    assert _files(out) == old
    assert not stop.stop_requested()  # the record ends with the command


def test_a_stop_asked_for_before_the_swap_replaces_nothing(tmp_path):
    out = tmp_path / "reports"
    old = _old_report(out)
    with stop.stops_handled(), stop.stops_held():
        os.kill(os.getpid(), signal.SIGTERM)  # held: recorded, not raised
        assert stop.stop_requested()
        with pytest.raises(KeyboardInterrupt):
            output.replace_all(out, {"briefing.html": "new", "briefing.pdf": "new"},
                               remove=("briefing.failed.ipynb",))
    assert _files(out) == old


def test_a_stop_during_the_swap_lets_it_finish_and_says_so(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    _old_report(out, ("t.ipynb", "t.html", "t.pdf", "t.claims_register.csv"))
    real = output._swap

    def swap_hit_by_a_stop(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C mid-swap
        return real(*args, **kwargs)

    monkeypatch.setattr(output, "_swap", swap_hit_by_a_stop)
    notebook = tiny_notebook(tmp_path / "t.ipynb")
    assert cli.main(["render", "--notebook", str(notebook), "--out", str(out),
                     "--format", "html"]) == 130
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: interrupted once the new report had "
                                                   "replaced the previous one"), captured.err
    assert "earlier reports were left" not in captured.err
    assert f"removed {out / 't.pdf'} (not asked for)" in captured.out
    assert "hello world" in (out / "t.html").read_text(encoding="utf-8")  # the new set
    assert not (out / "t.pdf").exists()


# --------------------------------------------------------------------------- 3. --format

@pytest.mark.parametrize("value", ["", " , "])
def test_an_empty_format_list_is_refused_and_removes_nothing(tmp_path, value):
    old = _old_report(tmp_path)
    line = rejected("render", "--out", str(tmp_path), "--format", value)
    assert line == (f"error: --format: no format given (got {value!r}; expected html, pdf or "
                    "html,pdf)")
    assert _files(tmp_path) == old


def test_a_format_not_asked_for_is_named_when_it_is_removed(tmp_path):
    out = tmp_path / "out"
    old = _old_report(out, ("t.pdf", "t.failed.ipynb"))
    proc = run("render", "--notebook", str(tiny_notebook(tmp_path / "t.ipynb")), "--out",
               str(out), "--format", "html")
    assert proc.returncode == 0, proc.stderr
    assert f"removed {out / 't.pdf'} (not asked for)" in proc.stdout.splitlines()
    assert f"removed {out / 't.failed.ipynb'} (left by a failed render)" in proc.stdout
    assert not set(old) & {p.name for p in out.iterdir()}


# --------------------------------------------------------------------------- 10. empty values

@pytest.mark.parametrize(("args", "expected"), [
    (["render", "--out", ""], "error: --out: is empty (got ''; expected an output folder such "
                              "as reports/)"),
    (["batch", "--out", ""], "error: --out: is empty (got ''; expected an output folder such "
                             "as reports/profiles/)"),
    (["batch", "--countries", ""], "error: --countries: no country given (got ''; expected "
                                   "comma-separated ISO codes or names such as TJK,RUS)"),
    (["batch", "--countries", " , "], "error: --countries: no country given (got ' , '; "
                                      "expected comma-separated ISO codes or names such as "
                                      "TJK,RUS)"),
    (["check", "--data-dir", ""], "error: --data-dir: is empty (got ''; expected a data folder "
                                  "such as data/)"),
], ids=["render-out", "batch-out", "countries", "countries-commas", "check-data-dir"])
def test_an_empty_value_is_refused_not_taken_for_the_default(tmp_path, monkeypatch, capsys,
                                                            args, expected):
    """In-process, from an empty folder, with the reports folder moved there too: the
    command that took the empty value for the default wrote into one or the other."""
    notebook = _profile_notebook(tmp_path / "nb" / "p.ipynb")
    monkeypatch.chdir(tmp_path / "nb")
    monkeypatch.setattr(paths, "REPORTS_DIR", tmp_path / "reports")
    extra = ["--notebook", str(notebook), "--jobs", "1", "--format", "html"] \
        if args[0] == "batch" else ["--notebook", str(notebook), "-p", "country", "TJK",
                                    "--format", "html"] if args[0] == "render" else []
    assert cli.main([*args, *extra]) == 2
    assert capsys.readouterr().err.splitlines() == [expected]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb"]
    assert [p.name for p in (tmp_path / "nb").iterdir()] == ["p.ipynb"]


# --------------------------------------------------------------------------- 9. the kit's data/

def _profile_notebook(path: Path) -> Path:
    """A notebook with the profile's ``country`` and ``data_dir`` parameters that renders in
    a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return _tiny_profile(path, slow="")


@pytest.mark.parametrize("command", ["render", "batch"])
def test_output_into_the_kits_data_folder_is_refused_whatever_the_data_dir(
        tmp_path, monkeypatch, capsys, command):
    """The kit's data/ (here a copy standing in for it) is an input even when --data-dir
    reads another folder: nothing is written under it."""
    kit_data = tmp_path / "kit" / "data"
    shutil.copytree(paths.DATA_DIR, kit_data)
    monkeypatch.setattr(paths, "DATA_DIR", kit_data)
    other = tmp_path / "other"
    shutil.copytree(kit_data, other)
    before = sorted(p.relative_to(kit_data) for p in kit_data.rglob("*"))
    notebook = _profile_notebook(tmp_path / "nb" / "p.ipynb")
    args = ["-p", "country", "TJK"] if command == "render" else ["--countries", "TJK",
                                                                  "--jobs", "1"]
    assert cli.main([command, "--notebook", str(notebook), "--data-dir", str(other),
                     "--out", str(kit_data / "out"), "--format", "html", *args]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: --out {kit_data / 'out'}: the render "
                                               "would write"), err
    assert f"inside {kit_data}/, which holds inputs" in err[0]
    assert sorted(p.relative_to(kit_data) for p in kit_data.rglob("*")) == before


# --------------------------------------------------------------------------- 11. argparse

@pytest.mark.parametrize(("args", "expected"), [
    (["render", "--cell-timeout", "abc"], "error: --cell-timeout: not a whole number of "
                                          "seconds (got 'abc'; expected a whole number of "
                                          "seconds such as 300)"),
    (["batch", "--jobs", "two"], "error: --jobs: not a whole number (got 'two'; expected a "
                                 "number of worker processes such as 2)"),
    (["render", "-p", "focus_country"], "error: -p/--parameter: expected 2 arguments (-p NAME "
                                        "VALUE: set a parameter"),
    (["render", "--format"], "error: --format: expected one argument (--format FORMAT: html, "
                             "pdf or html,pdf)"),
    (["render", "--bogus"], "error: unrecognized argument --bogus (expected the options "
                            "listed by python -m briefing render --help)"),
    ([], "error: no command given (expected one of check, dictionary, draft, params, render, "
         "batch)"),
    (["rendr"], "error: command: invalid choice: 'rendr' (choose from 'check'"),
], ids=["float", "int", "p-one-value", "format-no-value", "unknown-option", "no-command",
        "unknown-command"])
def test_a_command_line_mistake_is_one_error_line(args, expected):
    line = rejected(*args)
    assert line.startswith(expected), line
    assert "usage:" not in line


def test_params_with_a_bad_file_prints_only_the_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("focus_contry: TJK\n", encoding="utf-8")
    proc = run("params", "-f", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error: {bad}:1:15: parameter focus_contry: unknown parameter")


# --------------------------------------------------------------------------- 15. the index

def test_the_index_says_an_internationally_recognised_border(tmp_path):
    data = validate(paths.DATA_DIR)
    page = index_html([], data, tmp_path, {}, index_facts(data))
    text = " ".join(page.split())
    assert "an internationally recognised land border" in text
    assert " a internationally" not in text and " a a" not in text


# --------------------------------------------------------------------------- 5. old profiles

def _profile_files(out: Path, code: str, parameters: dict, digest: str | None) -> None:
    """A profile's four files; its notebook records ``parameters`` (as papermill does) and
    prints the data's combined checksum ``digest`` (as the reproducibility section does)."""
    out.mkdir(parents=True, exist_ok=True)
    for ext in ("html", "pdf", "claims_register.csv"):
        (out / f"{code}.{ext}").write_text("x", encoding="utf-8")
    nb = {"cells": [{"cell_type": "markdown", "source": f"SHA-256 {digest or 'other'}",
                     "metadata": {}}],
          "metadata": {"papermill": {"parameters": {"country": code, **parameters}}},
          "nbformat": 4, "nbformat_minor": 5}
    (out / f"{code}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


@pytest.mark.parametrize("interrupted", [False, True], ids=["partial", "interrupted"])
def test_the_index_describes_old_profiles_as_they_were_rendered(tmp_path, interrupted):
    """A run with as_of 2024-12-31 into a folder of profiles of other runs: only a profile
    rendered with the same parameters from the same data is given this run's statuses."""
    from briefing.batch import Job, Outcome
    from briefing.params import declarations

    data = validate(paths.DATA_DIR)
    digest = present.combined_checksum(data.checksums)
    shown = {"as_of": "2024-12-31"}
    run = RunRecord(shown, {n: d.default for n, d in declarations("country_profile").items()},
                    digest)
    _profile_files(tmp_path, "ARM", {"data_dir": "data", "as_of": "2024-12-31"}, digest)
    _profile_files(tmp_path, "AFG", {"data_dir": "data"}, digest)  # as_of not set
    _profile_files(tmp_path, "IRN", {"as_of": "2024-12-31"}, None)  # from other data
    (tmp_path / "TJK.html").write_text("x", encoding="utf-8")  # no notebook that says
    outcomes = [] if interrupted else [
        Outcome(Job(Path("nb.ipynb"), {"country": "ARM"}, tmp_path, "ARM", "t", ("html",)),
                [tmp_path / "ARM.html"])]
    page = index_html(outcomes, data, tmp_path, shown, index_facts(data, "2024-12-31"),
                      run=run, planned=4, interrupted=interrupted)
    from test_batch import _rows

    rows = _rows(page)
    assert rows["ARM"][0][0].startswith("CSTO: member (participation frozen)")  # this run’s
    assert rows["AFG"][0][:3] == ["Not shown: this profile was rendered with as_of not set.",
                                  "—", "—"]
    assert rows["IRN"][0][0] == "Not shown: this profile was rendered from other data."
    assert rows["TJK"][0][0] == ("Not shown: this profile was rendered with parameters its "
                                 "notebook does not record.")
    text = " ".join(page.split())
    ok = 0 if interrupted else 1
    stopped = ", which was stopped before it ended" if interrupted else ""
    assert f"{ok} of 4 profiles rendered in this run{stopped}; parameters: as_of = 2024-12-31." \
        in text
    assert "3 profiles in this folder were rendered with other parameters or data: their " \
        "rows say how and give no statuses, borders or claims." in text


def test_a_profile_of_the_same_parameters_and_data_is_described_as_this_runs(tmp_path):
    from briefing.params import declarations

    data = validate(paths.DATA_DIR)
    digest = present.combined_checksum(data.checksums)
    defaults = {n: d.default for n, d in declarations("country_profile").items()}
    _profile_files(tmp_path, "KAZ", {"as_of": "", "max_table_rows": defaults["max_table_rows"]},
                   digest)  # the defaults, given
    assert rendered_otherwise(tmp_path / "KAZ.ipynb", RunRecord({}, defaults, digest)) is None
    other = rendered_otherwise(tmp_path / "KAZ.ipynb",
                               RunRecord({"author": "Desk B"}, defaults, digest))
    assert other is not None and other.values == (("author", defaults["author"]),)


# --------------------------------------------------------------------------- 13. rebuild

def test_the_rebuild_command_of_data_outside_the_project_can_be_run(tmp_path):
    from briefing.params import check

    outside = tmp_path / "data1"
    shutil.copytree(paths.DATA_DIR, outside)
    params = check("country_profile", {"data_dir": str(outside), "country": "TJK"})
    info = present.build_info(params, {"article.txt": "0" * 64}, "country_profile",
                              compact=True)
    assert info["command"] == ('python -m briefing render --notebook country_profile '
                               '-p data_dir "$DATA_DIR" -p country TJK')
    for compact in (True, False):
        html = present.markup(present.Report().section("reproducibility",
                                                       **{**info, "compact": compact}))
        text = " ".join(html.split())
        assert "outside the project)" not in text.split("Parameter")[0]
        assert "<code>DATA_DIR</code>" in text and "the data folder ‘data1’" in text
        assert str(tmp_path) not in html


def test_the_rebuild_command_of_the_projects_data_is_unchanged():
    from briefing.params import check

    params = check("briefing", {"focus_country": "TJK"})
    info = present.build_info(params, {})
    assert info["command"] == "python -m briefing render -p focus_country TJK"
    assert info["data_folder"] is None
