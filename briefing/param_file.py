"""Reading a parameter file (``-f FILE.yaml``): a YAML mapping of names to values.

The file is read like every input (:func:`briefing.limits.read_limited`: a regular file
under :data:`MAX_PARAMETER_FILE_BYTES`), then walked once as a stream of YAML events before
anything is built, so that a hostile file is refused by a message naming its line and
column: nesting deeper than :data:`MAX_YAML_DEPTH` (PyYAML builds nodes recursively), more
than :data:`MAX_YAML_ALIASES` aliases, or more than :data:`MAX_YAML_VALUES` values once the
aliases are expanded (a "billion laughs" file of 400 bytes). The loader is PyYAML's
SafeLoader with constructors added through its public ``add_constructor``: a key given twice
is refused (PyYAML keeps the last), merge keys (``<<: *defaults``) work, and a number of
more than :data:`MAX_NUMBER_DIGITS` digits or an impossible date is a located message, not a
``ValueError``. What the values mean is :func:`briefing.params.check`'s job.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import paths
from .decode import decode_utf8
from .errors import ParameterError
from .limits import MB, FileRefused, read_limited

MAX_PARAMETER_FILE_BYTES = 1 * MB
"""The shipped parameter files are a few hundred bytes."""
MAX_YAML_DEPTH = 20
"""Nesting of lists and mappings (the parameters need 2)."""
MAX_YAML_ALIASES = 100
"""``*alias`` references in one file."""
MAX_YAML_VALUES = 10_000
"""Values once every alias is expanded."""
MAX_NUMBER_DIGITS = 30
"""Digits of a YAML number: past this it is a mistake, not a parameter."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_WHAT = {"tag:yaml.org,2002:int": ("a whole number", "digits, e.g. 60"),
         "tag:yaml.org,2002:float": ("a number", "a number such as 0.5"),
         "tag:yaml.org,2002:timestamp": ("a valid date", "an ISO date YYYY-MM-DD that exists, "
                                         "e.g. 2024-12-31")}


def read_yaml(path: str | Path) -> dict:
    """A parameter file: a YAML mapping of names to values (like papermill's ``-f``)."""
    import yaml

    where = paths.display_path(path)
    expected = "a YAML file of parameters, e.g. 'focus_country: TJK'"
    try:
        raw = read_limited(path, MAX_PARAMETER_FILE_BYTES, "a parameter file", expected)
        text = decode_utf8(raw, "the file saved as UTF-8")
    except FileRefused as exc:
        if exc.missing:
            known = ", ".join(paths.display_path(p)
                              for p in sorted(paths.PARAMS_DIR.glob("*.yaml")))
            raise ParameterError(f"{where}: parameter file not found (expected a YAML file, "
                                 f"e.g. one of {known})") from None
        at = f":{exc.line}" if exc.line else ""
        raise ParameterError(f"{where}{at}: {exc.message} (expected {exc.expected})") from None
    try:
        _check_shape(text)
        data, marks = _load(text)
    except _Refused as exc:
        at = f":{exc.mark.line + 1}:{exc.mark.column + 1}"
        raise ParameterError(f"{where}{at}: {exc.message} (expected {exc.expected})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise ParameterError(f"{where}{at}: not valid YAML: {what}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{where}: expected a mapping of parameter names to values "
                             f"(got a {type(data).__name__}), e.g. 'focus_country: TJK'")
    for key in data:
        if not isinstance(key, str):
            raise ParameterError(f"{where}: parameter names must be text (got {key!r})")
    return ParameterFile(data, {key: f"{where}:{mark.line + 1}:{mark.column + 1}"
                                for key, mark in marks.items() if key in data})


class ParameterFile(dict):
    """The parameters of a file, name -> value; ``origins`` says where each value is given
    (``params/x.yaml:3:16``, its line and column), for the messages about it. A value merged
    from elsewhere in the file (``<<: *defaults``) is named by the file alone."""

    def __init__(self, values: dict, origins: dict[str, str]):
        super().__init__(values)
        self.origins = origins


def _load(text: str) -> tuple[object, dict]:
    """The document of ``text`` built by the strict loader, and the start of the value of
    each key of its top-level mapping (PyYAML's marks: 0-based line and column)."""
    import yaml

    loader = _strict_loader()(text)  # a SafeLoader subclass
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    marks = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                marks[key_node.value] = value_node.start_mark
    return data, marks


class _Refused(Exception):
    """Valid YAML that is not a parameter file: over a limit, or a value that cannot be
    built (a 5,000-digit number, the date 2024-13-45); ``mark`` is where it starts."""

    def __init__(self, message: str, expected: str, mark):
        super().__init__(message)
        self.message, self.expected, self.mark = message, expected, mark


def _check_shape(text: str) -> None:
    """Walk the events of ``text`` (no node is built) and refuse a file nested too deep,
    with too many aliases, or expanding to too many values. Raises :class:`_Refused` (or
    a YAMLError for a syntax error)."""
    import yaml

    loader = _strict_loader()(text)
    open_sizes: list[list] = []  # [anchor, values so far] of each open list or mapping
    sizes: dict[str, int] = {}  # anchor -> values it expands to
    aliases = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                open_sizes.append([event.anchor, 1])
                if len(open_sizes) > MAX_YAML_DEPTH:
                    raise _Refused(f"lists or mappings nested more than {MAX_YAML_DEPTH} "
                                   "deep", f"at most {MAX_YAML_DEPTH} levels; parameters "
                                   "need 2: a mapping of names, a list of values",
                                   event.start_mark)
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_sizes.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_YAML_ALIASES:
                    raise _Refused(f"more than {MAX_YAML_ALIASES} aliases (*name)",
                                   f"at most {MAX_YAML_ALIASES}", event.start_mark)
                anchor, size = None, sizes.get(event.anchor, 1)
            else:
                continue
            if anchor:
                sizes[anchor] = size
            if open_sizes:
                open_sizes[-1][1] += size
                if open_sizes[-1][1] > MAX_YAML_VALUES:
                    raise _Refused(f"expands to more than {MAX_YAML_VALUES:,} values once "
                                   "its aliases (*name) are resolved",
                                   f"at most {MAX_YAML_VALUES:,} values; a parameter file "
                                   "needs a few", event.start_mark)
    finally:
        loader.dispose()


@functools.lru_cache(maxsize=1)
def _strict_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that rejects a key given twice (PyYAML silently keeps the last),
        numbers of absurd size and impossible dates, with their line and column."""

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # '<<: *defaults': keys given here override the merged ones
            key = loader.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"parameter {key!r} is given twice", key_node.start_mark)
                seen.add(key)
            except TypeError:  # a list as a key: SafeLoader names it below
                pass
        return loader.construct_mapping(node, deep)

    def located(construct):
        """``construct`` with a ValueError (a 5,000-digit number, 2024-13-45) turned into
        a YAML error at the value's position."""
        def wrapper(loader, node):
            shown = repr(node.value if len(node.value) <= 40 else node.value[:37] + "...")
            if node.tag in _NUMBER_TAGS:
                digits = sum(ch.isdigit() for ch in node.value)
                if digits > MAX_NUMBER_DIGITS:
                    raise _Refused(f"a number of {digits:,} digits: {shown}",
                                   f"at most {MAX_NUMBER_DIGITS} digits", node.start_mark)
            try:
                return construct(loader, node)
            except (ValueError, OverflowError) as exc:
                what, expected = _WHAT[node.tag]
                why = f" ({exc})" if node.tag.endswith("timestamp") else ""  # 'month must..'
                raise _Refused(f"{shown} is not {what}{why}", expected,
                               node.start_mark) from None
        return wrapper

    safe = yaml.constructor.SafeConstructor
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for tag, construct in ((_NUMBER_TAGS[0], safe.construct_yaml_int),
                           (_NUMBER_TAGS[1], safe.construct_yaml_float),
                           ("tag:yaml.org,2002:timestamp", safe.construct_yaml_timestamp)):
        Loader.add_constructor(tag, located(construct))
    return Loader
