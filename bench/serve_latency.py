#!/usr/bin/env python3
"""Save-to-visible latency of `sourcebook serve` (a benchmark, not a test).

Generates (or reuses) a corpus with ../shared/tools/gen_corpus.py, copies it
to a scratch folder, starts the release binary's `serve` on a free port,
then edits one article again and again: each time it appends a unique marker
to the body, and measures the time from the write returning to the first
HTTP response of that page that contains the marker (polled every 2 ms, the
way an open page reloads after the server's event). Reports the median and
90th percentile, and the server's own rebuild times.

    python3 bench/serve_latency.py --pages 1000 10000 --edits 30
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "tools", "gen_corpus.py")
CACHE = os.path.join(tempfile.gettempdir(), "sourcebook-bench", "corpus")


def corpus(n, seed=1):
    path = os.path.join(CACHE, f"sourcebook-serve-n{n}-seed{seed}")
    if not os.path.isdir(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, GEN, "--pages", str(n), "--format", "sourcebook", "--out", path, "--seed", str(seed)], check=True)
    return path


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def run(n, edits, binary):
    work = tempfile.mkdtemp(prefix="sourcebook-serve-bench-")
    site = os.path.join(work, "site")
    shutil.copytree(corpus(n), site)
    article = sorted(f for f in os.listdir(os.path.join(site, "content", "efficacy")) if not f.startswith("_"))[0]
    rel = os.path.join("content", "efficacy", article)
    page = f"/efficacy/{article[:-3]}/"
    proc = subprocess.Popen([binary, "--root", site, "serve", "--port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        return measure(proc, site, rel, page, edits)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def measure(proc, site, rel, page, edits):
    lines = []
    base = None
    started = time.monotonic()
    for line in proc.stderr:
        lines.append(line)
        m = re.search(r"http://127\.0\.0\.1:\d+", line)
        if m:
            base = m.group(0)
            break
    first_build = time.monotonic() - started
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    url = base + page
    if not fetch(url):
        raise SystemExit(f"{url} is not served")
    path = os.path.join(site, rel)
    original = open(path, encoding="utf-8").read()
    latencies = []
    for i in range(edits):
        marker = f"Edit marker {i} {time.time_ns()}."
        time.sleep(0.15)  # let the watcher settle between saves, as between a person's saves
        t0 = time.monotonic()
        with open(path, "w", encoding="utf-8") as f:
            f.write(original + "\n" + marker + "\n")
        while marker not in fetch(url):
            if time.monotonic() - t0 > 30:
                raise SystemExit(f"edit {i} never became visible")
            time.sleep(0.002)
        latencies.append((time.monotonic() - t0) * 1000)
    rebuilds = [float(m.group(1)) for l in lines if (m := re.search(r"rebuilt \(Article.*\) in (\d+) ms", l))]
    return first_build, latencies, rebuilds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "sourcebook"))
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    print("| articles | first build (s) | save to visible, median (ms) | p90 (ms) | server rebuild, median (ms) | edits |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in a.pages:
        first, lat, rebuilds = run(n, a.edits, a.binary)
        p90 = sorted(lat)[max(0, int(len(lat) * 0.9) - 1)]
        rb = statistics.median(rebuilds) if rebuilds else float("nan")
        print(f"| {n:,} | {first:.2f} | {statistics.median(lat):.0f} | {p90:.0f} | {rb:.0f} | {len(lat)} |", flush=True)


if __name__ == "__main__":
    main()
