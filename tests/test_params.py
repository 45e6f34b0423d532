"""The parameter contract: declarations parsed from the notebooks, and every rejection.

Unit tests on :mod:`briefing.params` (no kernel). The shipped data is validated once per
module; a synthetic dataset shows the checks follow whatever data they are given.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import synthetic
from hypothesis import given
from hypothesis import strategies as st

from briefing import paths
from briefing.errors import DataError, ParameterError
from briefing.param_file import MAX_PARAMETER_FILE_BYTES
from briefing.params import (
    TYPES,
    _Bad,
    check,
    convert,
    declarations,
    parse_declarations,
    read_yaml,
    resolve_data_dir,
)
from briefing.schema import MEMBERSHIP_STATUSES, C
from briefing.validate import validate

PARAM_FILES = sorted(paths.PARAMS_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def data():
    return validate(paths.DATA_DIR)


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text, text
    return text


# ---------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["briefing", "country_profile"])
def test_shipped_notebooks_declare_every_parameter_with_type_default_and_help(notebook):
    declared = declarations(notebook)
    assert declared, notebook
    for d in declared.values():
        assert d.type in TYPES
        assert d.help, f"{notebook}: parameter {d.name} has no help comment"
        assert convert(d.default, d.type) == d.default


def test_briefing_contract_has_the_issue_parameters():
    declared = declarations("briefing")
    expected = {"data_dir": "str", "focus_country": "str", "organisations": "list",
                "statuses": "list", "as_of": "str", "title": "str", "max_table_rows": "int"}
    for name, kind in expected.items():
        assert declared[name].type == kind
    assert declared["statuses"].default == ["member"]
    assert declared["organisations"].default == []


def test_profile_contract_has_a_country():
    declared = declarations("country_profile")
    assert declared["country"].type == "str"
    assert "data_dir" in declared


def test_parse_every_type_with_help_and_non_ascii():
    source = ('name: str = "Tōkyō"  # a name — with a dash\n'
              "count: int = 3  # how many\n"
              "ratio: float = 0.5\n"
              "flag: bool = False  # on or off\n"
              'items: list = ["a", "b"]  # some items\n')
    declared = parse_declarations(source)
    assert [(d.name, d.type, d.default, d.help) for d in declared.values()] == [
        ("name", "str", "Tōkyō", "a name — with a dash"),
        ("count", "int", 3, "how many"),
        ("ratio", "float", 0.5, ""),
        ("flag", "bool", False, "on or off"),
        ("items", "list", ["a", "b"], "some items"),
    ]
    assert declared["count"].line == 2


@pytest.mark.parametrize("source, fragment", [
    ("x = 1\n", "expected a declaration"),
    ("x: dict = {}\n", "type must be one of"),
    ("x: int = 2 * 3\n", "the default must be a literal"),
    ('x: int = "60"\n', "is not of type int"),
    ("x: int = 1\nx: int = 2\n", "declared twice"),
    ("x: int = \n", "not valid Python"),
    ("import os\n", "expected a declaration"),
    ("given: str = ''\n", "is reserved"),
    ("_x: int = 1\n", "is reserved"),
])
def test_malformed_parameters_cell_is_a_contract_error(source, fragment):
    with pytest.raises(ParameterError, match=fragment):
        parse_declarations(source, "nb.ipynb")


def test_notebook_without_parameters_cell(tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {},
                                         "source": "a: int = 1"}]}))
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters'"):
        declarations(nb)


def test_unknown_notebook_lists_the_shipped_ones():
    with pytest.raises(ParameterError, match="briefing, country_profile"):
        declarations("breifing")


# ---------------------------------------------------------------------------------------
# Conversion of values (text from -p, typed from YAML)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, kind, expected", [
    ("60", "int", 60), (" -3 ", "int", -3), (7, "int", 7),
    ("0.5", "float", 0.5), (2, "float", 2.0),
    ("true", "bool", True), ("No", "bool", False), (True, "bool", True),
    ("a,b", "list", ["a", "b"]), ("[member, acceding]", "list", ["member", "acceding"]),
    ("['x', 'y']", "list", ["x", "y"]), (["p", "q"], "list", ["p", "q"]), ("", "list", []),
    ("TJK", "str", "TJK"), (dt.date(2024, 12, 31), "str", "2024-12-31"), (2024, "str", "2024"),
])
def test_convert_accepts(value, kind, expected):
    assert convert(value, kind) == expected


@pytest.mark.parametrize("value, kind, expected_word", [
    ("abc", "int", "an int"), ("6.5", "int", "an int"), (True, "int", "an int"),
    (6.0, "int", "an int"), ("x", "float", "a number"), ("nan", "float", "a number"),
    ("maybe", "bool", "true or false"), (1, "bool", "true or false"),
    (False, "str", "quote values"), ([1], "str", "text"), ([["a"]], "list", "a list"),
])
def test_convert_rejects(value, kind, expected_word):
    with pytest.raises(_Bad) as exc:
        convert(value, kind)
    assert expected_word in exc.value.expected


# ---------------------------------------------------------------------------------------
# check(): defaults and every parameter
# ---------------------------------------------------------------------------------------


def test_defaults_are_normalised(data):
    p = check("briefing", {}, dataset=data)
    orgs = [r[C.CODE] for r in data.rows["organisations"]]
    assert p.focus_country is None
    assert p.organisations == orgs
    assert p.statuses == ["member"]
    assert p.as_of is None
    assert p.max_table_rows == 60
    assert p.title == data.meta["title"]
    assert p.data_dir == paths.DATA_DIR
    assert p.given == {}


def test_check_validates_the_data_itself_when_no_dataset_given():
    p = check("briefing", {"focus_country": "tjk"})
    assert p.validated is not None and p.focus_country == "TJK"


@pytest.mark.parametrize("text", ["TJK", "tjk", "Tajikistan", "TAJIKISTAN", " tajikistan "])
def test_focus_country_by_code_or_name(data, text):
    assert check("briefing", {"focus_country": text}, dataset=data).focus_country == "TJK"


def test_unknown_country_lists_every_choice(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"focus_country": "Narnia"}, dataset=data)
    text = _one_line(exc)
    assert text.startswith("parameter focus_country: unknown country; got 'Narnia'")
    assert "did you mean" not in text
    for code, name in data.country_names.items():
        assert f"{name} ({code})" in text
    assert "data/countries.csv" in text


def test_misspelt_country_suggests_the_closest(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"focus_country": "Tajikstan"}, dataset=data)
    assert "(did you mean 'Tajikistan'?)" in _one_line(exc)


def test_profile_country_is_required(data):
    with pytest.raises(ParameterError, match="parameter country: is empty"):
        check("country_profile", {"country": " "}, dataset=data)
    assert check("country_profile", {"country": "russia"}, dataset=data).country == "RUS"


def test_organisations_by_code_or_name_deduplicated(data):
    first = data.rows["organisations"][0]
    p = check("briefing", {"organisations": [first[C.CODE].lower(), first[C.NAME],
                                             first[C.CODE]]}, dataset=data)
    assert p.organisations == [first[C.CODE]]


def test_unknown_organisation_lists_codes_and_suggests(data):
    code = data.rows["organisations"][0][C.CODE]
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"organisations": "NATO"}, dataset=data)
    text = _one_line(exc)
    assert "unknown organisation; got 'NATO'" in text and code in text
    with pytest.raises(ParameterError, match=f"did you mean '{code}'"):
        check("briefing", {"organisations": code + "X"}, dataset=data)


def test_statuses_are_normalised(data):
    p = check("briefing", {"statuses": "member, Dialogue partner,acceding,member"},
              dataset=data)
    assert p.statuses == ["member", "dialogue_partner", "acceding"]


def test_unknown_status_lists_the_enum_and_suggests(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"statuses": ["member", "acceeding"]}, dataset=data)
    text = _one_line(exc)
    assert "(did you mean 'acceding'?)" in text
    assert all(s in text for s in MEMBERSHIP_STATUSES)


def test_empty_statuses_rejected(data):
    with pytest.raises(ParameterError, match="parameter statuses: is empty"):
        check("briefing", {"statuses": []}, dataset=data)


@pytest.mark.parametrize("value, expected", [
    ("2024-12-31", dt.date(2024, 12, 31)), (dt.date(2024, 12, 31), dt.date(2024, 12, 31)),
    ("", None),
])
def test_as_of(data, value, expected):
    assert check("briefing", {"as_of": value}, dataset=data).as_of == expected


@pytest.mark.parametrize("value", ["2024-02-30", "31/12/2024", "2024-1-1", "yesterday",
                                   "2024-12-31T00:00"])
def test_malformed_as_of(data, value):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"as_of": value}, dataset=data)
    assert f"parameter as_of: not a valid ISO date; got {value!r}" in _one_line(exc)
    assert "YYYY-MM-DD" in str(exc.value)


def test_max_table_rows(data):
    assert check("briefing", {"max_table_rows": "1"}, dataset=data).max_table_rows == 1
    for bad in (0, "-5"):
        with pytest.raises(ParameterError, match="must be at least 1"):
            check("briefing", {"max_table_rows": bad}, dataset=data)
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"max_table_rows": "abc"}, dataset=data)
    assert _one_line(exc) == ("parameter max_table_rows: not a whole number; got 'abc'; "
                              "expected an int such as 60")


def test_title_and_author_are_kept(data):
    p = check("briefing", {"title": "  My title ", "author": "Desk A"}, dataset=data)
    assert (p.title, p.author) == ("My title", "Desk A")


def test_unknown_name_suggests_and_lists_parameters(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"focus_contry": "TJK"}, dataset=data)
    text = _one_line(exc)
    assert "parameter focus_contry: unknown parameter (did you mean 'focus_country'?)" in text
    assert all(name in text for name in declarations("briefing"))


def test_every_problem_is_reported_one_per_line(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"max_table_rows": "x", "nope": 1, "statuses": 3}, dataset=data)
    lines = str(exc.value).splitlines()
    assert lines[0] == "2 problems in the parameters:"
    assert any("parameter nope" in ln for ln in lines)
    assert any("parameter max_table_rows" in ln for ln in lines)


def test_type_problems_are_reported_before_any_data_is_read(tmp_path):
    """A wrong type is caught even when data_dir is also bad (no validation needed)."""
    with pytest.raises(ParameterError, match="max_table_rows: not a whole number"):
        check("briefing", {"max_table_rows": "x", "data_dir": str(tmp_path / "none")})


def test_origins_name_the_file(data):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"focus_country": "Narnia"}, dataset=data,
              origins={"focus_country": "params/x.yaml"})
    assert str(exc.value).startswith("params/x.yaml: parameter focus_country:")


# ---------------------------------------------------------------------------------------
# data_dir
# ---------------------------------------------------------------------------------------


def test_missing_data_dir(tmp_path):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"data_dir": str(tmp_path / "nowhere")})
    assert "parameter data_dir: folder not found" in _one_line(exc)


def test_data_dir_that_is_a_file(tmp_path):
    f = tmp_path / "file.csv"
    f.write_text("x")
    with pytest.raises(ParameterError, match="is a file, not a folder"):
        check("briefing", {"data_dir": str(f)})


def test_empty_data_dir_value():
    with pytest.raises(ParameterError, match="parameter data_dir: is empty"):
        check("briefing", {"data_dir": ""})


def test_invalid_data_dir_surfaces_the_data_error(tmp_path):
    broken = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, broken)
    (broken / "countries.csv").unlink()
    with pytest.raises(DataError) as exc:
        check("briefing", {"data_dir": str(broken)})
    assert "countries.csv: file is missing" in str(exc.value)
    assert exc.value.exit_code == 2


def test_relative_data_dir_from_cwd_then_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("data") == paths.DATA_DIR  # not in cwd: the project's
    (tmp_path / "data").mkdir()
    assert resolve_data_dir("data") == tmp_path / "data"


def test_checks_follow_the_dataset_given(tmp_path):
    """Another dataset, another universe: the checks are not about the shipped article."""
    ds = synthetic.base()
    synthetic.write_dataset(ds, tmp_path)
    p = check("briefing", {"data_dir": str(tmp_path), "focus_country": "france"})
    assert p.organisations == ["ALPHA", "BETA"]
    assert p.title == ds.meta["title"]
    assert p.focus_country == "FRA"
    with pytest.raises(ParameterError, match="got 'TJK'"):
        check("briefing", {"data_dir": str(tmp_path), "focus_country": "TJK"})
    with pytest.raises(ParameterError, match="ALPHA"):
        check("briefing", {"data_dir": str(tmp_path), "organisations": "SCO"})


# ---------------------------------------------------------------------------------------
# In the notebook: check("briefing", globals())
# ---------------------------------------------------------------------------------------


def _globals(**values) -> dict:
    ns = {"__name__": "__main__", "__builtins__": {}, "get_ipython": object(),
          "display": print, "ds": None, "np": None}
    for name, d in declarations("briefing").items():
        ns[name] = d.default
    ns.update(values)
    return ns


def test_globals_ignore_other_names(data):
    p = check("briefing", _globals(max_table_rows=5), dataset=data)
    assert p.max_table_rows == 5
    assert "display" not in p.as_dict()


def test_globals_with_papermill_injected_unknown_name(data):
    ns = _globals(In=["", "data_dir: str = 'data'", "# Parameters\nfocus_contry = \"TJK\"\n",
                      "P = check('briefing', globals())"])
    with pytest.raises(ParameterError, match="did you mean 'focus_country'"):
        check("briefing", ns, dataset=data)


def test_globals_with_papermill_string_for_int(data):
    with pytest.raises(ParameterError, match="max_table_rows: not a whole number"):
        check("briefing", _globals(max_table_rows="abc"), dataset=data)


# ---------------------------------------------------------------------------------------
# The result object
# ---------------------------------------------------------------------------------------


def test_params_object(data):
    p = check("briefing", {"focus_country": "Tajikistan", "as_of": "2024-12-31",
                           "statuses": "member"}, dataset=data)
    assert p["focus_country"] == "TJK" and "as_of" in p
    with pytest.raises(AttributeError, match="did you mean 'focus_country'"):
        _ = p.focus_contry
    with pytest.raises(AttributeError, match="read-only"):
        p.focus_country = "RUS"
    assert p.injectable() == {"focus_country": "TJK", "as_of": "2024-12-31",
                              "statuses": ["member"]}
    assert "focus_country='TJK'" in repr(p)


def test_injectable_data_dir_is_project_relative(data):
    p = check("briefing", {"data_dir": str(paths.DATA_DIR)}, dataset=data)
    assert p.injectable() == {"data_dir": "data"}


# ---------------------------------------------------------------------------------------
# Parameter files
# ---------------------------------------------------------------------------------------


def test_read_yaml_errors(tmp_path):
    with pytest.raises(ParameterError, match="parameter file not found"):
        read_yaml(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("focus_country: TJK\nstatuses: [member\n")
    with pytest.raises(ParameterError, match=r"bad.yaml:\d+:\d+: not valid YAML"):
        read_yaml(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("as_of: 2024-01-01\nas_of: 2024-12-31\n")
    with pytest.raises(ParameterError, match=r"twice.yaml:2:1: .*'as_of' is given twice"):
        read_yaml(twice)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="expected a mapping"):
        read_yaml(listing)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    assert read_yaml(empty) == {}


def test_yaml_booleans_for_text_say_to_quote(data, tmp_path):
    f = tmp_path / "no.yaml"
    f.write_text("focus_country: NO\n")
    with pytest.raises(ParameterError, match="quote values such as 'NO'"):
        check("briefing", read_yaml(f), dataset=data)


def test_there_are_parameter_sets():
    names = {f.stem for f in PARAM_FILES}
    assert {"default", "2024", "tajikistan"} <= names


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.name)
def test_every_shipped_parameter_set_validates(path, data):
    values = read_yaml(path)
    assert values, f"{path.name} sets nothing"
    check("briefing", values, dataset=data, origins=dict.fromkeys(values, path.name))


def test_default_set_is_the_default_briefing(data):
    spelled = check("briefing", read_yaml(paths.PARAMS_DIR / "default.yaml"), dataset=data)
    plain = check("briefing", {}, dataset=data)
    assert spelled.as_dict() == plain.as_dict()


def test_tajikistan_set_focuses_on_tajikistan(data):
    p = check("briefing", read_yaml(paths.PARAMS_DIR / "tajikistan.yaml"), dataset=data)
    assert data.country_names[p.focus_country] == "Tajikistan"


def _status_on(rows, org, code, day):
    return {r[C.STATUS] for r in rows
            if r[C.ORGANISATION] == org and r[C.COUNTRY_CODE] == code
            and r[C.START_DATE] <= day and (r[C.END_DATE] is None or day < r[C.END_DATE])}


def test_2024_set_selects_the_later_members_and_the_frozen_participation(data):
    """As of its date, the reference timeline makes Iran and Belarus SCO members and has
    Armenia's CSTO participation frozen: the set's statuses must count all three."""
    p = check("briefing", read_yaml(paths.PARAMS_DIR / "2024.yaml"), dataset=data)
    assert p.as_of == dt.date(2024, 12, 31)
    timeline = data.rows["membership_timeline"]
    for org, code in (("SCO", "IRN"), ("SCO", "BLR"), ("CSTO", "ARM")):
        held = _status_on(timeline, org, code, p.as_of)
        assert held & set(p.statuses), (org, code, held)
    assert "participation_frozen" in _status_on(timeline, "CSTO", "ARM", p.as_of)



# ---------------------------------------------------------------------------------------
# The same check inside the notebooks (papermill run by hand, without our CLI)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", ["briefing", "country_profile"])
def test_setup_cell_runs_the_same_check(notebook):
    nb = json.loads(paths.NOTEBOOKS_DIR.joinpath(f"{notebook}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    setup = "".join(code[1]["source"])
    assert f'check("{notebook}", globals())' in setup


def _papermill_error(parameters: dict, tmp_path) -> str:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as exc:
        pm.execute_notebook(str(paths.BRIEFING_NOTEBOOK), str(tmp_path / "out.ipynb"),
                            parameters=parameters, progress_bar=False, cwd=str(paths.ROOT),
                            kernel_name="python3")
    assert exc.value.ename == "ParameterError"
    return exc.value.evalue


@pytest.mark.slow
def test_papermill_by_hand_gets_the_same_message(data, tmp_path):
    with pytest.raises(ParameterError) as cli:
        check("briefing", {"focus_country": "Narnia"})
    assert _papermill_error({"focus_country": "Narnia"}, tmp_path) == str(cli.value)


@pytest.mark.slow
def test_papermill_by_hand_unknown_name_and_wrong_type(tmp_path):
    message = _papermill_error({"focus_contry": "TJK", "max_table_rows": "abc"}, tmp_path)
    assert "parameter focus_contry: unknown parameter (did you mean 'focus_country'?)" in message
    assert "parameter max_table_rows: not a whole number; got 'abc'" in message


# ---------------------------------------------------------------------------------------
# Properties of the text conversion (-p values)
# ---------------------------------------------------------------------------------------

_token = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters="_ "),
                 min_size=1, max_size=12).map(str.strip).filter(bool)


@given(st.integers(min_value=-(10**30) + 1, max_value=10**30 - 1))
def test_any_int_round_trips_through_text(n):
    """Any int of up to 30 digits (MAX_NUMBER_DIGITS: longer is refused, see below)."""
    assert convert(str(n), "int") == n


@given(st.lists(_token, max_size=6))
def test_any_comma_list_round_trips(items):
    assert convert(",".join(items), "list") == items
    assert convert(str(items), "list") == items


@given(st.text(max_size=20))
def test_int_conversion_accepts_or_says_what_was_expected(text):
    try:
        value = convert(text, "int")
    except _Bad as bad:
        assert bad.expected == "an int such as 60"
    else:
        assert isinstance(value, int) and str(value) == str(int(text.strip()))


# ---------------------------------------------------------------------------------------
# Hostile parameter files and values (issue 12): a message, exit code 2, never a hang
# ---------------------------------------------------------------------------------------

BILLION_LAUGHS = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    title: *i
    """)


def _cli(*args, timeout: float = 30) -> subprocess.CompletedProcess:
    """The CLI in a child process (args may be bytes, as a shell passes them): a hang or a
    memory blow-up fails the test instead of the run."""
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=paths.ROOT,
                          capture_output=True, timeout=timeout)


def _refused(proc: subprocess.CompletedProcess) -> str:
    """The one error line of a command refused as bad input (exit code 2)."""
    err = proc.stderr.decode("utf-8", "backslashreplace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    return errors[0]


def _yaml_error(tmp_path, text: str) -> str:
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        read_yaml(f)
    return _one_line(exc)


@pytest.mark.parametrize("text, where, fragment", [
    ("max_table_rows: " + "9" * 5000 + "\n", ":1:17:",
     "a number of 5,000 digits: '999"),
    ("as_of: 1." + "5" * 40 + "\n", ":1:8:", "a number of 41 digits"),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", ":1:27:",
     "lists or mappings nested more than 20 deep (expected at most 20 levels"),
    ("title:\n" + "".join("  " * k + "- \n" for k in range(1, 40)), ":21:",
     "nested more than 20 deep"),
    (BILLION_LAUGHS, ":5:", "expands to more than 10,000 values once its aliases"),
    ("a: &a x\ntitle: [" + ",".join(["*a"] * 101) + "]\n", ":2:",
     "more than 100 aliases (*name) (expected at most 100)"),
    ("as_of: 2024-13-45\n", ":1:8:", "'2024-13-45' is not a valid date (month must be"),
    ("max_table_rows: !!int \"12x\"\n", ":1:17:", "'12x' is not a whole number"),
    ("? [a]\n: 1\n", ":1:", "not valid YAML: found unhashable key"),
], ids=["5000-digit-int", "long-float", "flow-5000-deep", "block-40-deep", "billion-laughs",
        "101-aliases", "impossible-date", "tagged-int", "list-as-key"])
def test_hostile_yaml_is_a_located_message(tmp_path, text, where, fragment):
    message = _yaml_error(tmp_path, text)
    assert message.startswith(f"{paths.display_path(tmp_path / 'p.yaml')}{where}"), message
    assert fragment in message, message


def test_yaml_limits_leave_ordinary_files_alone(tmp_path):
    f = tmp_path / "ok.yaml"
    f.write_text("a: &a [member, acceding]\nstatuses: *a\n" + "title: " + "9" * 30 + "\n")
    assert read_yaml(f) == {"a": ["member", "acceding"], "statuses": ["member", "acceding"],
                            "title": int("9" * 30)}


def test_yaml_merge_keys_are_accepted_and_explicit_keys_win(data, tmp_path):
    f = tmp_path / "merge.yaml"
    f.write_text("<<: {title: Merged, max_table_rows: 30, focus_country: TJK}\n"
                 "max_table_rows: 40\n")
    values = read_yaml(f)
    assert values == {"title": "Merged", "max_table_rows": 40, "focus_country": "TJK"}
    params = check("briefing", values, dataset=data)
    assert (params.max_table_rows, params.focus_country) == (40, "TJK")
    # (which of two merged mappings wins on a shared key changed in PyYAML 6.0.4,
    # yaml/pyyaml#953: not relied on)
    f.write_text("<<: [{title: A}, {as_of: 2024-12-31}]\nfocus_country: TJK\n")
    assert read_yaml(f) == {"title": "A", "as_of": dt.date(2024, 12, 31),
                            "focus_country": "TJK"}
    f.write_text("<<: {title: A}\nas_of: 2024-01-01\nas_of: 2024-12-31\n")
    with pytest.raises(ParameterError, match=r"merge.yaml:3:1: .*'as_of' is given twice"):
        read_yaml(f)


def test_parameter_file_over_the_size_limit(tmp_path):
    f = tmp_path / "huge.yaml"
    f.write_text("title: x\n")
    os.truncate(f, MAX_PARAMETER_FILE_BYTES + 500_000)  # sparse: nothing is read
    with pytest.raises(ParameterError) as exc:
        read_yaml(f)
    assert _one_line(exc) == (f"{paths.display_path(f)}: 1.5 MB is over the limit of 1 MB "
                              "for a parameter file (expected a file of at most 1 MB)")


def test_parameter_file_not_utf8_names_the_line(tmp_path):
    f = tmp_path / "latin.yaml"
    f.write_bytes(b"focus_country: TJK\ntitle: Caf\xe9\n")
    with pytest.raises(ParameterError) as exc:
        read_yaml(f)
    assert _one_line(exc) == (f"{paths.display_path(f)}:2: not valid UTF-8 (byte 0xe9) "
                              "(expected the file saved as UTF-8)")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-symlink", "dev-zero", "folder"])
def test_parameter_file_that_is_not_a_regular_file(tmp_path, kind):
    target = tmp_path / "p.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev-zero-symlink":
        os.symlink("/dev/zero", target)
    elif kind == "folder":
        target.mkdir()
    else:
        target = Path("/dev/zero")
    line = _refused(_cli("params", "-f", str(target)))
    expected = {"fifo": "is a named pipe (FIFO), not a regular file",
                "dev-zero-symlink": "is a symbolic link to /dev/zero, a character device, "
                                    "not a regular file",
                "dev-zero": "is a character device, not a regular file",
                "folder": "is a folder, not a file"}[kind]
    assert line.startswith(f"error: {paths.display_path(target)}: {expected}"), line


def test_a_hostile_parameter_file_via_the_cli(tmp_path):
    f = tmp_path / "bomb.yaml"
    f.write_text(BILLION_LAUGHS)
    assert "expands to more than 10,000 values" in _refused(_cli("params", "-f", str(f)))


def test_a_byte_that_is_not_utf8_via_the_cli_is_refused_before_anything_runs(tmp_path):
    """``-p title $'\\xff'`` in bash: Python sees the lone surrogate U+DCFF."""
    for command in ("params", "render"):
        line = _refused(_cli(command, "-p", "title", b"Caf\xff", "--data-dir",
                             os.fsencode(paths.DATA_DIR), *(["--out", str(tmp_path)]
                                                            if command == "render" else [])))
        assert line == ("error: parameter title: contains U+DCFF, a lone surrogate: a byte "
                        "0xff that is not UTF-8 text, which cannot be written into the report; "
                        "got 'Caf\\udcff'; expected UTF-8 text (save the file as UTF-8, or set "
                        "the terminal's encoding to UTF-8)")
    assert not any(tmp_path.iterdir())  # refused before a kernel or an output


@pytest.mark.parametrize("name, value, code", [
    ("title", "\udcff", "U+DCFF"), ("title", "Xi\u202e and Putin", "U+202E"),
    ("focus_country", "T\u200bJK", "U+200B"), ("focus_country", "TJK\u200d", "U+200D"),
    ("organisations", ["SCO", "CS\u2066TO"], "U+2066"), ("as_of", "2024-12-31\ufeff", "U+FEFF"),
    ("data_dir", "da\udcfft", "U+DCFF"),
])
def test_values_with_hidden_characters_are_refused(data, name, value, code):
    with pytest.raises(ParameterError) as exc:
        check("briefing", {name: value}, dataset=data)
    message = _one_line(exc)
    assert message.startswith(f"parameter {name}: contains {code}"), message
    assert "\\u" in message  # the character is shown escaped


def test_a_title_may_keep_a_joiner(data):
    title = "می\u200cخواهم \U0001F469\u200d\U0001F4BB"  # ZWNJ in Persian, ZWJ in an emoji
    assert check("briefing", {"title": title}, dataset=data).title == title


def test_a_5000_digit_number_from_the_command_line():
    with pytest.raises(ParameterError) as exc:
        check("briefing", {"max_table_rows": "9" * 5000})
    message = _one_line(exc)
    assert message.startswith("parameter max_table_rows: a number of 5,000 digits; got '999")
    assert message.endswith("; expected at most 30 digits")
