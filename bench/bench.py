"""Benchmark the kit against the hand-run papermill + nbconvert + WeasyPrint chain.

    .venv/bin/python bench/bench.py [--reps 5] [--batch-reps 2] [--warmup 1] [--quick]
        [--only single,batch,noop,fail,scale,load,profile,mechanisms,suite]

Everything runs as fresh processes, side by side, alternating A (the kit) and B (the chain)
and swapping the order on every other repetition; the warm-up repetitions are not counted.
Prints medians, ratios and the machine, and writes reports/bench.json. Memory is the peak of
the whole process tree's proportional set size (PSS: physical memory, a page shared by
several processes counted once), sampled every 100 ms, and its summed resident set size (RSS,
every 20 ms), which counts the pages a forked process shares with its parent twice. The
single render's times come from runs without the sampler (its polling takes CPU from
whichever side keeps both cores busy), its memory from separate runs with it. Timing
targets are reported, never asserted by the unit tests: the machine's load (printed) moves
them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
PY = str(BIN / "python")
PACKAGES = ("papermill", "nbclient", "nbconvert", "nbformat", "jupyter_client", "ipykernel",
            "ipython", "weasyprint", "pandas", "numpy", "matplotlib", "pyzmq", "psutil")
TARGETS = {"single_ratio": 0.65, "batch_ratio": 0.2, "noop_s": 0.5, "fail_s": 1.0,
           "single_mem_mb": 400, "batch_mem_mb": 800, "scale_load_s": 2.0}
SCALE_ROWS = 100_000


# ----------------------------------------------------------------------------- measuring

class TreeSampler(threading.Thread):
    """Peak summed RSS (every 20 ms) and PSS (every 100 ms) of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        tick = 0
        while not self._halt.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            rss = pss = 0
            for p in procs:
                try:
                    if tick % 5 == 0:
                        full = p.memory_full_info()
                        rss += full.rss
                        pss += getattr(full, "pss", full.rss)
                    else:
                        rss += p.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            if tick % 5 == 0:
                self.peak_pss = max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(procs))
            tick += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run(cmd: list[str] | str, *, cwd: Path = ROOT, sample: bool = True,
        env: dict | None = None, log: Path | None = None, timeout: float | None = None) -> dict:
    """Run ``cmd`` (a list, or a bash script string); wall time, exit code, peak memory.

    After ``timeout`` seconds the command's process group is killed (rc "timeout")."""
    argv = ["bash", "-c", cmd] if isinstance(cmd, str) else cmd
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    err = tempfile.TemporaryFile()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    sampler = TreeSampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started here
        proc.wait()
        rc = "timeout"
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if sampler:
        sampler.stop()
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")
    err.close()
    if log:
        out.close()
    # CPU seconds of the whole tree (every descendant reaped by then): far less sensitive
    # than wall time to other work on a shared machine.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {"s": round(seconds, 3), "cpu_s": round(cpu, 3), "rc": rc}
    if sampler:
        result["peak_rss_mb"] = round(sampler.peak_rss / 2**20, 1)
        result["peak_pss_mb"] = round(sampler.peak_pss / 2**20, 1)
        result["processes"] = sampler.peak_processes
    if rc:
        result["stderr"] = stderr.strip().splitlines()[-6:]
    return result


def median(runs: list[dict], key: str = "s") -> float | None:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 3) if values else None


def alternate(a, b, reps: int, warmup: int, label: str) -> tuple[list[dict], list[dict]]:
    """Run a() and b() alternately (AB, BA, AB ...); return the counted runs of each."""
    runs_a, runs_b = [], []
    for i in range(warmup + reps):
        order = (("A", a), ("B", b)) if i % 2 == 0 else (("B", b), ("A", a))
        for name, fn in order:
            r = fn()
            tag = "warm-up" if i < warmup else f"rep {i - warmup + 1}"
            print(f"  {label} {name} {tag}: {r['s']:.2f} s (cpu {r['cpu_s']:.2f} s) rc={r['rc']}"
                  f"{'  peak ' + str(r.get('peak_rss_mb')) + ' MB' if 'peak_rss_mb' in r else ''}",
                  flush=True)
            if r["rc"]:
                print("    " + "\n    ".join(r.get("stderr", [])), flush=True)
            if i >= warmup:
                (runs_a if name == "A" else runs_b).append(r)
    return runs_a, runs_b


def digest(folder: Path, names: list[str] | None = None) -> dict[str, str]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if names is not None:
        files = [p for p in files if p.name in names]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in files}


def yaml_file(path: Path, params: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(params, sort_keys=True), encoding="utf-8")
    return path


def chain_script(notebook: Path, params_yaml: Path, out: Path) -> str:
    """The hand-run chain, as a user types it (the venv's executables)."""
    ipynb, html, pdf = out.with_suffix(".ipynb"), out.with_suffix(".html"), out.with_suffix(".pdf")
    return (f"{BIN}/papermill {notebook} {ipynb} -f {params_yaml} --no-progress-bar"
            f" && {BIN}/jupyter nbconvert --to html --no-input {ipynb}"
            f" && {BIN}/weasyprint {html} {pdf}")


def chain_steps(notebook: Path, params_yaml: Path, out: Path, reps: int) -> dict:
    """Median time of each command of the chain on its own (after the A/B runs): where the
    chain's time goes, to set against the kit's phases."""
    ipynb, html, pdf = out.with_suffix(".ipynb"), out.with_suffix(".html"), out.with_suffix(".pdf")
    steps = {"papermill": f"{BIN}/papermill {notebook} {ipynb} -f {params_yaml} "
                          "--no-progress-bar",
             "jupyter nbconvert --to html --no-input": f"{BIN}/jupyter nbconvert --to html "
                                                       f"--no-input {ipynb}",
             "weasyprint": f"{BIN}/weasyprint {html} {pdf}"}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(reps):
        for name, cmd in steps.items():
            r = run(cmd, sample=False)
            times[name].append(r["s"])
    return {name: round(statistics.median(v), 3) for name, v in times.items()}


# ----------------------------------------------------------------------------- the items

def item_single(tmp: Path, reps: int, warmup: int) -> dict:
    from briefing.params import check, notebook_path

    params = check("briefing", {}).injectable()
    notebook = notebook_path("briefing")
    yml = yaml_file(tmp / "single.yaml", params)
    out_a, out_b = tmp / "single-a", tmp / "single-b"
    out_b.mkdir()
    hashes: list[dict] = []

    kit = [PY, "-m", "briefing", "render", "--out", str(out_a)]
    chain = chain_script(notebook, yml, out_b / "briefing")

    def a():
        # Timed without the memory sampler: its polling (and reading smaps for PSS) takes
        # CPU from whichever side keeps both cores busy, which is the kit.
        r = run(kit, sample=False)
        if r["rc"] == 0:
            hashes.append(digest(out_a))
        return r

    runs_a, runs_b = alternate(a, lambda: run(chain, sample=False), reps, warmup, "single")
    # Memory from separate runs with the sampler on.
    memory_a, memory_b = alternate(lambda: run(kit), lambda: run(chain), max(1, reps // 3), 0,
                                   "single, memory")
    ma, mb = median(runs_a), median(runs_b)
    ca, cb = median(runs_a, "cpu_s"), median(runs_b, "cpu_s")
    return {"a_kit_s": ma, "b_chain_s": mb, "ratio": _ratio(ma, mb),
            "chain_steps_s": chain_steps(notebook, yml, out_b / "steps", max(1, reps // 2)),
            "a_kit_cpu_s": ca, "b_chain_cpu_s": cb, "cpu_ratio": _ratio(ca, cb),
            "target_ratio": TARGETS["single_ratio"],
            "peak_rss_mb_kit": max((r.get("peak_rss_mb", 0) for r in memory_a), default=None),
            "peak_pss_mb_kit": max((r.get("peak_pss_mb", 0) for r in memory_a), default=None),
            "peak_rss_mb_chain": max((r.get("peak_rss_mb", 0) for r in memory_b), default=None),
            "peak_pss_mb_chain": max((r.get("peak_pss_mb", 0) for r in memory_b), default=None),
            "memory_runs_kit": memory_a, "memory_runs_chain": memory_b,
            "outputs_identical_every_run": len({json.dumps(h, sort_keys=True)
                                                for h in hashes}) == 1 if hashes else None,
            "output_hashes": hashes[0] if hashes else None,
            "runs_kit": runs_a, "runs_chain": runs_b}


def item_batch(tmp: Path, reps: int, warmup: int, countries: list[str] | None,
               jobs: int | None) -> dict:
    from briefing.batch import plan

    out_a, out_b = tmp / "batch-a", tmp / "batch-b"
    out_b.mkdir()
    planned, _ = plan("country_profile", {}, {}, countries, out_a, ("html", "pdf"))
    scripts = []
    for job in planned:
        yml = yaml_file(tmp / f"profile-{job.stem}.yaml", job.parameters)
        scripts.append(chain_script(job.notebook, yml, out_b / job.stem))
    chain = " && ".join(f"({s})" for s in scripts)
    cmd_a = [PY, "-m", "briefing", "batch", "--out", str(out_a)]
    if countries:
        cmd_a += ["--countries", ",".join(countries)]
    if jobs:
        cmd_a += ["--jobs", str(jobs)]
    hashes: list[dict] = []

    def a():
        r = run(cmd_a)
        if r["rc"] == 0:
            hashes.append(digest(out_a))
        return r

    runs_a, runs_b = alternate(a, lambda: run(chain), reps, warmup,
                               f"batch({len(planned)})")
    # A profile of the batch is byte-identical to the same profile rendered alone.
    alone = tmp / "alone"
    probe = planned[len(planned) // 2].stem if planned else None
    same = None
    if probe and hashes:
        r = run([PY, "-m", "briefing", "render", "--notebook", "country_profile",
                 "-p", "country", probe, "--out", str(alone)], sample=False)
        if r["rc"] == 0:
            names = [f"{probe}.ipynb", f"{probe}.html", f"{probe}.pdf"]
            same = digest(alone, names) == digest(out_a, names)
    ma, mb = median(runs_a), median(runs_b)
    ca, cb = median(runs_a, "cpu_s"), median(runs_b, "cpu_s")
    return {"profiles": len(planned), "jobs": jobs, "a_kit_s": ma, "b_chain_s": mb,
            "ratio": _ratio(ma, mb), "target_ratio": TARGETS["batch_ratio"],
            "a_kit_cpu_s": ca, "b_chain_cpu_s": cb, "cpu_ratio": _ratio(ca, cb),
            "per_profile_kit_s": round(ma / len(planned), 3) if ma and planned else None,
            "per_profile_chain_s": round(mb / len(planned), 3) if mb and planned else None,
            "peak_rss_mb_kit": max((r.get("peak_rss_mb", 0) for r in runs_a), default=None),
            "peak_pss_mb_kit": max((r.get("peak_pss_mb", 0) for r in runs_a), default=None),
            "outputs_identical_every_run": len({json.dumps(h, sort_keys=True)
                                                for h in hashes}) == 1 if hashes else None,
            "profile_in_batch_equals_alone": same, "probe": probe,
            "runs_kit": runs_a, "runs_chain": runs_b}


def item_load(tmp: Path, rounds: int = 5, at_once: int = 3) -> dict:
    """``at_once`` renders of the briefing started together on this machine, ``rounds``
    times in a row: every one must succeed (issue 12: renders used to fail under load)."""
    results = []
    for r in range(rounds):
        procs = [subprocess.Popen([PY, "-m", "briefing", "render", "--out",
                                   str(tmp / f"load-{r}-{i}")], cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for i in range(at_once)]
        started = time.perf_counter()
        for proc in procs:
            _, err = proc.communicate()
            results.append({"round": r, "rc": proc.returncode,
                            "stderr": err.strip().splitlines()[-2:] if proc.returncode else []})
        print(f"  load round {r + 1}: {[x['rc'] for x in results[-at_once:]]} in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    return {"rounds": rounds, "at_once": at_once,
            "all_succeeded": all(x["rc"] == 0 for x in results),
            "failures": [x for x in results if x["rc"] != 0]}


def item_suite() -> dict:
    """The whole test suite's duration, as `make test` runs it (without ruff)."""
    started = time.perf_counter()
    proc = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True)
    took = time.perf_counter() - started
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    return {"s": round(took, 1), "rc": proc.returncode, "summary": last}


def package_size() -> dict:
    """Bytes of the package as shipped (no caches), code and other files apart."""
    code = other = 0
    for path in (ROOT / "briefing").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            if path.suffix == ".py":
                code += path.stat().st_size
            else:
                other += path.stat().st_size
    lines = sum(len(p.read_text(encoding="utf-8").splitlines())
                for p in (ROOT / "briefing").rglob("*.py") if "__pycache__" not in p.parts)
    return {"python_bytes": code, "python_lines": lines, "other_bytes": other}


def item_noop(reps: int) -> dict:
    first = run(["make", "--no-print-directory", "report"], sample=False)
    runs = [run(["make", "--no-print-directory", "report"], sample=False) for _ in range(reps)]
    dry = subprocess.run(["make", "-n", "--no-print-directory", "report"], cwd=ROOT,
                         capture_output=True, text=True)
    return {"first_make_report": first, "median_s": median(runs), "target_s": TARGETS["noop_s"],
            "nothing_to_do": dry.returncode == 0 and not dry.stdout.strip()
            or "Nothing to be done" in dry.stdout or "up to date" in dry.stdout,
            "runs": runs}


def item_fail(tmp: Path, reps: int) -> dict:
    from briefing.schema import TABLES

    bad_data = tmp / "bad-data"
    shutil.copytree(ROOT / "data", bad_data)
    table = TABLES["claims"]
    field = next(f for f in table.fields if f.type in ("boolean", "integer", "number", "date"))
    path = bad_data / Path(table.path).name if not (bad_data / table.path).exists() \
        else bad_data / table.path
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index(field.name)] = "not-a-value"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    cases = {
        "bad parameter": [PY, "-m", "briefing", "render", "-p", "focus_country", "Atlantis",
                          "--out", str(tmp / "fail")],
        "bad data": [PY, "-m", "briefing", "render", "--data-dir", str(bad_data),
                     "--out", str(tmp / "fail")],
        "bad country (batch)": [PY, "-m", "briefing", "batch", "--countries", "Atlantis",
                                "--out", str(tmp / "fail")],
    }
    out = {}
    for name, cmd in cases.items():
        runs = [run(cmd, sample=False) for _ in range(reps)]
        out[name] = {"median_s": median(runs), "exit_codes": sorted({r["rc"] for r in runs}),
                     "message": (runs[0].get("stderr") or [""])[:3]}
    out["target_s"] = TARGETS["fail_s"]
    return out


def make_big_data(tmp: Path, rows: int) -> Path:
    from briefing.schema import TABLES

    big = tmp / "big-data"
    shutil.copytree(ROOT / "data", big)
    table = TABLES["claims"]
    path = big / table.path if (big / table.path).exists() else big / Path(table.path).name
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, original = reader.fieldnames, list(reader)
    key = table.primary_key[0]
    digits = re.match(r"^([A-Za-z_-]*)", original[0][key]).group(1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(original)
        for i in range(rows - len(original)):
            row = dict(original[i % len(original)])
            row[key] = f"{digits}{1_000_000 + i}"
            writer.writerow(row)
    return big


LOAD_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
from briefing.validate import validate
t1 = time.perf_counter()
v = validate(sys.argv[1])
t2 = time.perf_counter()
from briefing.load import from_validated
t3 = time.perf_counter()
ds = from_validated(v)
t4 = time.perf_counter()
print(json.dumps({"validate_s": round(t2 - t1, 3), "to_dataframes_s": round(t4 - t3, 3),
                  "import_validate_s": round(t1 - t0, 3), "import_load_s": round(t3 - t2, 3),
                  "load_plus_validate_s": round(t2 - t1 + t4 - t3, 3),
                  "claims": len(ds.claims)}))
"""


def item_scale(tmp: Path, rows: int, timeout: float = 240) -> dict:
    big = make_big_data(tmp, rows)
    proc = subprocess.run([PY, "-c", LOAD_SNIPPET, str(big)], cwd=ROOT, capture_output=True,
                          text=True)
    result: dict = {"rows": rows, "target_load_s": TARGETS["scale_load_s"]}
    if proc.returncode:
        result["load_error"] = proc.stderr.strip().splitlines()[-5:]
    else:
        result.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = tmp / "big-out"
    r = run([PY, "-m", "briefing", "render", "--data-dir", str(big), "--out", str(out)],
            timeout=timeout)
    result["render"] = r
    html = out / "briefing.html"
    if r["rc"] == 0 and html.exists():
        page = html.read_text(encoding="utf-8")
        bodies = re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S)
        result["html_bytes"] = len(page.encode())
        result["pdf_bytes"] = (out / "briefing.pdf").stat().st_size
        result["largest_table_rows"] = max((b.count("<tr") for b in bodies), default=0)
        result["largest_table_bytes"] = max((len(b.encode()) for b in bodies), default=0)
    return result


def rotate(variants: dict, reps: int, warmup: int, label: str) -> dict:
    """Run every variant once per repetition, rotating the order; medians per variant."""
    names = list(variants)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(warmup + reps):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            r = variants[name]()
            print(f"  {label} [{name}] {'warm-up' if i < warmup else f'rep {i - warmup + 1}'}:"
                  f" {r['s']:.2f} s (cpu {r['cpu_s']:.2f} s) rc={r['rc']}", flush=True)
            if i >= warmup:
                runs[name].append(r)
    base = median(runs[names[0]])
    cbase = median(runs[names[0]], "cpu_s")
    return {n: {"median_s": median(rs), "vs_first": _ratio(median(rs), base),
                "median_cpu_s": median(rs, "cpu_s"),
                "cpu_vs_first": _ratio(median(rs, "cpu_s"), cbase),
                "peak_rss_mb": max((r.get("peak_rss_mb", 0) for r in rs), default=None),
                "runs": [r["s"] for r in rs]} for n, rs in runs.items()}


def item_mechanisms(tmp: Path, reps: int, warmup: int, countries: list[str] | None) -> dict:
    """What each mechanism is worth: the same command with mechanisms switched off
    (BRIEFING_NO_WARM, see briefing.paths.switched_off), alternating."""
    def render(flags: str):
        return lambda: run([PY, "-m", "briefing", "render", "--out", str(tmp / "mech")],
                           env={"BRIEFING_NO_WARM": flags})

    single = rotate({"all mechanisms": render(""),
                     "no parent imports meanwhile": render("preload"),
                     "no kernel pre-start": render("prestart"),
                     "automatic table layout in the PDF": render("columns"),
                     "garbage collector never paused": render("collector"),
                     "none (papermill starts the kernel)": render("1")},
                    reps, warmup, "render")
    from briefing.validate import validate

    chosen = countries or list(validate(ROOT / "data").country_names)[:6]

    def batch(flags: str, jobs: int | None = None):
        cmd = [PY, "-m", "briefing", "batch", "--countries", ",".join(chosen),
               "--out", str(tmp / "mech-batch")]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        return lambda: run(cmd, env={"BRIEFING_NO_WARM": flags})

    many = rotate({"kernels reused (2 workers)": batch(""),
                   "fresh warm kernel per profile": batch("reuse"),
                   "none (papermill starts each kernel)": batch("1"),
                   "kernels reused, 1 worker": batch("", 1),
                   "kernels reused, 3 workers": batch("", 3)},
                  max(1, reps - 1), 0, f"batch({len(chosen)})")
    return {"single_render": single, "batch": many, "batch_countries": chosen}


def item_profile() -> dict:
    proc = subprocess.run([PY, str(ROOT / "bench" / "profile_render.py")], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-5:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- reporting

def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo", encoding="utf-8") as fh:
        mem = fh.readline().split(":", 1)[1].strip()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "cpu": model, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions,
            "loadavg_at_start": os.getloadavg()}


def _fmt(v, unit="") -> str:
    return "n/a" if v is None else f"{v:.2f}{unit}" if isinstance(v, float) else f"{v}{unit}"


def summary(res: dict) -> list[str]:
    lines = []
    m = res["machine"]
    lines.append(f"machine: {m['usable_cores']} cores ({m['cpu']}), {m['memory']}, Python "
                 f"{m['python']}; load average {m['loadavg_at_start'][0]:.2f} at start, "
                 f"{res.get('loadavg_at_end', [0])[0]:.2f} at end")
    lines.append("packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v))
    items = res["items"]
    if "single" in items:
        s = items["single"]
        lines.append(f"1. single briefing (HTML+PDF): kit {_fmt(s['a_kit_s'], ' s')} vs chain "
                     f"{_fmt(s['b_chain_s'], ' s')} -> ratio {_fmt(s['ratio'])} "
                     f"(target <= {s['target_ratio']}); CPU {_fmt(s['a_kit_cpu_s'], ' s')} vs "
                     f"{_fmt(s['b_chain_cpu_s'], ' s')} -> {_fmt(s['cpu_ratio'])}; "
                     "identical outputs every run: "
                     f"{s['outputs_identical_every_run']}")
        if s.get("chain_steps_s"):
            lines.append("   chain, step by step: " + ", ".join(
                f"{k} {v:.2f} s" for k, v in s["chain_steps_s"].items()))
    if "batch" in items:
        b = items["batch"]
        lines.append(f"2. batch of {b['profiles']} profiles: kit {_fmt(b['a_kit_s'], ' s')} vs "
                     f"chain {_fmt(b['b_chain_s'], ' s')} -> ratio {_fmt(b['ratio'])} "
                     f"(target <= {b['target_ratio']}); CPU {_fmt(b['a_kit_cpu_s'], ' s')} vs "
                     f"{_fmt(b['b_chain_cpu_s'], ' s')} -> {_fmt(b['cpu_ratio'])}; "
                     f"per profile {_fmt(b['per_profile_kit_s'])}"
                     f" vs {_fmt(b['per_profile_chain_s'])} s; profile {b['probe']} in batch == "
                     f"alone: {b['profile_in_batch_equals_alone']}")
    if "noop" in items:
        n = items["noop"]
        lines.append(f"3. no-op make report: {_fmt(n['median_s'], ' s')} (target < "
                     f"{n['target_s']} s); nothing to do: {n['nothing_to_do']}")
    if "fail" in items:
        f = items["fail"]
        parts = [f"{k} {_fmt(v['median_s'], ' s')} (exit {v['exit_codes']})"
                 for k, v in f.items() if isinstance(v, dict)]
        lines.append(f"4. fast failure: {'; '.join(parts)} (target < {f['target_s']} s)")
    if "single" in items or "batch" in items:
        s, b = items.get("single", {}), items.get("batch", {})
        lines.append(f"5. peak memory, all processes (PSS: shared pages counted once; summed "
                     f"RSS counts pages shared between processes more than once): single "
                     f"{_fmt(s.get('peak_pss_mb_kit'))} MB PSS / "
                     f"{_fmt(s.get('peak_rss_mb_kit'))} MB RSS (target <= "
                     f"{TARGETS['single_mem_mb']}); batch {_fmt(b.get('peak_pss_mb_kit'))} MB PSS"
                     f" / {_fmt(b.get('peak_rss_mb_kit'))} MB RSS (target <= "
                     f"{TARGETS['batch_mem_mb']}); chain single "
                     f"{_fmt(s.get('peak_pss_mb_chain'))} MB PSS / "
                     f"{_fmt(s.get('peak_rss_mb_chain'))} MB RSS")
    if "scale" in items:
        c = items["scale"]
        r = c.get("render", {})
        lines.append(f"6. {c['rows']:,} claims: validate {_fmt(c.get('validate_s'), ' s')} + "
                     f"DataFrames {_fmt(c.get('to_dataframes_s'), ' s')} = "
                     f"{_fmt(c.get('load_plus_validate_s'), ' s')} (target <= "
                     f"{c['target_load_s']} s); render {_fmt(r.get('s'), ' s')} rc={r.get('rc')}, "
                     f"peak {_fmt(r.get('peak_rss_mb'))} MB, largest table "
                     f"{c.get('largest_table_rows')} rows / {c.get('largest_table_bytes')} bytes, "
                     f"HTML {c.get('html_bytes')} bytes")
    if "load" in items:
        ld = items["load"]
        lines.append(f"7. {ld['at_once']} renders at once, {ld['rounds']} rounds: all succeeded:"
                     f" {ld['all_succeeded']} ({len(ld['failures'])} failures)")
    if "suite" in items:
        su = items["suite"]
        single = items.get("single", {}).get("a_kit_s")
        per = f" = {su['s'] / single:.0f} single renders" if single else ""
        lines.append(f"8. test suite: {su['s']} s{per} (exit {su['rc']}: {su['summary']})")
    if "package" in res:
        pk = res["package"]
        lines.append(f"9. package: {pk['python_lines']:,} lines of Python "
                     f"({pk['python_bytes']:,} bytes), {pk['other_bytes']:,} bytes of "
                     "templates, fonts and other files")
    if "mechanisms" in items:
        mech = items["mechanisms"]
        for part, title in (("single_render", "single render, HTML+PDF"),
                            ("batch", f"batch of {len(mech['batch_countries'])} profiles")):
            lines.append(f"mechanisms, {title} (median, ratio to the first line):")
            for name, v in mech[part].items():
                lines.append(f"    {name:<38} {_fmt(v['median_s'], ' s'):>8}  "
                             f"x{_fmt(v['vs_first'])}  cpu {_fmt(v['median_cpu_s'], ' s')} "
                             f"x{_fmt(v['cpu_vs_first'])}  peak {_fmt(v['peak_rss_mb'])} MB")
    if "profile" in res:
        p = res["profile"]
        if "phases_s" in p:
            lines.append("profile of one render, phase by phase without overlap "
                         f"(sum {p['sum_s']:.2f} s):")
            for k, v in p["phases_s"].items():
                lines.append(f"    {k:<30} {v:6.3f} s")
            lines.append("    parent imports: " + ", ".join(
                f"{k} {v:.2f}" for k, v in p["parent_imports_s"].items()))
            single = items.get("single", {})
            if p.get("floor_s") and single.get("a_kit_s"):
                lines.append(f"    floor (kernel start + kernel imports + cells + HTML + PDF, "
                             f"one after the other) {p['floor_s']:.2f} s: kit "
                             f"{single['a_kit_s'] / p['floor_s']:.2f} x floor, chain "
                             f"{single['b_chain_s'] / p['floor_s']:.2f} x floor")
            lines.append(f"    second HTML export {p['html_export_second_call_s']:.3f} s, second "
                         f"PDF export {p['pdf_export_second_call_s']:.3f} s (computed column "
                         f"widths {p.get('pdf_export_columns_sized_s', 0):.3f} s, automatic "
                         "table layout "
                         f"{p.get('pdf_export_automatic_table_layout_s', 0):.3f} s); "
                         "slowest cells: "
                         + ", ".join(f"{c} {d:.2f}" for c, d in p["slowest_cells_s"]))
        else:
            lines.append(f"profile failed: {p}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="counted repetitions (single)")
    parser.add_argument("--batch-reps", type=int, default=2, help="counted repetitions (batch)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted warm-up repetitions")
    parser.add_argument("--jobs", type=int, help="--jobs for python -m briefing batch")
    parser.add_argument("--countries", help="batch only these (default: every country)")
    parser.add_argument("--quick", action="store_true",
                        help="try it out: 1 repetition, no warm-up, 4 profiles, 20,000 rows")
    parser.add_argument("--only", default="single,batch,noop,fail,scale,load,profile,"
                        "mechanisms,suite",
                        help="comma-separated items (default: all)")
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench.json"))
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",")}
    countries = args.countries.split(",") if args.countries else None
    rows = SCALE_ROWS
    if args.quick:
        args.reps, args.batch_reps, args.warmup = 1, 1, 0
        rows = 20_000
        if countries is None:
            from briefing.validate import validate

            countries = list(validate(ROOT / "data").country_names)[:4]
    res: dict = {"machine": machine(), "settings": {
        "reps": args.reps, "batch_reps": args.batch_reps, "warmup": args.warmup,
        "quick": args.quick, "countries": countries, "jobs": args.jobs}, "items": {}}
    print("\n".join(summary({**res, "items": {}})[:2]), flush=True)
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "single" in only:
            res["items"]["single"] = item_single(tmp, args.reps, args.warmup)
        if "batch" in only:
            res["items"]["batch"] = item_batch(tmp, args.batch_reps, 0, countries, args.jobs)
        if "noop" in only:
            res["items"]["noop"] = item_noop(max(3, args.reps))
        if "fail" in only:
            res["items"]["fail"] = item_fail(tmp, max(3, args.reps))
        if "scale" in only:
            res["items"]["scale"] = item_scale(tmp, rows)
        if "mechanisms" in only:
            res["items"]["mechanisms"] = item_mechanisms(tmp, max(1, (args.reps + 1) // 2),
                                                         0, countries)
        if "load" in only:
            res["items"]["load"] = item_load(tmp, 2 if args.quick else 5)
        if "profile" in only:
            res["profile"] = item_profile()
        if "suite" in only:
            res["items"]["suite"] = item_suite()
    res["package"] = package_size()
    res["loadavg_at_end"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print()
    print("\n".join(summary(res)))
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
