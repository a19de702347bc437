// Save-to-visible latency of `sourcebook serve` in a real browser (a
// benchmark, not a test). Generates (or reuses) a corpus with
// ../shared/tools/gen_corpus.py, copies it to a scratch folder, and starts
// the release binary's `serve` from the site's folder with no --root (a
// relative root, as README's first command). Headless Chromium opens one
// article; then, EDITS times, the article's file is rewritten with a new
// sentence at the end of its text, and the time is taken from the write
// returning to the page showing it: the first frame after the change that
// shows it (a page updated in place) or after a reloaded document's
// DOMContentLoaded, stamped by the page itself. Prints the
// median and 90th percentile, the server's own rebuild and re-indexing
// times, and the time from starting `serve` to the first page served.
//
//   node bench/serve_latency.mjs [--pages 10000] [--edits 20] [--seed 1] [--bin target/release/sourcebook] [--corpus DIR]
//
// Needs /usr/bin/chromium (or CHROMIUM=...) and puppeteer-core from
// tests/browser (npm ci there).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const pages = Number(args.pages ?? 10000);
const edits = Number(args.edits ?? 20);
const seed = Number(args.seed ?? 1);
const bin = resolve(args.bin ?? join(repo, "target/release/sourcebook"));
const require = createRequire(join(repo, "tests/browser/package.json"));
const { default: puppeteer } = await import(pathToFileURL(require.resolve("puppeteer-core")).href);

// the corpus, cached as bench/serve_latency.py caches it
const cache = args.corpus ? resolve(args.corpus) : join(tmpdir(), "sourcebook-bench", "corpus", `sourcebook-serve-n${pages}-seed${seed}`);
if (!existsSync(cache)) {
  mkdirSync(dirname(cache), { recursive: true });
  const gen = join(repo, "..", "shared", "tools", "gen_corpus.py");
  const r = spawnSync("python3", [gen, "--pages", String(pages), "--format", "sourcebook", "--out", cache, "--seed", String(seed)], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("gen_corpus.py failed");
}
const work = mkdtempSync(join(tmpdir(), "sourcebook-serve-latency-"));
const site = join(work, "site");
cpSync(cache, site, { recursive: true });
const topic = "efficacy";
const slug = readdirSync(join(site, "content", topic)).filter((f) => f.endsWith(".md") && !f.startsWith("_")).sort()[0].slice(0, -3);
const file = join(site, "content", topic, `${slug}.md`);
const original = readFileSync(file, "utf8");

const started = performance.now();
const server = spawn(bin, ["serve", "--port", "0"], { cwd: site, env: { ...process.env, NO_COLOR: "1" } });
// The server's own lines only: the generated corpus makes 32,000 warnings
// (10 MB) at the start, and matching the whole of them again at each chunk
// of stderr cost the harness about a second of its "start to first page".
let log = "";
let partial = "";
const base = await new Promise((ok, fail) => {
  server.stderr.on("data", (d) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop();
    for (const line of lines) {
      if (/http:\/\/127|built|search index|error/.test(line)) log += line + "\n";
    }
    const m = log.match(/http:\/\/127\.0\.0\.1:\d+/);
    if (m) ok(m[0]);
  });
  server.on("exit", (code) => fail(new Error(`serve exited ${code}: ${log}`)));
});
const url = `${base}/${topic}/${slug}/`;
const first = await fetch(url);
const firstPageMs = performance.now() - started;
if (first.status !== 200) throw new Error(`${url}: ${first.status}`);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  userDataDir: mkdtempSync(join(work, "chromium-")),
});
const latencies = [];
try {
  const page = await browser.newPage();
  // every document stamps when it is first shown (the frame after
  // DOMContentLoaded), and again at the frame after any change to it that
  // shows the text awaited (a page updated in place)
  await page.evaluateOnNewDocument(() => {
    const stamp = () => requestAnimationFrame(() => (window.__shownAt = Date.now()));
    document.addEventListener("DOMContentLoaded", () => {
      stamp();
      new MutationObserver(() => {
        if (window.__awaited && !window.__shownAt && document.body.innerText.includes(window.__awaited)) stamp();
      }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
    });
  });
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelector("script[data-version]"));
  const indexed = () => (log.match(/search index written (?:again )?in/g) ?? []).length;
  for (let i = 0; i < edits; i++) {
    await new Promise((r) => setTimeout(r, 400)); // the reloaded page's event stream is connected
    // as an author pauses between saves: the server has written the search
    // index again (once the sources are quiet) after starting and after
    // each save, before the next save; up to 3 s
    const until = performance.now() + 3000;
    while (indexed() < i + 1 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    const marker = `Benchmark edit number ${i} saved here`;
    await page.evaluate((m) => {
      window.__awaited = m;
      window.__shownAt = 0;
    }, marker);
    const wrote = Date.now();
    writeFileSync(file, `${original}\n\n${marker}.\n`);
    await page.waitForFunction((m) => window.__shownAt && document.body.innerText.includes(m), { timeout: 30000, polling: 20 }, marker);
    latencies.push((await page.evaluate(() => window.__shownAt)) - wrote);
  }
} finally {
  await browser.close();
  server.kill("SIGINT");
  writeFileSync(file, original);
}
await new Promise((r) => server.once("exit", r));
rmSync(work, { recursive: true, force: true });

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const p90 = (xs) => sorted(xs)[Math.ceil(0.9 * xs.length) - 1];
const rebuilt = [...log.matchAll(/rebuilt \(Article[^)]*\)\) in (\d+) ms/g)];
const pagesMs = rebuilt.map((m) => Number(m[1]));
// written once the sources are quiet after a rebuild (older binaries: on the rebuild's line)
const indexMs = [...log.matchAll(/search index (?:written again )?in (\d+) ms/g)].map((m) => Number(m[1]));
console.log(`${pages} articles, ${edits} edits of ${topic}/${slug}, ${bin}`);
console.log(`start to first page served: ${Math.round(firstPageMs)} ms`);
console.log(`save to visible in Chromium: median ${median(latencies)} ms, p90 ${p90(latencies)} ms (all: ${latencies.join(" ")})`);
if (pagesMs.length) console.log(`server, one-article rebuild: median ${median(pagesMs)} ms, p90 ${p90(pagesMs)} ms (${pagesMs.length} rebuilds)`);
if (indexMs.length) console.log(`server, search index written (once the sources are quiet): median ${median(indexMs)} ms, p90 ${p90(indexMs)} ms`);
