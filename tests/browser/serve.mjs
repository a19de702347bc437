// Live preview in a real Chromium: a save shows on the open page (updated in
// place, keeping the scroll position; reloaded when its stylesheets change
// or it runs scripts of its own), a broken edit shows the error overlay over
// the last good page, and fixing it clears the overlay.
// Usage: node serve.mjs [path/to/sourcebook]   (default ../../target/debug/sourcebook)
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer from "puppeteer-core";

const bin = resolve(process.argv[2] ?? "../../target/debug/sourcebook");
const site = mkdtempSync(join(tmpdir(), "sourcebook-serve-"));
cpSync(resolve("../fixtures/minimal"), site, { recursive: true });
// the default theme as the site's own, so a test can change its stylesheet
cpSync(resolve("../../themes/default"), join(site, "themes/default"), { recursive: true });
const article = join(site, "content/basics/first.md");
// a long page, so there is something to scroll
writeFileSync(article, readFileSync(article, "utf8") + "\n" + Array.from({ length: 80 }, (_, i) => `Paragraph ${i} of filler text [@doe2020].\n`).join("\n"));

let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++; else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail}`}`);
}
function edit(from, to) {
  writeFileSync(article, readFileSync(article, "utf8").replace(from, to));
}

// as README says to run it: from the site's folder, with no --root (a relative root)
const server = spawn(bin, ["serve", "--port", "0"], { cwd: site, env: { ...process.env, NO_COLOR: "1" } });
const base = await new Promise((ok, fail) => {
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    const m = err.match(/http:\/\/127\.0\.0\.1:\d+/);
    if (m) ok(m[0]);
  });
  server.on("exit", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  setTimeout(() => fail(new Error(`serve did not start: ${err}`)), 20000);
});

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  userDataDir: mkdtempSync(join(tmpdir(), "sourcebook-chromium-")),
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 700 });
  await page.goto(`${base}/basics/first/`, { waitUntil: "load" });
  await page.waitForFunction(() => document.querySelector("script[data-version]"));
  await page.evaluate(() => window.scrollTo(0, 1500));
  await new Promise((r) => setTimeout(r, 300)); // the event stream is connected

  // a mark on the open document: gone if the page is loaded again
  const mark = () => page.evaluate(() => (window.__samePage = true));
  const marked = () => page.evaluate(() => window.__samePage === true);
  await mark();
  const t0 = Date.now();
  edit("A claim with a source", "A saved claim with a source");
  await page.waitForFunction(() => document.body.innerText.includes("A saved claim"), { timeout: 10000 }).catch(() => {});
  const reloadMs = Date.now() - t0;
  check("a save shows on the open page", await page.evaluate(() => document.body.innerText.includes("A saved claim")));
  check("the page is updated in place, not loaded again", await marked());
  console.log(`     save to visible: ${reloadMs} ms`);
  await new Promise((r) => setTimeout(r, 300));
  const y = await page.evaluate(() => window.scrollY);
  check("the scroll position is kept", Math.abs(y - 1500) < 50, `scrollY ${y}`);

  edit("A saved claim with a source [@doe2020]", "A broken claim [@no-such-source]");
  await page.waitForSelector("#sourcebook-overlay", { timeout: 10000 }).catch(() => {});
  const overlay = await page.evaluate(() => document.querySelector("#sourcebook-overlay")?.innerText ?? "");
  check("a broken edit shows the overlay", overlay.includes("error[unknown-source]"), overlay.slice(0, 200));
  check("the overlay gives file, line and column", /content\/basics\/first\.md:\d+:\d+/.test(overlay), overlay.slice(0, 200));
  check("the last good page stays under the overlay", await page.evaluate(() => document.body.innerText.includes("A saved claim")));
  // readable whatever the page's own colours: WCAG contrast of the error text, in light and dark
  for (const scheme of ["light", "dark"]) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    const ratio = await page.evaluate(() => {
      const lum = (c) => {
        const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => {
          const x = Number(v) / 255;
          return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const o = document.querySelector("#sourcebook-overlay");
      const fg = lum(getComputedStyle(o.querySelector("pre")).color);
      const bg = lum(getComputedStyle(o).backgroundColor);
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });
    check(`the overlay's text is readable (${scheme})`, ratio >= 7, `contrast ${ratio.toFixed(2)}`);
  }
  await page.keyboard.press("Escape");
  check("Escape hides the overlay", await page.evaluate(() => !document.querySelector("#sourcebook-overlay")));

  edit("A broken claim [@no-such-source]", "A fixed claim [@doe2020]");
  await page.waitForFunction(() => !document.querySelector("#sourcebook-overlay") && document.body.innerText.includes("A fixed claim"), { timeout: 10000 }).catch(() => {});
  check("fixing it clears the overlay and shows the fix", await page.evaluate(() => !document.querySelector("#sourcebook-overlay") && document.body.innerText.includes("A fixed claim")));

  // the head follows the page: title, description, JSON-LD, with one of each
  edit('title: "First article"', 'title: "First article, retitled"');
  await page.waitForFunction(() => document.title.includes("retitled"), { timeout: 10000 }).catch(() => {});
  const head = await page.evaluate(() => ({
    title: document.title,
    titles: document.querySelectorAll("title").length,
    ld: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent),
    h1: document.querySelector("h1")?.textContent ?? "",
    live: document.querySelectorAll("script[data-version]").length,
  }));
  check("a new title shows in the tab, the heading and the JSON-LD", head.title.includes("retitled") && head.h1.includes("retitled") && head.ld.length === 1 && head.ld[0].includes("retitled"), JSON.stringify(head));
  check("the head has one title and the page one live-reload script", head.titles === 1 && head.live === 1, JSON.stringify(head));
  check("still the same document", await marked());

  // a changed stylesheet: the page loads again, with it
  const css = join(site, "themes/default/static/assets/style.css");
  writeFileSync(css, readFileSync(css, "utf8") + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n");
  await page.waitForFunction(() => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)", { timeout: 10000 }).catch(() => {});
  check("a changed stylesheet applies", await page.evaluate(() => getComputedStyle(document.body).outlineColor === "rgb(1, 2, 3)"));
  check("a changed stylesheet loads the page again", !(await marked()));

  // search in the preview: the index serve builds, following a save
  const searchFor = async (word) => {
    await page.goto(`${base}/search/?q=${word}`, { waitUntil: "load" });
    await page.waitForFunction(() => /match|could not/.test(document.getElementById("search-status")?.innerText ?? ""), { timeout: 10000 }).catch(() => {});
    return page.evaluate(() => [...document.querySelectorAll("#search-results a")].some((a) => a.href.includes("/basics/first/")));
  };
  check("search works in the preview", await searchFor("fixed"));
  check("a word not yet saved finds nothing", !(await searchFor("quetzalcoatlus")));
  // wait on the article, not the search page: the search page shows the
  // word it was asked for, and its reload would abort the next search
  await page.goto(`${base}/basics/first/`, { waitUntil: "load" });
  edit("A fixed claim", "A quetzalcoatlus claim");
  await page.waitForFunction(() => document.querySelector("main")?.innerText.includes("A quetzalcoatlus claim"), { timeout: 10000 }).catch(() => {});
  check("a saved word is found by search", await searchFor("quetzalcoatlus"));
  // a page that runs a script of its own (search) loads again, so it runs
  await mark();
  edit("A quetzalcoatlus claim", "An axolotl claim");
  await page.waitForFunction(() => window.__samePage !== true, { timeout: 10000 }).catch(() => {});
  check("a page with scripts of its own loads again", !(await marked()));

  // a browser opens at most six connections to a host: open tabs share
  // one event stream, so a seventh and an eighth tab load and follow saves
  const tabs = [];
  for (let i = 0; i < 8; i++) {
    const tab = await browser.newPage();
    const loaded = await tab.goto(`${base}/basics/first/`, { waitUntil: "load", timeout: 10000 }).then(() => true, () => false);
    tabs.push({ tab, loaded });
  }
  check("eight more tabs all load", tabs.every((t) => t.loaded), tabs.map((t) => t.loaded).join(","));
  await new Promise((r) => setTimeout(r, 300));
  edit("Paragraph 3 of filler", "Paragraph 3 of many tabs");
  const shown = await Promise.all(
    tabs.map((t) => t.tab).map((p) =>
      p.waitForFunction(() => document.body.innerText.includes("of many tabs"), { timeout: 10000, polling: 100 }).then(() => true, () => false),
    ),
  );
  check("a save shows on every open tab", shown.every(Boolean), shown.join(","));
  for (const { tab } of tabs) await tab.close();

  const second = join(site, "content/basics/second.md");
  writeFileSync(second, '---\ntitle: "Second"\ndescription: "Added while serving."\ndate: 2024-05-01\n---\n\nA second page [@doe2020].\n');
  for (let i = 0; i < 100; i++) {
    const r = await page.goto(`${base}/basics/second/`, { waitUntil: "load" });
    if (r.status() === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  check("a new article appears", await page.evaluate(() => document.body.innerText.includes("A second page")));
  await new Promise((r) => setTimeout(r, 300));
  rmSync(second);
  await page.waitForFunction(() => document.title.includes("not found") || document.body.innerText.includes("Page not found"), { timeout: 10000 }).catch(() => {});
  check("a deleted page open in the browser shows the 404 page", await page.evaluate(() => document.body.innerText.includes("Page not found")));
} finally {
  await browser.close();
  server.kill();
  rmSync(site, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
