"""The command line: `params`, `check`, `render` rejections (exit 2, one line, no kernel),
-p/-f ordering like papermill's, and rendering every shipped parameter set."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import paths
from briefing.params import declarations

PARAM_FILES = sorted(paths.PARAMS_DIR.glob("*.yaml"))


def run(*args: str, cwd: Path = paths.ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}  # the package, from any folder
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def rejected(*args: str, cwd: Path = paths.ROOT) -> str:
    """Run a command that must fail on input: exit 2, one 'error:' line, no traceback."""
    proc = run(*args, cwd=cwd)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "IPKernelApp" not in proc.stderr, "a kernel was started before validation"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


# ---------------------------------------------------------------------------------------
# params / check
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["briefing", "country_profile"])
def test_params_lists_every_declaration(notebook):
    proc = run("params", "--notebook", notebook)
    assert proc.returncode == 0, proc.stderr
    for d in declarations(notebook).values():
        line = next(ln for ln in proc.stdout.splitlines() if ln.split()[:1] == [d.name])
        assert line.split()[1] == d.type
        assert d.describe_default() in line
        assert line.rstrip().endswith(d.help)


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.name)
def test_params_validates_each_shipped_set(path):
    proc = run("params", "-f", str(path.relative_to(paths.ROOT)))
    assert proc.returncode == 0, proc.stderr
    assert "Valid." in proc.stdout


def _value(stdout: str, name: str) -> str:
    match = re.search(rf"^  {name} = (.*?)( \(given\))?$", stdout, re.M)
    assert match, stdout
    return match.group(1)


def test_later_parameter_wins_like_papermill():
    tj = str((paths.PARAMS_DIR / "tajikistan.yaml").relative_to(paths.ROOT))
    proc = run("params", "-f", tj, "-p", "focus_country", "Russia")
    assert _value(proc.stdout, "focus_country") == "'RUS'"
    proc = run("params", "-p", "focus_country", "Russia", "-f", tj)
    assert _value(proc.stdout, "focus_country") == "'TJK'"
    proc = run("params", "-p", "max_table_rows", "7", "-p", "max_table_rows", "9")
    assert _value(proc.stdout, "max_table_rows") == "9"


def test_p_values_are_converted_to_the_declared_type():
    proc = run("params", "-p", "max_table_rows", "12", "-p", "statuses", "member,acceding",
               "-p", "as_of", "2024-12-31")
    assert proc.returncode == 0, proc.stderr
    assert _value(proc.stdout, "max_table_rows") == "12"
    assert _value(proc.stdout, "statuses") == "['member', 'acceding']"
    assert _value(proc.stdout, "as_of") == "datetime.date(2024, 12, 31)"


def test_check_valid_data():
    proc = run("check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("data: valid (")


def test_check_missing_data_dir(tmp_path):
    line = rejected("check", "--data-dir", str(tmp_path / "nope"))
    assert "parameter data_dir: folder not found" in line


# ---------------------------------------------------------------------------------------
# render: every rejection exits 2 with one line, before any kernel starts
# ---------------------------------------------------------------------------------------


def test_unknown_country_lists_choices(tmp_path):
    line = rejected("render", "-p", "focus_country", "Narnia", "--out", str(tmp_path))
    assert "parameter focus_country: unknown country; got 'Narnia'" in line
    assert "Tajikistan (TJK)" in line and "Russia (RUS)" in line
    assert list(tmp_path.iterdir()) == []


def test_misspelt_country_suggests():
    line = rejected("render", "-p", "focus_country", "Tajikstan")
    assert "(did you mean 'Tajikistan'?)" in line


def test_unknown_parameter_name():
    line = rejected("render", "-p", "focus_contry", "TJK")
    assert "parameter focus_contry: unknown parameter (did you mean 'focus_country'?)" in line


def test_wrong_type():
    line = rejected("render", "-p", "max_table_rows", "abc")
    assert line == ("error: parameter max_table_rows: not a whole number; got 'abc'; "
                    "expected an int such as 60")


def test_unknown_organisation():
    assert "unknown organisation; got 'NATO'" in rejected("render", "-p", "organisations",
                                                          "SCO,NATO")


def test_unknown_status():
    line = rejected("render", "-p", "statuses", "member,acceeding")
    assert "unknown membership status; got 'acceeding' (did you mean 'acceding'?)" in line


def test_bad_date():
    assert "parameter as_of: not a valid ISO date; got '2024-13-01'" in rejected(
        "render", "-p", "as_of", "2024-13-01")


def test_bad_max_table_rows():
    assert "must be at least 1" in rejected("render", "-p", "max_table_rows", "0")


def test_missing_data_dir():
    line = rejected("render", "-p", "data_dir", "no/such/folder")
    assert "parameter data_dir: folder not found; got 'no/such/folder'" in line


def test_invalid_data_dir_lists_the_data_problems(tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, broken)
    text = (broken / "countries.csv").read_text(encoding="utf-8")
    (broken / "countries.csv").write_text(text.replace("TJK,", "TJKX,", 1), encoding="utf-8")
    proc = run("render", "--data-dir", str(broken), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "IPKernelApp" not in proc.stderr
    assert re.search(r"countries\.csv:\d+: column 'country_code'", proc.stderr)
    assert not (tmp_path / "out").exists()


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = rejected("render", "--out", str(blocker / "reports"))
    assert "--out" in line and "cannot write there" in line


def test_unknown_format():
    assert "unknown format 'htm' (did you mean 'html'?)" in rejected("render", "--format",
                                                                      "htm")


def test_parameter_file_problems(tmp_path):
    assert "parameter file not found" in rejected("render", "-f", str(tmp_path / "x.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("as_of: 2024-12-31\nfocus_country: Narnia\n")
    line = rejected("render", "-f", str(bad))
    assert line.startswith(f"error: {bad}:2:16: parameter focus_country: unknown country")


def test_unknown_notebook():
    assert "notebook breifing not found" in rejected("render", "--notebook", "breifing")


def test_run_from_another_folder(tmp_path):
    """The project's data is found from anywhere; relative paths are the caller's."""
    proc = run("params", "-p", "focus_country", "TJK", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    line = rejected("render", "-p", "data_dir", "mydata", cwd=tmp_path)
    assert "folder not found; got 'mydata'" in line


# ---------------------------------------------------------------------------------------
# Rendering every shipped parameter set (a few seconds each)
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.name)
def test_every_shipped_parameter_set_renders(path, rendered):
    from briefing.params import read_yaml

    tmp_path = rendered(f"params-{path.stem}")["out"]  # rendered once per session
    for ext in ("html", "pdf", "ipynb"):
        assert (tmp_path / f"briefing.{ext}").stat().st_size > 0
    assert (tmp_path / "briefing.pdf").read_bytes().startswith(b"%PDF")
    html = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    values = read_yaml(path)
    if values.get("title"):
        assert values["title"] in html
    if values.get("as_of"):
        assert str(values["as_of"]) in html  # the report says which day it describes
    if values.get("focus_country"):
        from briefing.params import check

        p = check("briefing", values)
        assert p.validated.country_names[p.focus_country] in html
    executed = (tmp_path / "briefing.ipynb").read_text(encoding="utf-8")
    for name in read_yaml(path):
        assert name in executed, f"{name} was not injected"


# ---------------------------------------------------------------------------------------
# Makefile: make report PARAMS=params/x.yaml renders into reports/x/
# ---------------------------------------------------------------------------------------


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=60)


def test_make_report_with_params_targets_a_folder_named_after_the_set():
    proc = make("-n", "-B", "report", "PARAMS=params/tajikistan.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "briefing render --out reports/tajikistan -f params/tajikistan.yaml" in proc.stdout


def test_make_report_without_params_targets_reports():
    proc = make("-n", "-B", "report")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"briefing render --out reports\s*$", proc.stdout, re.M)


def test_make_report_with_a_missing_set_says_so():
    proc = make("-n", "report", "PARAMS=params/nope.yaml")
    assert proc.returncode != 0
    assert "PARAMS=params/nope.yaml: file not found" in proc.stderr
    assert "params/tajikistan.yaml" in proc.stderr


def test_make_help_lists_the_parameter_targets():
    proc = make("help")
    for target in ("report", "params", "profiles"):
        assert re.search(rf"^  make {target}\s", proc.stdout, re.M), proc.stdout
    assert "PARAMS=params/x.yaml" in proc.stdout
