"""Declared parameters of a notebook, and their validation before any kernel starts.

Each notebook declares its parameters once, in the cell tagged ``parameters``, in the form
that ``papermill --help-notebook`` documents::

    focus_country: str = ""  # ISO code or name of a state to highlight (default: none)

:func:`declarations` reads that cell with :mod:`ast` (name, type, default, help).
:func:`check` validates values against it -- unknown names, wrong types, countries,
organisations, statuses, dates, the data directory -- and returns normalised values.
The CLI calls it before starting a kernel; the notebook's setup cell calls the very same
function (``P = check("briefing", globals())``), so running a notebook by hand with papermill
or in Jupyter gets the same errors.

No pandas here: validation uses :mod:`briefing.validate`'s typed rows and stays fast.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .constraints import FALSE, TRUE, hidden_character
from .constraints import suggest as _suggest
from .errors import ParameterError
from .param_file import MAX_NUMBER_DIGITS
from .param_file import read_yaml as read_yaml  # the CLI reads -f files through here
from .schema import FREE_TEXT, MEMBERSHIP_STATUSES, C
from .validate import Validated

TYPES = ("str", "int", "float", "bool", "list")
_MISSING = object()
# Attributes of the checked result (Params) that a parameter may not shadow.
RESERVED = ("given", "validated", "declarations", "as_dict", "injectable")


@dataclass(frozen=True)
class Declaration:
    """One parameter as its notebook declares it."""

    name: str
    type: str
    default: object
    help: str
    line: int

    def describe_default(self) -> str:
        return json.dumps(self.default, ensure_ascii=False)


# ---------------------------------------------------------------------------------------
# Reading the parameters cell
# ---------------------------------------------------------------------------------------


def notebook_path(notebook: str | Path) -> Path:
    """``"briefing"`` -> notebooks/briefing.ipynb; a path (with a suffix or a slash) as is."""
    text = str(notebook)
    if isinstance(notebook, Path) or text.endswith(".ipynb") or "/" in text:
        return Path(notebook)
    return paths.NOTEBOOKS_DIR / f"{text}.ipynb"


def notebook_names() -> list[str]:
    """The notebooks shipped in notebooks/ (by name, without .ipynb)."""
    return sorted(p.stem for p in paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def declarations(notebook: str | Path) -> dict[str, Declaration]:
    """The parameters declared in ``notebook``'s ``parameters`` cell, in cell order."""
    path = notebook_path(notebook)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ParameterError(
            f"notebook {notebook!s} not found (expected one of {', '.join(notebook_names())}, "
            "or a path to an .ipynb file)") from None
    return _declarations(path, stamp)


@functools.lru_cache(maxsize=16)
def _declarations(path: Path, _stamp: int) -> dict[str, Declaration]:
    where = paths.display_path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"{where}: not a readable notebook ({exc})") from None
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise ParameterError(f"{where}: expected exactly one cell tagged 'parameters', "
                             f"found {len(tagged)}")
    source = tagged[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return parse_declarations(source, where)


def parse_declarations(source: str, where: str = "parameters cell") -> dict[str, Declaration]:
    """Parse ``name: type = default  # help`` lines; anything else is a contract error."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: parameters cell line {exc.lineno}: not valid Python "
                             f"({exc.msg})") from None
    lines = source.splitlines()
    out: dict[str, Declaration] = {}
    for node in tree.body:
        here = f"{where}: parameters cell line {node.lineno}"
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and node.value is not None):
            raise ParameterError(f"{here}: expected a declaration 'name: type = default  "
                                 "# help'")
        name = node.target.id
        if name.startswith("_") or name in RESERVED:
            raise ParameterError(f"{here}: parameter name {name!r} is reserved (names may "
                                 f"not start with '_' or be one of {', '.join(RESERVED)})")
        kind = node.annotation.id if isinstance(node.annotation, ast.Name) else None
        if kind not in TYPES:
            raise ParameterError(f"{here}: parameter {name}: type must be one of "
                                 f"{', '.join(TYPES)} (got {ast.unparse(node.annotation)!r})")
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(f"{here}: parameter {name}: the default must be a literal "
                                 f"(got {ast.unparse(node.value)!r}); derive values in the "
                                 "next cell") from None
        if not _is_type(default, kind):
            raise ParameterError(f"{here}: parameter {name}: default {default!r} is not "
                                 f"of type {kind}")
        if name in out:
            raise ParameterError(f"{here}: parameter {name} is declared twice")
        raw = lines[node.end_lineno - 1].encode("utf-8")[node.end_col_offset:]
        rest = raw.decode("utf-8").strip()
        help_text = rest[1:].strip() if rest.startswith("#") else ""
        out[name] = Declaration(name, kind, default, help_text, node.lineno)
    return out


def _is_type(value, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, str)


# ---------------------------------------------------------------------------------------
# Type conversion (CLI values arrive as text, YAML values typed)
# ---------------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that cannot be used: message and what was expected."""

    def __init__(self, message: str, expected: str, suggestion: str = ""):
        super().__init__(message)
        self.message, self.expected, self.suggestion = message, expected, suggestion


def convert(value, kind: str):
    """``value`` as ``kind``; text from ``-p`` is parsed (``"60"`` -> 60, ``"a,b"`` -> list).

    Raises ``_Bad`` naming what was expected.
    """
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            raise _Bad("got a true/false value", "text (in YAML, quote values such as 'NO' "
                       "or 'yes' that YAML reads as booleans)")
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, int | float):
            return str(value)
        if value is None:
            return ""
        raise _Bad(f"not text but a {type(value).__name__}", "text")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            digits = len(value.strip().lstrip("+-"))
            if digits > MAX_NUMBER_DIGITS:
                raise _Bad(f"a number of {digits:,} digits",
                           f"at most {MAX_NUMBER_DIGITS} digits")
            try:  # strip() drops every Unicode space (e.g. \x1f) that int() would refuse
                return int(value.strip())
            except ValueError:
                pass
        raise _Bad("not a whole number", "an int such as 60")
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise _Bad("not a number", "a number such as 0.5") from None
        else:
            raise _Bad("not a number", "a number such as 0.5")
        if not math.isfinite(number):
            raise _Bad("not a finite number", "a number such as 0.5")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
            return value.strip().lower() in TRUE
        raise _Bad("not true or false", "true or false")
    if kind == "list":
        items = _as_list(value)
        out = []
        for item in items:
            if isinstance(item, list | tuple | dict | set) or isinstance(item, bool):
                raise _Bad("a list item is not a plain value", "a list of codes or names, "
                           "e.g. member,acceding")
            text = "" if item is None else str(item).strip()
            if text:
                out.append(text)
        return out
    raise AssertionError(kind)


def _as_list(value) -> list:
    if isinstance(value, list | tuple):
        return list(value)
    if value is None:
        return []
    if not isinstance(value, str):
        if isinstance(value, bool):
            raise _Bad("got a true/false value", "a list, e.g. member,acceding")
        return [value]
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            text = text[1:-1]
        else:
            if isinstance(parsed, list):
                return parsed
    return [part.strip().strip("'\"") for part in text.split(",")]


# ---------------------------------------------------------------------------------------
# The validated result
# ---------------------------------------------------------------------------------------


class Params:
    """Validated, normalised parameter values with attribute access (``P.focus_country``).

    ``given`` holds the values the caller supplied, converted to their declared types --
    what the CLI injects into the notebook -- and ``validated`` the checked dataset.
    """

    def __init__(self, notebook: str, values: dict, given: dict,
                 validated: Validated | None, declared: dict[str, Declaration]):
        self.__dict__.update(_notebook=notebook, _values=values, given=given,
                             validated=validated, declarations=declared)

    def __getattr__(self, name: str):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"no parameter {name!r}" + suggest(name, values))

    def __setattr__(self, name, value):
        raise AttributeError("parameters are read-only once checked")

    def __getitem__(self, name: str):
        return self._values[name]

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def as_dict(self) -> dict:
        return dict(self._values)

    def injectable(self) -> dict:
        """The given parameters, normalised, as the literals papermill injects.

        Codes replace names (``Tajikistan`` -> ``TJK``), dates become ISO text and the data
        folder is shown relative to the project, so equal requests inject equal cells.
        """
        out = {}
        for key in self.given:
            value = self._values[key]
            if isinstance(value, Path):
                value = paths.display_path(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif value is None:
                value = ""
            out[key] = value
        return out

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Params({self._notebook}: {inner})"


# ---------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------


def suggest(value, choices) -> str:
    """The validator's suggestion, stricter: a parameter value is short, so 'Narnia' must
    not become 'Armenia'."""
    return _suggest(str(value), choices, cutoff=0.8)


def _line(name: str, message: str, value=_MISSING, expected: str | None = None,
          origin: str | None = None, hint: str = "") -> str:
    """``[file: ]parameter NAME: what is wrong; got VALUE (did you mean X?); expected Y``."""
    text = f"{origin}: " if origin else ""
    text += f"parameter {name}: {message}"
    if value is not _MISSING:
        shown = repr(value)
        text += "; got " + (shown if len(shown) <= 80 else shown[:77] + "...")
    text += hint
    if expected:
        text += f"; expected {expected}"
    return text


def _hidden_character(name: str, value) -> tuple[str, str, str] | None:
    """The first text (or list item) of ``value`` that would reorder the report around it,
    hide in it, or fail to be written as UTF-8 (a byte from ``-p`` that was not UTF-8)."""
    for text in value if isinstance(value, list) else (value,):
        if isinstance(text, str):
            hidden = hidden_character(text, free_text=name in FREE_TEXT)
            if hidden is not None:
                return hidden
    return None


def _raise(problems: list[str]) -> None:
    if len(problems) == 1:
        raise ParameterError(problems[0])
    raise ParameterError("\n".join([f"{len(problems)} problems in the parameters:",
                                    *(f"  {p}" for p in problems)]))


def _is_namespace(values: dict) -> bool:
    """A notebook's ``globals()`` rather than a plain dict of parameter values."""
    return "__builtins__" in values or "get_ipython" in values or "__name__" in values


def _injected_names(namespace: dict) -> set[str]:
    """Names papermill injected in this kernel (its cell starts with '# Parameters')."""
    history = namespace.get("In") or namespace.get("_ih") or []
    for source in reversed(list(history)):
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return set()
            return {t.id for node in tree.body if isinstance(node, ast.Assign)
                    for t in node.targets if isinstance(t, ast.Name)}
    return set()


#: The environment variable through which ``render`` and ``batch`` tell the notebook's kernel
#: (which inherits it) the output options they were given, as JSON: ``out`` (an absolute
#: path) and ``formats``, each only when not the default. The report's rebuild command
#: (:func:`briefing.present.build_info`) then renders it again where it is. A notebook run in
#: Jupyter or by papermill has none: its command names the default folder.
RENDER_OPTIONS_ENV = "BRIEFING_RENDER_OPTIONS"


def render_options() -> dict[str, str]:
    """The output options of the render this process runs in (:data:`RENDER_OPTIONS_ENV`),
    ``{}`` when it was started otherwise."""
    try:
        options = json.loads(os.environ.get(RENDER_OPTIONS_ENV) or "{}")
    except ValueError:
        return {}
    if not isinstance(options, dict):
        return {}
    return {k: v for k, v in options.items() if k in ("out", "formats") and isinstance(v, str)}


def resolve_data_dir(text: str) -> Path:
    """A data folder: absolute, or relative to the current folder, else to the project root.

    The fallback lets the default ``data`` work from a notebook opened in notebooks/.
    """
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    here = Path.cwd() / path
    if here.is_dir() or not (paths.ROOT / path).is_dir():
        return here.resolve()
    return (paths.ROOT / path).resolve()


def check(notebook: str | Path, namespace: dict, dataset: Validated | None = None, *,
          origins: dict[str, str] | None = None) -> Params:
    """Validate parameter values for ``notebook``; return them normalised.

    Parameters
    ----------
    notebook
        ``"briefing"``, ``"country_profile"`` or a path to a notebook whose ``parameters``
        cell declares the contract.
    namespace
        Either a plain mapping of the values given (from ``-p``/``-f``; text is converted to
        the declared type, missing names take their defaults), or a notebook's ``globals()``
        (only the declared names are read; names papermill injected that are not declared
        are reported).
    dataset
        An already validated dataset; by default ``data_dir`` is validated here.
    origins
        Where each value came from (``"-p"``, ``"params/x.yaml"``), named in messages.

    Raises
    ------
    ParameterError
        One line per bad parameter (exit code 2 in the CLI).
    DataError
        When ``data_dir`` exists but does not follow the schema.
    """
    declared = declarations(notebook)
    name = notebook_path(notebook).stem
    origins = origins or {}
    problems: list[str] = []
    if _is_namespace(namespace):
        unknown = sorted(_injected_names(namespace) - set(declared))
        given = {k: namespace[k] for k in declared if k in namespace}
    else:
        unknown = [k for k in namespace if k not in declared]
        given = {k: v for k, v in namespace.items() if k in declared}
    for key in unknown:
        problems.append(_line(key, "unknown parameter", hint=suggest(key, declared),
                              expected=f"one of the {name} notebook's parameters: "
                              f"{', '.join(declared)}", origin=origins.get(key)))
    typed: dict = {}
    for key, value in given.items():
        try:
            typed[key] = convert(value, declared[key].type)
        except _Bad as bad:
            problems.append(_line(key, bad.message, value, bad.expected, origins.get(key)))
            continue
        hidden = _hidden_character(key, typed[key])
        if hidden is not None:
            message, shown, expected = hidden
            problems.append(_line(key, message, shown, expected, origins.get(key)))
    if problems:
        _raise(problems)
    values = {k: typed.get(k, d.default) for k, d in declared.items()}
    checker = _Checker(values, typed, origins, dataset)
    for key in sorted(declared, key=lambda k: k != "data_dir"):  # the data first
        getattr(checker, f"check_{key}", lambda: None)()
    if checker.problems:
        _raise(checker.problems)
    return Params(name, values, typed, checker.validated, declared)


def validate_data_dir(text: str, origin: str | None = None) -> Validated:
    """Validate the data folder named by ``text``; ParameterError when it is not a folder.

    A folder that exists but breaks the schema raises the validator's DataError, which
    lists every problem by file, line and column. In a kernel the command line started,
    the data it validated is taken instead when the files are unchanged
    (:mod:`briefing.handoff`): a render validates its data once.
    """
    from .handoff import take
    from .validate import validate

    path = resolve_data_dir(text)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "folder not found"
        raise ParameterError(_line("data_dir", what, text, "a data directory following the "
                                   "schema (article.txt, article.json and the CSVs listed in "
                                   "data/README.md)", origin))
    handed = take(path)
    return handed if handed is not None else validate(path)


class _Checker:
    """Domain checks by parameter name; each normalises ``values[name]`` in place."""

    def __init__(self, values: dict, given: dict, origins: dict, validated: Validated | None):
        self.values, self.given, self.origins = values, given, origins
        self.problems: list[str] = []
        self.validated = validated

    def bad(self, name: str, message: str, value=_MISSING, expected: str | None = None,
            hint: str = ""):
        self.problems.append(_line(name, message, value, expected, self.origins.get(name),
                                   hint))

    # -- the data -----------------------------------------------------------------------

    def _universe(self):
        """(country code -> name, organisation code -> name, countries file) or None."""
        if self.validated is None:
            return None
        rows = self.validated.rows
        countries = {r[C.COUNTRY_CODE]: r[C.NAME] for r in rows["countries"]}
        orgs = {r[C.CODE]: r[C.NAME] for r in rows["organisations"]}
        return countries, orgs, self.validated.data_dir

    def check_data_dir(self):
        text = self.values["data_dir"]
        if not text.strip():
            self.bad("data_dir", "is empty", expected="a data directory, e.g. data")
            return
        path = resolve_data_dir(text)
        self.values["data_dir"] = path
        if self.validated is not None:
            return
        try:
            self.validated = validate_data_dir(text, self.origins.get("data_dir"))
        except ParameterError as exc:
            self.problems.append(str(exc))

    # -- countries, organisations, statuses --------------------------------------------

    def _country(self, name: str, required: bool):
        text = self.values[name].strip()
        if not text:
            if required:
                self.bad(name, "is empty", expected="an ISO code or a country name")
            self.values[name] = None
            return
        universe = self._universe()
        if universe is None:
            self.values[name] = text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else text
            return
        countries, _, data_dir = universe
        by_code = {code.upper(): code for code in countries}
        by_name = {n.casefold(): code for code, n in countries.items()}
        code = by_code.get(text.upper()) or by_name.get(text.casefold())
        if code is None:
            names = sorted(countries.values())
            hint = suggest(text, names + sorted(countries))
            listing = ", ".join(f"{countries[c]} ({c})" for c in
                                sorted(countries, key=lambda c: countries[c]))
            where = paths.display_path(Path(data_dir) / "countries.csv")
            self.bad(name, "unknown country", self.values[name],
                     f"an ISO code or a name from {where}: {listing}", hint)
            return
        self.values[name] = code

    def check_focus_country(self):
        self._country("focus_country", required=False)

    def check_country(self):
        self._country("country", required=True)

    def check_organisations(self):
        universe = self._universe()
        wanted = self.values["organisations"]
        if universe is None:
            self.values["organisations"] = [w.upper() for w in wanted]
            return
        _, orgs, data_dir = universe
        if not wanted:
            self.values["organisations"] = list(orgs)
            return
        by_key = {code.upper(): code for code in orgs}
        by_key.update({n.casefold(): code for code, n in orgs.items()})
        out: list[str] = []
        for item in wanted:
            code = by_key.get(item.upper()) or by_key.get(item.casefold())
            if code is None:
                where = paths.display_path(Path(data_dir) / "organisations.csv")
                listing = ", ".join(f"{c} ({n})" for c, n in orgs.items())
                self.bad("organisations", "unknown organisation", item,
                         f"codes from {where}: {listing}", suggest(item, [*orgs, *orgs.values()]))
            elif code not in out:
                out.append(code)
        self.values["organisations"] = out

    def check_statuses(self):
        out: list[str] = []
        for item in self.values["statuses"]:
            key = re.sub(r"[\s-]+", "_", item.strip().lower())
            if key not in MEMBERSHIP_STATUSES:
                self.bad("statuses", "unknown membership status", item,
                         f"any of {', '.join(MEMBERSHIP_STATUSES)}",
                         suggest(item, MEMBERSHIP_STATUSES))
            elif key not in out:
                out.append(key)
        if not out and not self.values["statuses"]:
            self.bad("statuses", "is empty", expected="at least one of "
                     f"{', '.join(MEMBERSHIP_STATUSES)}")
        self.values["statuses"] = out

    # -- the rest ----------------------------------------------------------------------

    def check_as_of(self):
        text = self.values["as_of"].strip()
        if not text:
            self.values["as_of"] = None
            return
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            self.values["as_of"] = dt.date.fromisoformat(text)
        except ValueError:
            self.bad("as_of", "not a valid ISO date", self.values["as_of"],
                     "YYYY-MM-DD, e.g. 2024-12-31 (or empty for the article's date)")

    def check_max_table_rows(self):
        if self.values["max_table_rows"] < 1:
            self.bad("max_table_rows", "must be at least 1", self.values["max_table_rows"],
                     "a whole number >= 1")

    def check_title(self):
        title = self.values["title"].strip()
        meta = self.validated.meta if self.validated is not None else None
        if not title and meta:
            title = meta.get("title", "")
        self.values["title"] = title


def describe(notebook: str | Path) -> str:
    """The parameters of ``notebook`` as a table: name, type, default, help."""
    declared = declarations(notebook)
    rows = [(d.name, d.type, d.describe_default(), d.help) for d in declared.values()]
    widths = [max(len(r[i]) for r in [("name", "type", "default", ""), *rows])
              for i in range(3)]
    head = notebook_path(notebook)
    out = [f"Parameters of {paths.display_path(head)} (set with -p NAME VALUE or -f FILE.yaml):",
           ""]
    for name, kind, default, help_text in rows:
        out.append(f"  {name:<{widths[0]}}  {kind:<{widths[1]}}  "
                   f"{default:<{widths[2]}}  {help_text}".rstrip())
    return "\n".join(out)
