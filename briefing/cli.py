"""Command line: ``python -m briefing check|params|render|batch|dictionary|draft``.

Imports stay light until validation has passed (no pandas, papermill or nbconvert), so a bad
parameter or bad data is reported in a fraction of a second, before any kernel starts.
Exit codes: 0 success, 1 failed render, 2 bad input (data or parameters).
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from pathlib import Path

from . import paths
from .errors import BriefingError, ParameterError

FORMATS = ("html", "pdf")


class _Ordered(argparse.Action):
    """-p NAME VALUE and -f FILE share one list so that, as in papermill, later wins."""

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
            for name, value in read_yaml(item).items():
                values[name], origins[name] = value, paths.display_path(item)
    return values, origins


def parse_formats(text: str) -> tuple[str, ...]:
    from .constraints import suggest

    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    for f in formats:
        if f not in FORMATS:
            raise ParameterError(f"--format: unknown format {f!r}{suggest(f, FORMATS)} "
                                 f"(expected html, pdf or html,pdf; the executed .ipynb is "
                                 "always kept)")
    return formats


def _cmd_check(args) -> int:
    from .params import validate_data_dir

    v = validate_data_dir(args.data_dir)
    for w in v.warnings:
        print(f"warning: {w}", file=sys.stderr)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in v.rows.items())
    print(f"{paths.display_path(v.data_dir)}: valid ({counts})")
    return 0


def _cmd_params(args) -> int:
    from .params import check, describe

    print(describe(args.notebook))
    if args.sources or args.data_dir is not None:
        values, origins = collect(args)
        params = check(args.notebook, values, origins=origins)
        print("\nValid. Values after normalisation:")
        for name, value in params.as_dict().items():
            mark = " (given)" if name in params.given else ""
            shown = paths.display_path(value) if isinstance(value, Path) else repr(value)
            print(f"  {name} = {shown}{mark}")
    return 0


def refuse_inputs_as_outputs(out: Path, names: list[str], notebook: Path,
                             data_dir: Path | None) -> None:
    """ParameterError (exit 2, before anything runs) when a file the render would write is
    the input notebook, or lies under notebooks/ or the data folder: inputs are never
    overwritten."""
    protected = [paths.NOTEBOOKS_DIR.resolve()]
    if data_dir is not None:
        protected.append(Path(data_dir).resolve())
    for name in names:
        target = (out / name).resolve()
        if target == Path(notebook).resolve():
            raise ParameterError(f"--out {paths.display_path(out)}: the render would "
                                 f"overwrite its input notebook {paths.display_path(notebook)}"
                                 " (expected an output folder that holds no input)")
        for folder in protected:
            if target == folder or folder in target.parents:
                raise ParameterError(f"--out {paths.display_path(out)}: the render would write "
                                     f"{paths.display_path(target)} inside "
                                     f"{paths.display_path(folder)}/, which holds inputs "
                                     "(expected an output folder such as reports/)")


def _cell_timeout(args) -> float:
    value = getattr(args, "cell_timeout", None)
    if value is not None and not value > 0:
        raise ParameterError(f"--cell-timeout: must be a positive number of seconds "
                             f"(got {value:g})")
    return value


def _cmd_render(args) -> int:
    from .batch import ensure_writable, make_job, run_job
    from .params import check, notebook_path
    from .render import output_names

    formats = parse_formats(args.format)
    timeout = _cell_timeout(args)
    values, origins = collect(args)
    params = check(args.notebook, values, origins=origins)
    default_out = (paths.REPORTS_DIR / "profiles" if "country" in params
                   else paths.REPORTS_DIR)
    out = Path(args.out) if args.out else default_out
    job = make_job(notebook_path(args.notebook), params, out, formats, timeout)
    data_dir = params.validated.data_dir if params.validated is not None else None
    refuse_inputs_as_outputs(out, [*output_names(job.stem, formats).values(),
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
            written = run_job(job)
        else:
            written = run_job(job, km=kernel.km, on_executed=kernel.shutdown_in_background)
    for path in written:
        print(f"wrote {paths.display_path(path)}")
    return 0


def _cmd_batch(args) -> int:
    from .batch import batch

    formats = parse_formats(args.format)
    values, origins = collect(args)
    countries = ([c.strip() for c in args.countries.split(",") if c.strip()]
                 if args.countries else None)
    if args.jobs is not None and args.jobs < 1:
        raise ParameterError(f"--jobs: must be at least 1 (got {args.jobs})")
    workers = args.jobs or os.cpu_count() or 1
    return batch(args.notebook, values, origins, countries, Path(args.out), formats, workers,
                 cell_timeout=_cell_timeout(args))


def _cmd_dictionary(args) -> int:
    from .schema import dictionary_markdown

    print(dictionary_markdown())
    return 0


def _cmd_draft(args) -> int:
    from .draft import draft

    drafted = draft(Path(args.article), Path(args.out), title=args.title, outlet=args.outlet,
                    published=args.published, url=args.url, force=args.force)
    print(drafted.summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    draft.add_argument("--url", help="address of the article")
    draft.add_argument("--force", action="store_true", help="replace a non-empty --out")
    draft.set_defaults(func=_cmd_draft)

    params = sub.add_parser("params", help="list a notebook's parameters (type, default, "
                            "help); with -p/-f, validate values without rendering")
    params.add_argument("--notebook", default="briefing",
                        help="briefing, country_profile or a path to a notebook")
    _add_parameter_options(params)
    params.set_defaults(func=_cmd_params)

    render = sub.add_parser("render", help="validate parameters, execute a notebook and "
                            "export HTML/PDF (the executed .ipynb is kept next to them)")
    _add_parameter_options(render)
    render.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf")
    render.add_argument("--cell-timeout", type=float, metavar="SECONDS",
                        help="the longest one cell may run (default: 300)")
    render.add_argument("--out", help="output folder (default: reports/, or "
                        "reports/profiles/ for the country profile)")
    render.add_argument("--notebook", default="briefing",
                        help="briefing, country_profile or a path to a notebook")
    render.set_defaults(func=_cmd_render)

    batch = sub.add_parser("batch", help="render one country profile per country, in "
                           "parallel, with an index page")
    _add_parameter_options(batch)
    batch.add_argument("--countries", help="comma-separated ISO codes or names "
                       "(default: every country in the data)")
    batch.add_argument("--jobs", type=int, help="worker processes (default: the number of "
                       "cores)")
    batch.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf")
    batch.add_argument("--cell-timeout", type=float, metavar="SECONDS",
                       help="the longest one cell may run (default: 300)")
    batch.add_argument("--out", default=str(paths.REPORTS_DIR / "profiles"),
                       help="output folder (default: reports/profiles/)")
    batch.add_argument("--notebook", default="country_profile",
                       help="a notebook with a 'country' parameter (default: "
                       "country_profile)")
    batch.set_defaults(func=_cmd_batch)
    return parser


def _terminated(signum, frame):
    """SIGTERM (a closed terminal, ``timeout``, a cancelled CI job) stops the command like
    Ctrl-C, wherever it is -- validating, starting a kernel, executing, exporting -- so that
    cleanup runs and the user gets a message instead of a silent death."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None, *, exits: bool = False) -> int:
    """Run one command; its exit code. ``exits``: the process ends when this returns
    (``python -m briefing``)."""
    args = build_parser().parse_args(argv)
    if exits and args.func is _cmd_render and not paths.switched_off("collector"):
        # One report, then the process ends: Python's cyclic garbage collector stays off for
        # the rest of its life, where it used to be paused only during the PDF's export
        # (briefing.pdf.collector_paused). Collecting WeasyPrint's box trees once the PDF
        # was written took 0.3 s; the memory goes back to the system at the exit instead.
        # A batch keeps the collector: its workers render profile after profile.
        gc.disable()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.func(args)
    except BriefingError as exc:
        for warning in getattr(exc, "warnings", ()):  # e.g. a file read as Windows-1252
            print(f"warning: {warning}", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        import logging

        # nbclient's pending cell task dies with the kernel; asyncio would print its
        # traceback ("Task exception was never retrieved") at exit
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        print("error: interrupted; earlier reports were left as they were", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
