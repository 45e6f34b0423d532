"""A render validates its data once: the kernel takes what the command line validated
(briefing/handoff.py), and only while the files are the ones that were validated."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from briefing import handoff, params, paths
from briefing.validate import validate


@pytest.fixture()
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, folder)
    return folder.resolve()


@pytest.fixture()
def handed(tmp_path, data, monkeypatch):
    """``data`` validated and handed over through the environment, as the CLI does."""
    where = tmp_path / "handoff"
    where.write_bytes(handoff.dumps(validate(data)))
    monkeypatch.setenv(handoff.ENV, str(where))
    return where


def test_the_kernel_takes_the_validated_data_unchanged(data, handed):
    original = validate(data)
    taken = handoff.take(data)
    assert taken is not None
    assert taken.data_dir == original.data_dir and taken.article == original.article
    assert taken.meta == original.meta and taken.checksums == original.checksums
    assert taken.columns == original.columns and taken.lines == original.lines
    assert taken.rows["claims"] == original.rows["claims"]
    assert taken.warnings == original.warnings


def test_nothing_is_taken_without_a_hand_off(data, monkeypatch):
    monkeypatch.delenv(handoff.ENV, raising=False)
    assert handoff.take(data) is None


def test_nothing_is_taken_for_another_folder(tmp_path, data, handed):
    other = tmp_path / "other"
    shutil.copytree(data, other)
    assert handoff.take(other.resolve()) is None


@pytest.mark.parametrize("change", ["edit a claim", "add judgements", "remove judgements",
                                    "edit the article", "edit a reference table"])
def test_nothing_is_taken_once_a_file_changed(data, handed, change):
    if change == "edit a claim":
        path = data / "claims.csv"
        path.write_bytes(path.read_bytes().replace(b"Putin", b"Putim", 1))
    elif change == "add judgements":
        (data / "judgements.csv").rename(data.parent / "judgements.csv")
        handed.write_bytes(handoff.dumps(validate(data)))
        (data.parent / "judgements.csv").rename(data / "judgements.csv")
    elif change == "remove judgements":
        (data / "judgements.csv").unlink()
    elif change == "edit the article":
        with (data / paths.ARTICLE_FILE).open("a", encoding="utf-8") as f:
            f.write(" ")
    else:
        path = data / "reference" / "sources.csv"
        path.write_bytes(path.read_bytes() + b"\n")
    assert handoff.take(data) is None


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])
def test_a_broken_hand_off_is_no_hand_off(data, handed, content):
    handed.write_bytes(content)
    assert handoff.take(data) is None


def test_a_hand_off_builds_nothing_but_plain_data(data, handed):
    """A hand-off that would construct any other object (here: call os.system) is refused
    before anything is built."""
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, ("touch /tmp/briefing-handoff-exploit",))

    handed.write_bytes(pickle.dumps({"data_dir": str(data), "x": Exploit()}))
    assert handoff.take(data) is None
    assert not Path("/tmp/briefing-handoff-exploit").exists()


def test_a_missing_hand_off_file_is_no_hand_off(data, handed):
    handed.unlink()
    assert handoff.take(data) is None


def test_check_takes_the_hand_off_instead_of_validating(data, handed, monkeypatch):
    import briefing.validate

    def no_validation(*_):
        raise AssertionError("validated again")

    monkeypatch.setattr(briefing.validate, "validate", no_validation)
    checked = params.check("briefing", {"data_dir": str(data)})
    assert checked.validated.count("claims") > 0
    monkeypatch.delenv(handoff.ENV)
    with pytest.raises(AssertionError, match="validated again"):
        params.check("briefing", {"data_dir": str(data)})


# --------------------------------------------------------------------------- end to end

COUNTING = """\
import briefing.validate as v
calls = []
real = v.validate

def counted(*args, **kwargs):
    calls.append(args)
    return real(*args, **kwargs)

v.validate = counted
from briefing.params import check
checked = check({notebook!r}, globals())
print("kernel validations:", len(calls), "claims:", checked.validated.count("claims"))
"""


def _counting_notebook(path: Path, country: bool = False) -> Path:
    declared = 'data_dir: str = "data"  # the data directory'
    if country:
        declared += '\ncountry: str = ""  # ISO code of the country'
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nb.cells = [new_code_cell(declared, metadata={"tags": ["parameters"]}),
                new_code_cell(COUNTING.format(notebook=str(path)))]
    nbformat.write(nb, path)
    return path


def _printed(executed: Path) -> str:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))


@pytest.mark.parametrize("switch, expected", [("", 0), ("prestart", 1)])
def test_a_render_validates_its_data_once(tmp_path, data, switch, expected):
    """The command line validates; the kernel it pre-started takes that result. Without a
    pre-started kernel (BRIEFING_NO_WARM=prestart) papermill's own kernel validates again."""
    notebook = _counting_notebook(tmp_path / "count.ipynb")
    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFING_NO_WARM", handoff.ENV)}
    if switch:
        env["BRIEFING_NO_WARM"] = switch
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "briefing", "render", "--notebook",
                           str(notebook), "--format", "html", "--out", str(out),
                           "-p", "data_dir", str(data)], cwd=paths.ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    claims = validate(data).count("claims")
    assert f"kernel validations: {expected} claims: {claims}" in _printed(out / "count.ipynb")


@pytest.mark.slow
def test_a_batch_validates_its_data_once(tmp_path, data):
    notebook = _counting_notebook(tmp_path / "profile.ipynb", country=True)
    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFING_NO_WARM", handoff.ENV)}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "briefing", "batch", "--notebook",
                           str(notebook), "--format", "html", "--out", str(out), "--jobs", "2",
                           "--countries", "CHN,RUS,TJK", "-p", "data_dir", str(data)],
                          cwd=paths.ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    executed = sorted(out.glob("*.ipynb"))
    assert len(executed) == 3
    for path in executed:
        assert "kernel validations: 0 " in _printed(path), path.name
