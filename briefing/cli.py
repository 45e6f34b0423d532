"""Command line: ``python -m briefing check|render ...``.

Imports stay light until validation has passed, so bad input is reported fast.
Exit codes: 0 success, 1 failed render, 2 bad input (data or parameters).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import paths
from .errors import BriefingError


def _cmd_check(args) -> int:
    from .validate import validate

    v = validate(Path(args.data_dir))
    for w in v.warnings:
        print(f"warning: {w}", file=sys.stderr)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in v.rows.items())
    print(f"{paths.display_path(v.data_dir)}: valid ({counts})")
    return 0


def _cmd_render(args) -> int:
    from .validate import validate

    params = {"data_dir": args.data_dir}
    validate(Path(args.data_dir))
    from .render import render

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    written = render(paths.BRIEFING_NOTEBOOK, params, Path(args.out), stem="briefing",
                     formats=formats)
    for path in written:
        print(f"wrote {paths.display_path(path)}")
    return 0


def _cmd_dictionary(args) -> int:
    from .schema import dictionary_markdown

    print(dictionary_markdown())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m briefing", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate a data directory")
    check.add_argument("--data-dir", default=str(paths.DATA_DIR))
    check.set_defaults(func=_cmd_check)
    dictionary = sub.add_parser("dictionary", help="print the data dictionary (markdown) "
                                "generated from the schema, as kept in data/README.md")
    dictionary.set_defaults(func=_cmd_dictionary)
    render = sub.add_parser("render", help="execute the briefing and export HTML/PDF")
    render.add_argument("--data-dir", default=str(paths.DATA_DIR))
    render.add_argument("--format", default="html,pdf")
    render.add_argument("--out", default=str(paths.REPORTS_DIR))
    render.set_defaults(func=_cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BriefingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; earlier reports were left as they were", file=sys.stderr)
        return 130
