"""Batch country profiles: every profile renders, one broken profile does not stop the
others (exit 1, summary), the index page is self-contained and escaped, and a profile from
the batch is byte-identical to the same profile rendered alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from briefing import paths
from briefing.batch import Job, Outcome, ensure_writable, plan
from briefing.errors import ParameterError
from briefing.index_page import index_facts, index_html
from briefing.validate import Validated, validate


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
    return subprocess.run([sys.executable, "-m", "briefing", *args], cwd=paths.ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def data() -> Validated:
    return validate(paths.DATA_DIR)


# ---------------------------------------------------------------------------------------
# Planning and the index page (no kernel)
# ---------------------------------------------------------------------------------------


def test_plan_validates_every_country_before_rendering(tmp_path, data):
    jobs, _ = plan("country_profile", {}, {}, ["tajikistan", "RUS", "TJK"], tmp_path,
                   ("html",))
    assert [j.stem for j in jobs] == ["TJK", "RUS"]
    assert jobs[0].parameters == {"country": "TJK"}
    assert jobs[0].title == f"{data.country_names['TJK']}: country profile"
    with pytest.raises(ParameterError) as exc:
        plan("country_profile", {}, {}, ["Narnia", "Tajikstan"], tmp_path, ("html",))
    lines = str(exc.value).splitlines()
    assert lines[0] == "2 problems in the parameters:"
    assert "did you mean 'Tajikistan'" in lines[2]


def test_plan_defaults_to_every_country(tmp_path, data):
    jobs, _ = plan("country_profile", {"as_of": "2024-12-31"}, {}, None, tmp_path, ("html",))
    assert [j.stem for j in jobs] == list(data.country_names)
    assert all(j.parameters["as_of"] == "2024-12-31" for j in jobs)


def test_plan_rejects_country_given_as_parameter(tmp_path):
    with pytest.raises(ParameterError, match="use --countries"):
        plan("country_profile", {"country": "TJK"}, {}, None, tmp_path, ("html",))


def test_plan_needs_a_per_country_notebook(tmp_path):
    with pytest.raises(ParameterError, match="has no 'country' parameter"):
        plan("briefing", {}, {}, None, tmp_path, ("html",))


def test_plan_rejects_bad_shared_parameters(tmp_path):
    with pytest.raises(ParameterError, match="parameter as_of: not a valid ISO date"):
        plan("country_profile", {"as_of": "2024-99-01"}, {}, ["TJK"], tmp_path, ("html",))
    with pytest.raises(ParameterError, match="parameter data_dir: folder not found"):
        plan("country_profile", {"data_dir": str(tmp_path / "x")}, {}, None, tmp_path,
             ("html",))


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ParameterError, match="--out .*cannot write there"):
        ensure_writable(blocker / "profiles")
    assert ensure_writable(tmp_path / "new" / "profiles").is_dir()


def test_batch_cli_rejects_unwritable_output_before_any_kernel(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("batch", "--out", str(blocker / "p"))
    assert proc.returncode == 2
    assert "cannot write there" in proc.stderr and "IPKernelApp" not in proc.stderr


def test_batch_cli_rejects_unknown_countries_listing_choices(tmp_path):
    proc = run("batch", "--countries", "TJK,Narnia", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "got 'Narnia'" in proc.stderr and "Tajikistan (TJK)" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_batch_cli_rejects_bad_jobs(tmp_path):
    proc = run("batch", "--jobs", "0", "--out", str(tmp_path))
    assert proc.returncode == 2 and "--jobs: must be at least 1" in proc.stderr


def _hostile() -> Validated:
    countries = {"country_code": ["AAA", "BBB", "CCC"],
                 "name": ["<script>alert(1)</script>", "B & \"quoted\"", "Not rendered"]}
    meta = {"title": "<img src=x onerror=alert(1)>", "outlet": "O", "published": "2021-01-01",
            "language": "en\" onload=\"x"}
    return Validated(Path("."), "", meta, columns={"countries": countries}, lines={})


def test_index_is_escaped_and_self_contained(tmp_path):
    for ext in ("html", "pdf", "ipynb"):
        (tmp_path / f"AAA.{ext}").write_text("x")
    job = Job(Path("nb.ipynb"), {}, tmp_path, "AAA", "t", ("html", "pdf"))
    bad = Job(Path("nb.ipynb"), {}, tmp_path, "BBB", "t", ("html",))
    page = index_html([Outcome(job, [tmp_path / "AAA.html"]),
                       Outcome(bad, error="cell 3 failed: <b>boom</b>\nmore")],
                      _hostile(), tmp_path, {"as_of": "<2024>"})
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "failed: cell 3 failed: &lt;b&gt;boom&lt;/b&gt;" in page
    assert 'href="AAA.html"' in page and 'href="AAA.pdf"' in page
    assert 'href="AAA.ipynb"' in page
    assert '<html lang="en">' in page and "onload" not in page  # not an English tag: en
    assert "as_of = &lt;2024&gt;" in page
    assert "Not rendered" not in page and "1 other country in the data has no profile" in page
    urls = re.findall(r'(?:href|src)="([^"]*)"', page)
    assert urls and not any(re.match(r"[a-z]+:", u) or u.startswith("//") for u in urls)


def _profiles_in(out: Path, codes: list[str]) -> list[Outcome]:
    """Outcomes of a batch that wrote every file of ``codes`` into ``out`` (no kernel)."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for code in codes:
        for ext in ("html", "pdf", "ipynb", "claims_register.csv"):
            (out / f"{code}.{ext}").write_text("x")
        job = Job(Path("nb.ipynb"), {"country": code}, out, code, "t", ("html", "pdf"))
        outcomes.append(Outcome(job, [out / f"{code}.html"]))
    return outcomes


def _rows(page: str) -> dict[str, list]:
    """The index's rows by state code: the text of each cell, and the row's links."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    rows = {}
    for tr in soup.select("tbody tr"):
        head = tr.find("th", scope="row")
        code = head.find(class_="code").get_text()
        cells = [" ".join(c.get_text(" ").split()) for c in tr.find_all("td")]
        rows[code] = [cells, [a["href"] for a in tr.find_all("a")]]
    return rows


def test_index_gives_each_states_facts_and_files(tmp_path, data):
    codes = ["AFG", "ARM", "IRN", "TJK"]
    outcomes = _profiles_in(tmp_path, codes)
    facts = index_facts(data)
    page = index_html(outcomes, data, tmp_path, {}, facts)
    assert page == index_html(outcomes, data, tmp_path, {}, index_facts(data))  # rerun
    assert "17 Sep 2021" in page and "2021-09-17" not in page  # dates as the profiles write
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    heads = [" ".join(th.get_text().split()) for th in soup.select("thead th")]
    assert heads == ["State", "Statuses on 17 Sep 2021", "Borders Afghanistan",
                     "Claims naming it", "Files"]
    assert all(th.get("scope") == "col" for th in soup.select("thead th"))
    rows = _rows(page)
    assert list(rows) == ["AFG", "ARM", "IRN", "TJK"]  # by name
    for code, (_, links) in rows.items():
        assert links == [f"{code}.html", f"{code}.pdf", f"{code}.ipynb",
                         f"{code}.claims_register.csv"]
    # * a status only the reference timeline gives (review 12)
    assert rows["AFG"][0][:2] == ["SCO: observer *", "The subject country"]
    assert rows["ARM"][0][:2] == ["CSTO: member SCO: dialogue partner *", "No"]
    assert rows["IRN"][0][0] == "SCO: acceding (also observer * )"
    assert rows["TJK"][0][1] == "Yes, 1,357 km"
    assert "1,357\u00a0km" in page  # never broken from its unit
    assert "of the article’s 50 claims" in page
    urls = re.findall(r'(?:href|src)="([^"]*)"', page)
    assert not any(re.match(r"[a-z]+:", u) or u.startswith("//") for u in urls)


def test_index_agrees_with_the_profiles(data):
    """The index computes its facts once for every state; each profile computes its own."""
    from briefing import analysis
    from briefing.load import from_validated

    facts = index_facts(data)
    ds = from_validated(data)
    for code in ("AFG", "ARM", "IRN", "IND", "TJK", "USA"):
        view = analysis.build_view(ds.tables, ds.meta, None, analysis.ALL_STATUSES, None,
                                   code, ds.article)
        profile = analysis.profile_facts(view, code)
        state = facts.states[code]
        shown = [(r["organisation"], r["status"]) for r in
                 profile.on_article_date.to_dict("records")]
        assert [(org, status) for org, status, _ in state.statuses] == shown, code
        assert state.n_naming == profile.n_naming, code
        assert state.is_subject == profile.is_subject, code
        if profile.border:
            assert state.border[0] == profile.border["border_status"], code


def test_index_shows_the_statuses_of_the_as_of_date(tmp_path, data):
    facts = index_facts(data, "2024-12-31")
    assert facts.day == "31 Dec 2024" and not facts.from_article
    assert ("CSTO", "participation_frozen", ()) in facts.states["ARM"].statuses
    page = index_html(_profiles_in(tmp_path, ["ARM"]), data, tmp_path, {}, facts)
    assert "Statuses on 31 Dec 2024" in page and "from the reference timeline" in page
    assert "CSTO: member (participation frozen)" in page


def test_index_links_the_briefing_built_from_the_same_data(tmp_path, data):
    reports = tmp_path / "reports"
    out = reports / "profiles"
    outcomes = _profiles_in(out, ["TJK"])
    assert "../briefing.html" not in index_html(outcomes, data, out, {})  # none there
    digests = " ".join(f"<code>{d}</code>" for d in data.checksums.values())
    (reports / "briefing.html").write_text(f"<html>{digests}</html>", encoding="utf-8")
    (reports / "briefing.pdf").write_text("x")
    page = index_html(outcomes, data, out, {})
    assert 'href="../briefing.html"' in page and 'href="../briefing.pdf"' in page
    (reports / "briefing.html").write_text("<html>other data</html>", encoding="utf-8")
    assert "../briefing.html" not in index_html(outcomes, data, out, {})


def test_index_fits_a_phone_and_keeps_each_link_whole(tmp_path, data):
    """390 px: one card a state, nothing wider than the screen, no link broken over two
    lines; 1280 px: a state's four links on one line."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    outcomes = _profiles_in(tmp_path, list(data.country_names))
    (tmp_path / "index.html").write_text(
        index_html(outcomes, data, tmp_path, {}, index_facts(data)), encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            for width in (390, 1280):
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.goto((tmp_path / "index.html").as_uri())
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
                assert page.evaluate("[...document.querySelectorAll('ul.files a')]"
                                     ".every(a => a.getClientRects().length === 1)")
                if width == 1280:
                    assert page.evaluate("[...document.querySelectorAll('ul.files')].every("
                                         "u => new Set([...u.children].map(li => "
                                         "li.offsetTop)).size === 1)")
                page.close()
        finally:
            browser.close()


# ---------------------------------------------------------------------------------------
# Rendering (slow): every profile, a broken one, and batch == alone
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    """The shipped profile notebook as it is now, so that renders compared byte for byte
    use the same notebook even while someone edits notebooks/."""
    copy = tmp_path_factory.mktemp("notebook") / "country_profile.ipynb"
    shutil.copyfile(paths.PROFILE_NOTEBOOK, copy)
    return copy


def _chosen(data: Validated) -> list[str]:
    """Five dissimilar profiles: the first and last countries, two with memberships and
    one without (the plan of every country is tested above, without rendering)."""
    import csv

    with (paths.DATA_DIR / "members.csv").open(encoding="utf-8") as fh:
        members = {row["country_code"] for row in csv.DictReader(fh)}
    codes = list(data.country_names)
    busy = [c for c in codes if c in members]
    quiet = [c for c in codes if c not in members]
    return list(dict.fromkeys([codes[0], *busy[:2], *quiet[:1], codes[-1]]))


@pytest.fixture(scope="module")
def batch_of_five(tmp_path_factory, snapshot, data):
    out = tmp_path_factory.mktemp("profiles")
    codes = _chosen(data)
    proc = run("batch", "--notebook", str(snapshot), "--countries", ",".join(codes),
               "--out", str(out))
    return out, proc, codes


@pytest.mark.slow
def test_batch_renders_every_profile_asked_for(batch_of_five, data):
    out, proc, codes = batch_of_five
    assert proc.returncode == 0, proc.stderr
    assert f"rendered {len(codes)} of {len(codes)} profiles" in proc.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    for code in codes:
        html = (out / f"{code}.html").read_text(encoding="utf-8")
        assert data.country_names[code] in html
        nb = nbformat.read(out / f"{code}.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected and f'country = "{code}"' in injected[0].source
        assert f'href="{code}.html"' in index and f'href="{code}.pdf"' in index
    assert "class=\"failed\"" not in index


@pytest.mark.slow
def test_batch_profile_is_byte_identical_to_one_rendered_alone(batch_of_five, snapshot,
                                                               tmp_path):
    """State must not leak between profiles on a reused kernel: the last profile of the
    batch equals the same profile rendered alone (pre-started kernel) and rendered with
    every speed mechanism off (papermill starting its own kernel)."""
    out, _, codes = batch_of_five
    code = codes[-1]
    for name, env in (("alone", {}), ("cold", {"BRIEFING_NO_WARM": "1"})):
        proc = subprocess.run(
            [sys.executable, "-m", "briefing", "render", "--notebook", str(snapshot), "-p",
             "country", code, "--out", str(tmp_path / name)], cwd=paths.ROOT,
            capture_output=True, text=True, timeout=900, env={**os.environ, **env})
        assert proc.returncode == 0, proc.stderr
        for ext in ("html", "pdf", "ipynb"):
            assert (tmp_path / name / f"{code}.{ext}").read_bytes() == \
                (out / f"{code}.{ext}").read_bytes(), f"{name}: {ext}"


@pytest.mark.slow
def test_one_broken_profile_does_not_stop_the_others(tmp_path, data):
    codes = list(data.country_names)[:3]
    broken_code = codes[1]
    nb = nbformat.read(paths.PROFILE_NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        f'if country == "{broken_code}":\n    raise RuntimeError("deliberately broken")',
        id="broken"))
    notebook = tmp_path / "broken_profile.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "out"
    proc = run("batch", "--notebook", str(notebook), "--countries", ",".join(codes),
               "--format", "html", "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "rendered 2 of 3 profiles" in proc.stdout
    assert "error: 1 profile failed:" in proc.stderr
    assert re.search(rf"{broken_code}\): .*RuntimeError: deliberately broken", proc.stderr)
    for code in codes:
        assert (out / f"{code}.html").exists() == (code != broken_code)
    assert (out / f"{broken_code}.failed.ipynb").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "deliberately broken" in index
    assert f'href="{broken_code}.html"' not in index


def _tiny_profile(path: Path, slow: str) -> Path:
    """A notebook with a country parameter that renders in a moment, but for ``slow``."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "language": "python", "display_name": "Python 3"}})
    nb.cells = [
        nbformat.v4.new_code_cell('country: str = ""  # ISO code of the country\n'
                                  'data_dir: str = "data"  # the data directory',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("# A profile"),
        nbformat.v4.new_code_cell(f"import time\nif country == {slow!r}:\n    time.sleep(120)\n"
                                  "print(country)"),
    ]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_an_interrupted_batch_leaves_an_index_of_the_profiles_present(tmp_path, data):
    import signal
    import time

    first, second, third = list(data.country_names)[:3]
    notebook = _tiny_profile(tmp_path / "tiny_profile.ipynb", slow=second)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "batch", "--notebook", str(notebook), "--jobs", "1",
         "--countries", f"{first},{second},{third}", "--format", "html", "--out", str(out)],
        cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / f"{first}.html").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (out / f"{first}.html").exists(), "the first profile was never written"
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="{first}.html"' in index
    assert f'href="{second}.html"' not in index and f'href="{third}.html"' not in index
    assert not (out / f"{second}.html").exists()
