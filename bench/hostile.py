#!/usr/bin/env python3
"""Time sourcebook on small hostile sites that used to take quadratic time.

Each case is one article (or one glossary) a careless or hostile author
could write. A linear build takes well under a second on each; before the
fixes of the robustness round they took tens of seconds to minutes. Timings
are printed, never asserted: run it by hand, before and after a change.

    python3 bench/hostile.py                       # builds target/release/sourcebook first
    python3 bench/hostile.py --sourcebook OLD NEW  # two binaries side by side

Cases:
  headings   40,000 identical headings in one article (about 1.4 MB)
  questions  20,000 identical FAQ questions
  escapes    40,000 FAQ answers with YAML escapes
  glossary   20,000 glossary terms, all used in one paragraph
  links      20,000 external links, one a line
  anchors    20,000 `[x](#h)` links to one heading
  longline   10,000 broken anchors on one line
  cites      16,000 unknown citations on one line
  bibbraces  100,000 nested braces in a BibTeX title (25 s before its fix)
  bibparts   100,000 `#` parts in a BibTeX title (6 s before its fix)
  broken     16,000 broken links on one line
  notes      32,000 footnotes and their definitions
  undefined  4,000 undefined footnotes beside 4,000 defined ones
  nearanchor 8,000 broken anchors among 8,000 headings
  nesting    40,000 nested `[` `]` in site.yaml (YAML depth limit)
  wording    80,000 promotional phrases in one article (`check`)
  dense      7 MB of nested emphasis (`*a **a `), for memory: refused past 2 MiB
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_YAML = 'title: "Hostile"\nbase_url: "https://example.org/"\ntopics: [basics]\n'
TOPIC = '---\ntitle: "Basics"\ndescription: "Start."\n---\n\nText.\n'
SOURCES = (
    "doe2020:\n  type: article\n  title: A study\n  author: [\"Doe, Jane\"]\n  date: 2020\n"
    "  parent: { type: periodical, title: Ex J }\n"
)


def article(faq="", body=""):
    head = '---\ntitle: "First"\ndescription: "An article."\ndate: 2024-01-02\n'
    if faq:
        head += "faq:\n" + faq
    return head + "---\n\nA claim [@doe2020].\n\n" + body + "\n"


def cases():
    yield "headings", {"content/basics/first.md": article(body="\n\n".join("## Same heading" for _ in range(40000)))}
    yield "questions", {
        "content/basics/first.md": article(faq="".join('  - q: "Same question?"\n    a: "Yes."\n' for _ in range(20000)))
    }
    yield "escapes", {
        "content/basics/first.md": article(
            faq="".join(f'  - q: "Question {i}?"\n    a: "Caf\\u00e9 answer {i}\\t here."\n' for i in range(40000))
        )
    }
    terms = [f"term{i:05d}" for i in range(20000)]
    yield "glossary", {
        "content/glossary.yaml": "".join(f'{t}:\n  definition: "Meaning of {t}."\n' for t in terms),
        "content/basics/first.md": article(body=" ".join(terms)),
    }


    yield "links", {"content/basics/first.md": article(body="\n".join(f"[link {i}](https://example.org/{i})" for i in range(20000)))}
    yield "anchors", {"content/basics/first.md": article(body="## H\n\n" + "\n".join("[x](#h)" for _ in range(20000)))}
    yield "longline", {"content/basics/first.md": article(body="".join(f"[x{i}](#h{i}) " for i in range(10000)))}
    yield "cites", {"content/basics/first.md": article(body="".join(f"y [@m{i}] " for i in range(16000)))}
    yield "broken", {"content/basics/first.md": article(body="".join(f"[a](nope{i}.md) " for i in range(16000)))}
    yield "notes", {
        "content/basics/first.md": article(body="".join(f"Text[^f{i}].\n\n[^f{i}]: Note {i}.\n\n" for i in range(32000)))
    }
    yield "undefined", {
        "content/basics/first.md": article(
            body="".join(f"Text[^f{i}].\n\n[^f{i}]: Note {i}.\n\nMissing[^g{i}].\n\n" for i in range(4000))
        )
    }
    yield "nearanchor", {
        "content/basics/first.md": article(body="".join(f"## Heading {i}\n\n[x](#nope-{i})\n\n" for i in range(8000)))
    }
    yield "nesting", {"site.yaml": SITE_YAML + "x: " + "[" * 40000 + "]" * 40000 + "\n"}
    yield "bibbraces", {"content/sources.bib": "@misc{x, title = " + "{" * 100000 + "a" + "}" * 100000 + "}\n"}
    yield "bibparts", {"content/sources.bib": "@misc{x, title = " + " # ".join(['"a"'] * 100000) + "}\n"}
    # the editorial checks run in `check` only
    yield "dense", {"content/basics/first.md": article(body="*a **a " * 1000000)}
    yield "wording", {"content/basics/first.md": article(body=("Miracle cure here. " * 10 + "\n\n") * 8000)}, "check"


def write_site(root, files):
    (root / "content/basics").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    (root / "content/basics/_index.md").write_text(TOPIC)
    (root / "content/sources.yaml").write_text(SOURCES)
    for rel, text in files.items():
        (root / rel).write_text(text)


def run(binary, root, out, timeout, command="build"):
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    args = ["build", "--output", str(out)] if command == "build" else [command]
    proc = subprocess.Popen([binary, "--root", str(root), "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, proc.kill)  # a run past --timeout is killed (exit -9)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        proc.kill()
        raise
    finally:
        timer.cancel()
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, code


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sourcebook", nargs="+", help="binaries to time (default: build target/release/sourcebook)")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    binaries = args.sourcebook
    if not binaries:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binaries = [str(ROOT / "target/release/sourcebook")]
    print(f"| case | {' | '.join(binaries)} |")
    print(f"| --- |{' ---: |' * len(binaries)}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, files, *command in cases():
            site = Path(tmp) / name
            write_site(site, files)
            cells = []
            for b in binaries:
                wall, rss, code = run(b, site, Path(tmp) / f"{name}-out", args.timeout, *command)
                cells.append(f"{wall:.2f} s, {rss:.0f} MiB, exit {code}")
            print(f"| {name} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
