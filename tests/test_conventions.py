"""Convention tests that walk the tree (STYLE.md practice 9)."""

from __future__ import annotations

import ast
import json
import re

import pytest

from briefing import paths
from briefing.schema import DICTIONARY_BEGIN, TABLES

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
MODULES = sorted(paths.PACKAGE_DIR.rglob("*.py"))
# paths -> schema -> validate -> load -> analysis -> charts -> present -> render -> cli:
# a module may import only modules of its own stage or lower ones (a subpackage is one stage).
STAGES = ["paths", "errors", "stop", "limits", "fonts", "schema", "decode", "constraints", "rules",
          "source_rules", "evidence_rules", "article_rules", "validate", "handoff", "safe_csv",
          "load", "param_file", "params",
          "analysis", "charts", "present", "draft", "kernels", "document", "audit", "columns",
          "html", "pdf", "output", "execute", "render", "index_page", "batch", "cli",
          "__main__"]


def test_every_csv_in_data_has_a_schema():
    declared = {t.path for t in TABLES.values()}
    found = {str(p.relative_to(paths.DATA_DIR)) for p in paths.DATA_DIR.rglob("*.csv")}
    assert found == declared, f"CSV without schema: {found - declared}; " \
                              f"schema without CSV: {declared - found}"


def test_every_table_is_in_the_data_dictionary():
    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert DICTIONARY_BEGIN in readme
    for table in TABLES.values():
        assert f"### `{table.path}`" in readme, table.path
        for f in table.fields:
            assert f"| `{f.name}` |" in readme, (table.path, f.name)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean_and_has_a_strict_parameters_cell(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        "notebooks are committed without outputs"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert code[0] is tagged[0], "the parameters cell comes first"
    source = "".join(tagged[0]["source"])
    tree = ast.parse(source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"only annotated literals: {ast.dump(node)}"
        ast.literal_eval(node.value)  # literals only (papermill's caveat)
    for line in source.splitlines():
        if line.strip():
            assert re.match(r"^\w+: \w+ = .+  # \S", line), \
                f"not 'name: type = default  # help': {line}"


def _stage(module) -> str:
    """The stage of a module file: its name, or its subpackage's name."""
    parts = module.relative_to(paths.PACKAGE_DIR).with_suffix("").parts
    return parts[0]


def package_imports(source: str, package_parts: tuple[str, ...] = ()) -> list[str]:
    """The package's modules that ``source`` imports, in every form: ``import briefing.x``,
    ``from briefing import x``, ``from briefing.x import y``, ``from . import x``,
    ``from .x import y``, ``from ..x import y`` (in a subpackage), at module level or
    inside functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name.split(".")[1] for a in node.names
                      if a.name.startswith("briefing.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[:len(package_parts) - (node.level - 1)]
                dotted = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "briefing":
                dotted = node.module.split(".")[1:]
            else:
                continue
            if dotted:
                found.append(dotted[0])
            else:  # from . import x, y / from briefing import x, y (not __version__)
                found += [a.name for a in node.names if not a.name.startswith("__")]
    return found


def test_package_imports_are_found_in_every_form():
    source = ("import briefing.a\nfrom briefing import b\nfrom briefing.c import d\n"
              "from . import e\nfrom .f import g\ndef h():\n    from .i import j\n"
              "import os\nfrom os import path\n")
    assert package_imports(source) == ["a", "b", "c", "e", "f", "i"]
    assert package_imports("from ..k import m\nfrom .n import o", ("draft",)) == ["k", "draft"]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(paths.PACKAGE_DIR)))
def test_data_flows_one_way(module):
    name = _stage(module)
    if module.name == "__init__.py" and module.parent == paths.PACKAGE_DIR:
        return
    assert name in STAGES, f"briefing/{module.name} is not placed in the pipeline STAGES"
    inside = module.relative_to(paths.PACKAGE_DIR).parent.parts
    for target in package_imports(module.read_text(encoding="utf-8"), inside):
        assert target in STAGES, f"{name} imports {target}, which is not in STAGES"
        assert STAGES.index(target) <= STAGES.index(name), \
            f"{name} imports the higher stage {target}"


def test_rendered_output_is_not_tracked():
    ignore = (paths.ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "reports/*" in ignore
