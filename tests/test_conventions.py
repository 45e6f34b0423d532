"""Convention tests that walk the tree (STYLE.md practice 9)."""

from __future__ import annotations

import ast
import json
import re

import pytest

from briefing import paths
from briefing.schema import DICTIONARY_BEGIN, TABLES

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))
MODULES = sorted(paths.PACKAGE_DIR.glob("*.py"))
# paths -> schema -> validate -> load -> analysis -> charts -> present -> render -> cli:
# a module may import only modules of its own stage or lower ones.
STAGES = ["paths", "errors", "fonts", "schema", "validate", "safe_csv", "load", "params",
          "analysis", "charts", "present", "paged", "kernels", "render", "batch", "cli", "__main__"]


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


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_data_flows_one_way(module):
    name = module.stem
    if name == "__init__":
        return
    assert name in STAGES, f"briefing/{module.name} is not placed in the pipeline STAGES"
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            target = node.module.split(".")[0]
            assert STAGES.index(target) <= STAGES.index(name), \
                f"{name} imports the higher stage {target}"


def test_rendered_output_is_not_tracked():
    ignore = (paths.ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "reports/*" in ignore
