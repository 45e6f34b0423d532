"""From review 11 (a QA engineer's): bounded input and located messages.

A CSV of empty rows (a spreadsheet's exported "used range") is refused by its line count
before any record is built, so memory stays bounded; a cell over the csv module's limit is
named as such, not as a quoting mistake; a parameter file's value is located by line and
column; control characters (BEL, ESC ...) are refused in parameters and data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from briefing import limits, paths
from briefing.param_file import read_yaml

# Peak memory, in MB, of a command run as the only child of a fresh process (Linux:
# ru_maxrss in kB); its output passes through, the peak is the last line on stderr.
_PEAK = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-m", "briefing", *sys.argv[1:]]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)
sys.exit(code)
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=60)


def _errors(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    return [line.strip() for line in proc.stderr.splitlines() if line.strip()]


def test_a_csv_of_empty_rows_is_refused_by_its_line_count_with_bounded_memory(data_copy):
    """Ten times the line limit of empty rows (10 MB): one message naming the file, the line
    count and the limit, and a peak far below what building ten million records takes."""
    with open(data_copy / "countries.csv", "a", encoding="utf-8") as fh:
        fh.write("\n" * (10 * limits.MAX_CSV_LINES))
    proc = subprocess.run([sys.executable, "-c", _PEAK, "check", "--data-dir",
                           str(data_copy)], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=60)
    lines = _errors(proc)
    peak_mb = int(lines[-1])
    problem = [line for line in lines if "countries.csv" in line]
    assert len(problem) == 1, proc.stderr
    assert f"countries.csv:{limits.MAX_CSV_LINES + 1}: has 10,000,031 lines, over the limit " \
           f"of {limits.MAX_CSV_LINES:,} lines for a CSV data file" in problem[0]
    assert "empty rows a spreadsheet exported count too" in problem[0]
    assert peak_mb < 300, peak_mb  # the records of ten million lines would take gigabytes


def test_a_file_at_the_line_limit_is_read(data_copy):
    text = (data_copy / "countries.csv").read_text(encoding="utf-8")
    lines = text.count("\n")
    (data_copy / "countries.csv").write_text(
        text + "\n" * (limits.MAX_CSV_LINES - lines), encoding="utf-8")
    proc = _cli("check", "--data-dir", str(data_copy))
    assert proc.returncode == 0, proc.stderr


def test_a_cell_over_the_csv_limit_is_named_as_a_long_cell(data_copy):
    with open(data_copy / "countries.csv", "a", encoding="utf-8") as fh:
        fh.write("ZZZ," + "x" * 200_000 + ",\n")
    problem = [line for line in _errors(_cli("check", "--data-dir", str(data_copy)))
               if "countries.csv" in line]
    assert len(problem) == 1
    assert "countries.csv:32: a cell is longer than 131,072 characters" in problem[0]
    assert "quote inside a cell written twice" not in problem[0]


def test_a_parameter_file_says_where_each_value_is(tmp_path):
    yml = tmp_path / "p.yaml"
    yml.write_text("focus_country: TJK\nmax_table_rows:   abc\n"
                   "defaults: &d {title: Hi}\n<<: *d\n", encoding="utf-8")
    values = read_yaml(yml)
    where = paths.display_path(yml)
    assert values["max_table_rows"] == "abc"
    assert values.origins["focus_country"] == f"{where}:1:16"
    assert values.origins["max_table_rows"] == f"{where}:2:19"
    assert values.origins["title"] == f"{where}:3:22"  # merged: where the value is written


def test_a_control_character_in_a_parameter_is_refused():
    lines = _errors(_cli("params", "-p", "title", "Briefing\x07now"))
    assert lines[0].startswith("error: parameter title: contains U+0007, a control character")
    assert "expected text without control characters" in lines[0]
    assert len([line for line in lines if line.startswith("error:")]) == 1


def test_a_control_character_in_the_data_is_refused(data_copy):
    path = data_copy / "countries.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Tajikistan", "Taji\x1bkistan", 1), encoding="utf-8")
    problem = [line for line in _errors(_cli("check", "--data-dir", str(data_copy)))
               if "countries.csv" in line]
    assert len(problem) == 1 and "contains U+001B, a control character" in problem[0]


def test_the_shipped_parameter_files_have_located_values():
    for path in sorted(paths.PARAMS_DIR.glob("*.yaml")):
        values = read_yaml(path)
        assert set(values.origins) == set(values), path
        for origin in values.origins.values():
            file, line, column = origin.rsplit(":", 2)
            assert file == paths.display_path(path) and int(line) >= 1 and int(column) >= 1
    json.dumps(read_yaml(paths.PARAMS_DIR / "partners.yaml"))  # still a plain mapping


def test_a_column_twice_in_a_header_is_the_one_problem_of_its_file(data_copy):
    path = data_copy / "money.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("money_id,kind,", "money_id,kind,kind,", 1), encoding="utf-8")
    lines = _errors(_cli("check", "--data-dir", str(data_copy)))
    # one problem: on the error: line itself (review 15), not under a count
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "money.csv:1: column 'kind': column appears twice in the header" in lines[0]
    assert "expected each column once: money_id,kind,description," in lines[0]


def test_a_bad_offset_is_reported_once_as_a_bad_value(data_copy):
    import csv

    path = data_copy / "claims.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][rows[0].index("evidence_end")] = "9" * 23
    rows[2][rows[0].index("evidence_start")] = "-5"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    lines = _errors(_cli("check", "--data-dir", str(data_copy)))
    assert lines[0] == "error: 2 problems in the data:", lines
    assert "claims.csv:2: column 'evidence_end': not an integer" in lines[1]
    assert "claims.csv:3: column 'evidence_start': value is too small" in lines[2]
    assert not any("or neither" in line for line in lines)


def test_rows_still_marked_for_review_are_a_warning_naming_the_file_and_lines(data_copy):
    """The data checks, but a person has not confirmed it: each file says how many rows
    and where (a draft marks every row); the shipped data has none."""
    import csv

    path = data_copy / "claims.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:8]:
        row[rows[0].index("review")] = "draft: check the speaker"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    proc = _cli("check", "--data-dir", str(data_copy))
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "marked for review" in line]
    assert warnings == [f"warning: {paths.display_path(path)}: 7 of 50 rows still marked for "
                        "review (lines 2, 3, 4, 5, 6 and 2 more): confirm each row, then empty "
                        "its review cell"], proc.stderr
    assert "marked for review" not in _cli("check").stderr


def test_a_parameter_files_bad_value_is_named_by_line_and_column(tmp_path):
    yml = tmp_path / "p.yaml"
    yml.write_text("focus_contry: TJK\nmax_table_rows:   abc\n", encoding="utf-8")
    lines = _errors(_cli("params", "-f", str(yml)))
    where = paths.display_path(yml)
    assert lines[0] == "error: 2 problems in the parameters:"
    assert lines[1].startswith(f"{where}:1:15: parameter focus_contry: unknown parameter")
    assert lines[2].startswith(f"{where}:2:19: parameter max_table_rows: not a whole number")


@pytest.mark.parametrize("break_it", ["unclosed quote", "over-long cell"])
def test_a_file_read_in_part_is_the_one_problem_not_the_references_into_it(data_copy,
                                                                           break_it):
    """Review 15: one unclosed quote in countries.csv gave '150 problems', the cause on line
    52 of them (every reference to a country after the break dangled); one over-long cell in
    claims.csv gave 91 dangling claim_ids besides the real problem."""
    if break_it == "unclosed quote":
        path = data_copy / "countries.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\nBHR,Bahrain", '\nBHR,"Bahrain', 1), encoding="utf-8")
        cause = "countries.csv:7: a quoted cell is never closed"
    else:
        path = data_copy / "claims.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[5] = lines[5].rsplit(",", 1)[0] + "," + "x" * 200_000
        path.write_text("\n".join(lines), encoding="utf-8")
        cause = "claims.csv:6: a cell is longer than 131,072 characters"
    lines = _errors(_cli("check", "--data-dir", str(data_copy)))
    assert len(lines) == 1 and lines[0].startswith("error: ") and cause in lines[0], lines
