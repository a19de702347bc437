#!/usr/bin/env python3
"""Group a `perf record --call-graph dwarf` profile of sourcebook by phase.

    perf script -i perf.data -F tid,period,ip,sym,dso --no-inline | python3 bench/phases.py

Each sample (weighted by its period) is given
  - a stage: the module of the outermost `sourcebook::` frame below
    main/cli/build (content, sources, site, theme, ...), which also works for
    rayon worker threads whose stacks start in the thread pool; and
  - a library: the innermost frame that belongs to a known crate (YAML,
    pulldown-cmark, hayagriva, Tera, ...) or the kernel, skipping allocator,
    memcpy and core/alloc helpers, which count for their caller.
Prints a stage x library table, the top functions by self time and
sourcebook's own functions by inclusive time.
"""

import collections
import re
import sys

STAGES = [  # (symbol regex, stage name); the outermost match wins
    (r"^sourcebook::diagnostics::Diagnostics::render_text", "print diagnostics"),
    (r"^sourcebook::config::", "config (site.yaml)"),
    (r"^sourcebook::content::", "content: read files, front matter"),
    (r"^sourcebook::sources::format::", "sources: CSL formatting"),
    (r"^sourcebook::sources::", "sources: load sources.yaml"),
    (r"^sourcebook::(site|markdown)::", "site: markdown, links, citations, FAQ"),
    (r"^sourcebook::theme::", "theme: templates, JSON-LD, feeds, write"),
    (r"^sourcebook::output::", "output: staging, swap"),
]
SKIP_STAGE = re.compile(r"^sourcebook::(main|cli::|build::)")
LIBRARIES = [  # (symbol or dso regex, library); the innermost match wins
    (r"\[kernel", "kernel"),  # split below into page faults / file syscalls / other
    (r"^(yaml_serde|serde_yaml|unsafe_libyaml|yaml_rust|saphyr)", "YAML"),
    (r"^pulldown_cmark", "pulldown-cmark"),
    (r"^(hayagriva|citationberg|biblatex|unic_|icu_)", "hayagriva/CSL"),
    (r"^tera", "Tera"),
    (r"^serde_json", "serde_json"),
    (r"^annotate_snippets", "annotate-snippets"),
    (r"^walkdir|^std::(fs|sys::fs)", "std::fs, walkdir"),
    (r"^<?sourcebook::", "sourcebook code"),
    (r"^<?rayon", "rayon"),
]


def samples(lines):
    """Yield (period, [(symbol, dso), ...] leaf first) from `perf script`."""
    period, frames = None, []
    for line in lines:
        if not line.strip():
            if period is not None:
                yield period, frames
            period, frames = None, []
        elif not line.startswith("\t"):  # header: "  tid  period" (frames start with a tab)
            period, frames = int(line.split()[1]), []
        else:
            m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
            if m:
                frames.append((m.group(1), m.group(2)))
    if period is not None:
        yield period, frames


def classify(frames):
    stage = "other: start-up, exit, idle threads"
    for sym, _ in reversed(frames):  # root first: the outermost match wins
        if sym.startswith("sourcebook::") and not SKIP_STAGE.match(sym):
            stage = next((name for rx, name in STAGES if re.match(rx, sym)), "other sourcebook")
            break
    library = "other (libc, alloc, core)"
    for sym, dso in frames:  # leaf first: the innermost match wins
        hit = next((name for rx, name in LIBRARIES if re.search(rx, sym if rx[0] != "\\" else dso)), None)
        if hit:
            library = hit
            break
    if library == "kernel":
        syms = " ".join(sym for sym, _ in frames)
        if "page_fault" in syms:
            library = "kernel: page faults (zeroing new memory)"
        elif re.search(r"sys_(write|pwrite|read|pread|open|openat|close|getdents|rename|unlink|mkdir|statx|newfstat)", syms):
            library = "kernel: file syscalls"
        else:
            library = "kernel: other (scheduler, interrupts)"
    return stage, library


def main():
    table = collections.defaultdict(int)
    self_time = collections.Counter()
    inclusive = collections.Counter()  # each sourcebook function once per sample
    total = 0
    for period, frames in samples(sys.stdin):
        if not frames:
            continue
        total += period
        table[classify(frames)] += period
        self_time[frames[0][0]] += period
        for sym in {sym for sym, _ in frames if sym.startswith("sourcebook::")}:
            inclusive[sym] += period
    pct = lambda v: f"{100 * v / total:.1f}%"
    by_stage = collections.Counter()
    for (stage, _), v in table.items():
        by_stage[stage] += v
    print(f"| stage | share | by library (share of all samples) |\n|---|---:|---|")
    for stage, v in by_stage.most_common():
        libs = sorted(((lv, lib) for (s, lib), lv in table.items() if s == stage), reverse=True)
        detail = ", ".join(f"{lib} {pct(lv)}" for lv, lib in libs if lv / total >= 0.003)
        print(f"| {stage} | {pct(v)} | {detail} |")
    by_lib = collections.Counter()
    for (_, lib), v in table.items():
        by_lib[lib] += v
    print("\n| library | share |\n|---|---:|")
    for lib, v in by_lib.most_common():
        print(f"| {lib} | {pct(v)} |")
    print("\n| function (self time) | share |\n|---|---:|")
    for sym, v in self_time.most_common(15):
        print(f"| `{sym[:110]}` | {pct(v)} |")
    print("\n| sourcebook function (inclusive) | share |\n|---|---:|")
    for sym, v in inclusive.most_common(40):
        if not SKIP_STAGE.match(sym):
            print(f"| `{sym[:110]}` | {pct(v)} |")
    print(f"\n{total / 1e9:.2f} s of CPU sampled (cpu-clock periods)")


if __name__ == "__main__":
    main()
