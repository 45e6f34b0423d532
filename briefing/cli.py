"""Command line: ``python -m briefing check|params|render|batch|dictionary|draft``.

Imports stay light until validation has passed (no pandas, papermill or nbconvert), so a bad
parameter or bad data is reported in a fraction of a second, before any kernel starts.
Exit codes: 0 success, 1 failed render, 2 bad input (data, parameters or the command line,
one ``error:`` line), 130 interrupted (Ctrl-C or SIGTERM, with what was replaced).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from . import output, paths, stop
from .errors import BriefingError, ParameterError

FORMATS = ("html", "pdf")
NOTEBOOK_HELP = "briefing, country_profile or a path to a notebook"


class _Parser(argparse.ArgumentParser):
    """argparse with the kit's errors: one ``error:`` line saying what was expected (exit 2,
    through :func:`main`), no usage block. It remembers the options it was given
    (``add_argument`` returns each) to say what an option expects."""

    def __init__(self, *args, **kwargs):
        self.options: dict[str, argparse.Action] = {}  # filled from here (-h is one)
        self.commands: argparse.Action | None = None
        super().__init__(*args, **kwargs)

    def add_argument(self, *args, **kwargs) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.options["/".join(action.option_strings)] = action
        return action

    def add_subparsers(self, **kwargs):
        self.commands = super().add_subparsers(**kwargs)
        return self.commands

    def error(self, message: str):
        raise ParameterError(self.one_line(message))

    def one_line(self, message: str) -> str:
        """argparse's ``message`` as one line that names the option and what it expects."""
        if self.commands is not None and message.endswith(f": {self.commands.dest}"):
            return f"no command given (expected one of {', '.join(self.commands.choices)})"
        name, _, detail = message.removeprefix("argument ").partition(": ")
        if self.commands is not None and name == self.commands.dest:
            return f"{name}: {detail}"  # an unknown command, and the choices
        action = self.options.get(name)
        if action is None or not detail:
            return f"{message} (see {self.prog} --help)"
        if detail.startswith("expected"):  # a value missing: say what it is
            metavar = action.metavar or action.dest.upper()
            shown = " ".join(metavar) if isinstance(metavar, tuple) else metavar
            detail += f" ({action.option_strings[0]} {shown}: {action.help})"
        return f"{name}: {detail}"


def _number(convert, what: str, expected: str):
    """An argparse ``type``: ``convert`` (float, int), and what a value that is not one
    was expected to be."""
    def parse(text: str):
        try:
            return convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what} (got {text!r}; expected "
                                             f"{expected})") from None

    return parse


SECONDS = _number(int, "a whole number of seconds", "a whole number of seconds such as 300")
#: The longest --cell-timeout accepted: a day (nbclient takes whole seconds, and a larger
#: value would overflow its clock arithmetic).
MAX_CELL_TIMEOUT = 86_400


def _given(value: str | None, option: str, expected: str) -> None:
    """ParameterError when ``option`` was given an empty ``value`` (it would mean the
    default, and write where nobody asked)."""
    if value is not None and not value.strip():
        raise ParameterError(f"{option}: is empty (got {value!r}; expected {expected})")


class _Ordered(argparse.Action):
    """-p NAME VALUE and -f FILE share one list, applied in order: a later value wins
    (the kit's rule; papermill applies every -f before any -p)."""

    def __call__(self, parser, namespace, values, option_string=None):
        items = list(getattr(namespace, self.dest) or [])
        items.append((self.const, values))
        setattr(namespace, self.dest, items)


def _add_parameter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--parameter", dest="sources", nargs=2, action=_Ordered,
                        const="-p", metavar=("NAME", "VALUE"),
                        help="set a parameter (repeatable; text is converted to the "
                        "declared type, lists as a,b)")
    parser.add_argument("-f", "--parameters-file", dest="sources", action=_Ordered,
                        const="-f", metavar="FILE.yaml",
                        help="read parameters from a YAML file (repeatable; later "
                        "-p/-f win)")
    parser.add_argument("--data-dir", help="shorthand for -p data_dir DIR")


def _add_output_options(parser: argparse.ArgumentParser, out: str | None, out_help: str,
                        notebook: str, notebook_help: str) -> None:
    """The options ``render`` and ``batch`` share; only the defaults differ."""
    parser.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf")
    parser.add_argument("--cell-timeout", type=SECONDS, metavar="SECONDS",
                        help="the longest one cell may run (default: 300)")
    parser.add_argument("--out", default=out, help=out_help)
    parser.add_argument("--notebook", default=notebook, help=notebook_help)


def collect(args) -> tuple[dict, dict]:
    """Parameter values and where each came from, in command-line order (later wins)."""
    from .params import read_yaml

    values: dict = {}
    origins: dict = {}
    if getattr(args, "data_dir", None) is not None:
        values["data_dir"] = args.data_dir
    for kind, item in getattr(args, "sources", None) or []:
        if kind == "-p":
            name, value = item
            values[name] = value
            origins.pop(name, None)  # named in the message already; files are named
        else:
            given = read_yaml(item)  # each value's line and column, for the messages
            for name, value in given.items():
                values[name] = value
                origins[name] = given.origins.get(name, paths.display_path(item))
    return values, origins


def parse_formats(text: str) -> tuple[str, ...]:
    from .constraints import suggest

    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    if not formats:  # no format would remove the previous HTML and PDF
        raise ParameterError(f"--format: no format given (got {text!r}; expected html, pdf "
                             "or html,pdf)")
    for f in formats:
        if f not in FORMATS:
            raise ParameterError(f"--format: unknown format {f!r}{suggest(f, FORMATS)} "
                                 f"(expected html, pdf or html,pdf; the executed .ipynb is "
                                 "always kept)")
    return formats


def _cmd_check(args) -> int:
    from .params import validate_data_dir

    _given(args.data_dir, "--data-dir", "a data folder such as data/")
    v = validate_data_dir(args.data_dir)
    for w in v.warnings:
        print(f"warning: {w}", file=sys.stderr)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in v.rows.items())
    print(f"{paths.display_path(v.data_dir)}: valid ({counts})")
    return 0


def _cmd_params(args) -> int:
    from .params import check, describe

    params = None
    if args.sources or args.data_dir is not None:  # validated first: an error is all it says
        values, origins = collect(args)
        params = check(args.notebook, values, origins=origins)
    print(describe(args.notebook))
    if params is not None:
        print("\nValid. Values after normalisation:")
        for name, value in params.as_dict().items():
            mark = " (given)" if name in params.given else ""
            shown = paths.display_path(value) if isinstance(value, Path) else repr(value)
            print(f"  {name} = {shown}{mark}")
    return 0


def _cell_timeout(args) -> int | None:
    value = getattr(args, "cell_timeout", None)
    if value is not None and not 0 < value <= MAX_CELL_TIMEOUT:
        raise ParameterError(f"--cell-timeout: must be from 1 to {MAX_CELL_TIMEOUT:,} seconds "
                             f"(got {value:,})")
    return value


#: What ``render`` and ``batch`` import, in the parent or the kernel: module -> the package
#: of requirements.txt that provides it. Looked up (not imported) before anything starts.
RENDER_MODULES = {"yaml": "PyYAML", "pycountry": "pycountry", "jinja2": "Jinja2",
                  "pandas": "pandas", "matplotlib": "matplotlib", "nbformat": "nbformat",
                  "jupyter_core": "jupyter_core", "jupyter_client": "jupyter_client",
                  "ipykernel": "ipykernel", "nbclient": "nbclient", "papermill": "papermill",
                  "nbconvert": "nbconvert", "weasyprint": "weasyprint",
                  "uharfbuzz": "uharfbuzz", "tqdm": "tqdm"}


class MissingPackage(BriefingError):
    """This Python lacks a package of requirements.txt (the kit's .venv has them all)."""

    exit_code = 2

    def __init__(self, packages: list[str]):
        names = ", ".join(dict.fromkeys(packages))
        super().__init__(
            f"this Python ({sys.executable}) lacks the package{'s' if len(packages) > 1 else ''}"
            f" {names} (requirements.txt): run make setup in the project folder, then "
            ".venv/bin/python -m briefing ..., or activate the environment first "
            "(. .venv/bin/activate)")


def require_packages(modules: dict[str, str] = RENDER_MODULES) -> None:
    """MissingPackage naming every package of ``modules`` this Python cannot import."""
    import importlib.util

    missing = [package for module, package in modules.items()
               if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingPackage(missing)


@contextlib.contextmanager
def render_options(out: Path, default_out: Path, formats: tuple[str, ...]):
    """Hand the output folder and formats to the kernels started meanwhile (they inherit
    the environment), when not the defaults, for the report's rebuild command
    (:data:`briefing.params.RENDER_OPTIONS_ENV`); the variable is restored afterwards."""
    from .params import RENDER_OPTIONS_ENV

    options = {}
    if out.resolve() != default_out.resolve():
        options["out"] = str(out.resolve())
    if set(formats) != set(FORMATS):
        options["formats"] = ",".join(formats)
    before = os.environ.get(RENDER_OPTIONS_ENV)
    os.environ[RENDER_OPTIONS_ENV] = json.dumps(options, sort_keys=True)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(RENDER_OPTIONS_ENV, None)
        else:
            os.environ[RENDER_OPTIONS_ENV] = before


def _cmd_render(args) -> int:
    require_packages()
    from .params import check

    _given(args.out, "--out", "an output folder such as reports/")
    formats = parse_formats(args.format)
    timeout = _cell_timeout(args)
    values, origins = collect(args)
    params = check(args.notebook, values, origins=origins)
    default_out = (paths.REPORTS_DIR / "profiles" if "country" in params
                   else paths.REPORTS_DIR)
    out = Path(args.out) if args.out else default_out
    with render_options(out, default_out, formats):
        return _render(args, params, out, formats, timeout)


def _render(args, params, out: Path, formats: tuple[str, ...], timeout) -> int:
    from .batch import ensure_writable, make_job, run_job
    from .params import notebook_path
    from .render import output_names

    job = make_job(notebook_path(args.notebook), params, out, formats, timeout)
    data_dir = params.validated.data_dir if params.validated is not None else None
    output.refuse_inputs_as_outputs(out, [*output_names(job.stem, formats).values(),
                                          f"{job.stem}.failed.ipynb"], job.notebook, data_dir)
    ensure_writable(out)
    for w in params.validated.warnings if params.validated else ():
        print(f"warning: {w}", file=sys.stderr)
    from .handoff import kernel_files
    from .kernels import prestarted_kernel
    from .render import preload

    # the kernel takes the validated data instead of validating again; it starts before
    # the heavy imports
    with prestarted_kernel(job.notebook, files=kernel_files(params.validated)) as kernel:
        preload(job.formats)  # papermill, nbconvert, WeasyPrint while the kernel works
        if kernel is None:
            replaced = run_job(job)
        else:
            replaced = run_job(job, km=kernel.km, on_executed=kernel.shutdown_in_background)
    for path in replaced.written:
        print(f"wrote {paths.display_path(path)}")
    for path in replaced.removed:
        why = "left by a failed render" if path.name.endswith(".failed.ipynb") else \
            "not asked for"
        print(f"removed {paths.display_path(path)} ({why})")
    if stop.stop_requested():  # asked for while the new report was put in place
        raise stop.Interrupted(f"interrupted once the new report had replaced the previous "
                                 f"one in {paths.display_path(out)}/ (listed above)")
    return 0


def _cmd_batch(args) -> int:
    require_packages()
    from .batch import batch

    _given(args.out, "--out", "an output folder such as reports/profiles/")
    formats = parse_formats(args.format)
    values, origins = collect(args)
    countries = ([c.strip() for c in args.countries.split(",") if c.strip()]
                 if args.countries is not None else None)
    if countries == []:
        raise ParameterError(f"--countries: no country given (got {args.countries!r}; "
                             "expected comma-separated ISO codes or names such as TJK,RUS)")
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs: must be at least 1 (got {args.jobs})")
    workers = args.jobs or os.cpu_count() or 1
    with render_options(Path(args.out), paths.REPORTS_DIR / "profiles", formats):
        return batch(args.notebook, values, origins, countries, Path(args.out), formats,
                     workers, cell_timeout=_cell_timeout(args))


def _cmd_dictionary(args) -> int:
    from .schema import dictionary_markdown

    print(dictionary_markdown())
    return 0


def _cmd_draft(args) -> int:
    from .draft import draft

    _given(args.out, "--out", "a folder to write, new or empty")
    drafted = draft(Path(args.article), Path(args.out), title=args.title, outlet=args.outlet,
                    published=args.published, force=args.force)
    print(drafted.summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m briefing", description=__doc__.split("\n")[0],
        epilog="Exit codes: 0 success, 1 a render failed, 2 bad input (data or parameters).")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate a data directory")
    check.add_argument("--data-dir", default=str(paths.DATA_DIR))
    check.set_defaults(func=_cmd_check)

    dictionary = sub.add_parser("dictionary", help="print the data dictionary (markdown) "
                                "generated from the schema, as kept in data/README.md")
    dictionary.set_defaults(func=_cmd_dictionary)

    draft = sub.add_parser("draft", help="draft a data directory from an article's text: "
                           "every row marked for review, with a review page")
    draft.add_argument("article", metavar="ARTICLE.txt", help="the article's text (UTF-8)")
    draft.add_argument("--out", required=True, help="folder to write (new or empty)")
    draft.add_argument("--title", help="headline (default: the text's first line if it is "
                       "one)")
    draft.add_argument("--outlet", help="original publisher")
    draft.add_argument("--published", metavar="YYYY-MM-DD", help="publication date")
    draft.add_argument("--force", action="store_true", help="replace a non-empty --out")
    draft.set_defaults(func=_cmd_draft)

    params = sub.add_parser("params", help="list a notebook's parameters (type, default, "
                            "help); with -p/-f, validate values without rendering")
    params.add_argument("--notebook", default="briefing", help=NOTEBOOK_HELP)
    _add_parameter_options(params)
    params.set_defaults(func=_cmd_params)

    render = sub.add_parser("render", help="validate parameters, execute a notebook and "
                            "export HTML/PDF (the executed .ipynb is kept next to them)")
    _add_parameter_options(render)
    _add_output_options(render, None, "output folder (default: reports/, or reports/profiles/ "
                        "for the country profile)", "briefing", NOTEBOOK_HELP)
    render.set_defaults(func=_cmd_render)

    batch = sub.add_parser("batch", help="render one country profile per country, in "
                           "parallel, with an index page")
    _add_parameter_options(batch)
    batch.add_argument("--countries", help="comma-separated ISO codes or names "
                       "(default: every country in the data)")
    batch.add_argument("--jobs", type=_number(int, "a whole number", "a number of worker "
                                              "processes such as 2"),
                       help="worker processes (default: the number of cores)")
    _add_output_options(batch, str(paths.REPORTS_DIR / "profiles"),
                        "output folder (default: reports/profiles/)", "country_profile",
                        "a notebook with a 'country' parameter (default: country_profile)")
    batch.set_defaults(func=_cmd_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code.

    Ctrl-C and SIGTERM (a closed terminal, ``timeout``, a cancelled CI job) stop the command
    wherever it is -- validating, starting a kernel, executing, exporting -- so that cleanup
    runs and the user gets a message instead of a silent death; the stop is also recorded,
    for where a library catches it (:func:`briefing.stop.stops_handled`)."""
    with stop.stops_handled():
        try:
            parser = build_parser()
            args, unknown = parser.parse_known_args(argv)
            if unknown:
                raise ParameterError(f"unrecognized argument{'s' if len(unknown) > 1 else ''}"
                                     f" {' '.join(unknown)} (expected the options listed by "
                                     f"{parser.prog} {args.command} --help)")
            return args.func(args)
        except BriefingError as exc:
            if exc.exit_code == 1 and stop.stop_requested():  # a render the stop broke
                return _interrupted(KeyboardInterrupt())
            for warning in getattr(exc, "warnings", ()):  # e.g. a file read as Windows-1252
                print(f"warning: {warning}", file=sys.stderr)
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt as exc:
            return _interrupted(exc)
        except ModuleNotFoundError as exc:  # a package of requirements.txt not installed
            # Only a dependency of RENDER_MODULES is a missing package; anything else (the
            # kit's own module after a rename, an optional import inside a dependency) is a
            # bug whose traceback says where it is, not a reason to reinstall
            module = (exc.name or "").partition(".")[0]
            if module not in RENDER_MODULES:
                raise
            print(f"error: {MissingPackage([RENDER_MODULES[module]])}", file=sys.stderr)
            return MissingPackage.exit_code


def _interrupted(exc: KeyboardInterrupt) -> int:
    """Exit 130 with what the stop left: a failed or stopped render replaces nothing."""
    import logging

    # nbclient's pending cell task dies with the kernel; asyncio would print its
    # traceback ("Task exception was never retrieved") at exit
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    message = str(exc) if isinstance(exc, stop.Interrupted) else \
        "interrupted; earlier reports were left as they were"
    print(f"error: {message}", file=sys.stderr)
    return 130
