#!/usr/bin/env node
// Browser checks of a built sourcebook site (the default theme).
//
//   node run.mjs PUBLIC_DIR [--all]
//
// For one page of each kind (home, topic, article, faq, sources, glossary,
// tags, tag, 404; with --all: every page) it runs axe-core (WCAG 2.0/2.1/2.2 A and AA)
// in light and dark colour schemes at 1280 and 320 px wide, checks that
// nothing scrolls sideways at 320 px, checks the page structure (one h1, a
// working skip link, landmarks, the crisis box and the disclaimer in the same
// place on every page, no scripts, nothing fetched from other hosts), keyboard
// focus, reduced motion, the print stylesheet, navigation between pages from
// file://, search (served over http from a local server: typing an article's
// title into the header's search box lists that article, and so does the
// title with slips and its last word half typed; results appear as you type
// on the search page, with marked words, section links and "More results";
// index text that looks like markup stays text; opened from disk it works
// too, and without JavaScript it says so), and then runs the Nu HTML checker (vnu.jar) over every .html file
// (and, as CSS, every .css file). Redirect pages (a page's old addresses,
// `aliases:`) are checked apart: where they lead, canonical and noindex, that
// a browser arrives, and axe with the refresh held back.
// Pages are opened straight from disk (file:// URLs); the search checks also
// serve the folder over http on 127.0.0.1, as a host would.
//
// Prints one line per check, the findings under each failed one, and a last
// line `N passed, M failed`. Exits 1 on any failure, 2 on a usage error.
//
// Environment: CHROMIUM (default /usr/bin/chromium), JAVA (default java).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { builtSite, chromium } from './built-site.mjs';
import { check, finish, paint, section } from './report.mjs';
import { serveFolder as serve } from './serve-folder.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const VNU_JAR = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// axe's structural best-practice rules, run once per page as "landmarks".
const STRUCTURE_RULES = [
  'bypass', 'skip-link', 'region', 'page-has-heading-one', 'heading-order', 'empty-heading',
  'landmark-one-main', 'landmark-unique', 'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo',
  'landmark-no-duplicate-main', 'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level',
  'landmark-main-is-top-level', 'landmark-complementary-is-top-level',
];
const KINDS = ['home', 'topic', 'article', 'faq', 'sources', 'glossary', 'search', 'tags', 'tag', '404', 'redirect'];
// SPEC §5: the FAQ index exists when articles have questions, the glossary when content/glossary.yaml does,
// the search page unless site.yaml turns search off; tag pages when articles have tags and site.yaml
// leaves them on; redirect pages when a page has `aliases:`.
const OPTIONAL_KINDS = ['faq', 'glossary', 'search', 'tags', 'tag', 'redirect'];
const SCHEMES = ['light', 'dark'];
const WIDTHS = [1280, 320];
const HEIGHT = 900;
const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---------------------------------------------------------------- arguments

const args = process.argv.slice(2);
const all = args.includes('--all');
// a small test site (`--fixture`): the search checks that need the shipped
// site's words (more than ten pages on "ketamine", "pregnant") are left out
const fixture = args.includes('--fixture');
const positional = args.filter((a) => !a.startsWith('--'));
if (positional.length !== 1 || args.some((a) => a.startsWith('--') && a !== '--all' && a !== '--fixture')) {
  console.error('usage: node run.mjs PUBLIC_DIR [--all] [--fixture]');
  process.exit(2);
}
const publicDir = builtSite(positional[0]);

// ---------------------------------------------------------------- the pages

function htmlFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...htmlFiles(p));
    else if (entry.name.endsWith('.html')) out.push(p);
  }
  return out.sort();
}

const rel = (file) => path.relative(publicDir, file).split(path.sep).join('/');

/** The kind of a page, from `<body data-kind>` (the default theme), else from its path. */
function kindOf(file) {
  const m = /<body[^>]*\bdata-kind="([^"]+)"/.exec(readFileSync(file, 'utf8'));
  if (m) return m[1];
  const r = rel(file);
  if (r === 'index.html') return 'home';
  if (r === '404.html') return '404';
  if (r === 'faq/index.html') return 'faq';
  if (r === 'sources/index.html') return 'sources';
  if (r === 'glossary/index.html') return 'glossary';
  return r.split('/').length === 2 ? 'topic' : 'article';
}

const files = htmlFiles(publicDir);
const byKind = new Map(KINDS.map((k) => [k, []]));
for (const f of files) {
  const k = kindOf(f);
  if (!byKind.has(k)) byKind.set(k, []);
  byKind.get(k).push(f);
}
// One page per kind: the largest, which exercises the most of its template
// (an article with tables, key points, FAQ and many references).
// Redirect pages are not pages of the site's layout: they have their own checks.
const samples = [];
const redirects = [];
for (const [kind, list] of byKind) {
  const chosen = all ? list : [...list].sort((a, b) => statSync(b).size - statSync(a).size).slice(0, 1);
  for (const f of chosen) (kind === 'redirect' ? redirects : samples).push({ kind, file: f, name: `${kind} ${rel(f)}` });
}

// ---------------------------------------------------------------- browser

const executablePath = chromium();
const userDataDir = mkdtempSync(path.join(tmpdir(), 'sourcebook-browser-'));
const browser = await puppeteer.launch({
  executablePath,
  headless: false, // --headless=new is in the argument list
  userDataDir,
  args: CHROMIUM_ARGS,
  defaultViewport: { width: 1280, height: HEIGHT },
});

/**
 * Open `file` (or `url`) in a fresh tab with a scheme and width; records every request.
 * `stay`: the page may not navigate away (a redirect page's refresh is held back).
 */
async function open(file, { url, scheme = 'light', width = 1280, media = 'screen', motion = 'no-preference', stay = false } = {}) {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  if (stay) {
    await page.setRequestInterception(true);
    let navigations = 0;
    page.on('request', (r) => {
      const leaving = r.isNavigationRequest() && r.frame() === page.mainFrame() && navigations++ > 0;
      if (leaving) r.abort('aborted'); else r.continue();
    });
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewport({ width, height: HEIGHT });
  // One call: Emulation.setEmulatedMedia replaces both the media type and the features.
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setEmulatedMedia', {
    media,
    features: [
      { name: 'prefers-color-scheme', value: scheme },
      { name: 'prefers-reduced-motion', value: motion },
    ],
  });
  await page.goto(url ?? pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, errors };
}

async function axe(page, options) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate((o) => window.axe.run(document, o), options);
}

function describeViolations(violations) {
  const out = [];
  for (const v of violations) {
    out.push(`${v.id} (${v.impact}): ${v.help} [${v.tags.filter((t) => /^wcag\d/.test(t)).join(', ')}]`);
    for (const n of v.nodes.slice(0, 6)) {
      const why = (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim();
      out.push(`  at ${n.target.join(' ')}${why ? `: ${why}` : ''}`);
    }
    if (v.nodes.length > 6) out.push(`  … and ${v.nodes.length - 6} more`);
  }
  return out;
}

/** Text of the crisis box and the disclaimer, and where they sit among the landmarks. */
function structureProbe() {
  const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
  const crisis = document.querySelector('[aria-label="Crisis support"], .crisis');
  const disclaimer = document.querySelector('.disclaimer');
  const main = document.querySelector('main');
  const first = document.querySelector('body a[href], body button, body summary, body [tabindex]');
  const skipTarget = first && first.getAttribute('href')?.startsWith('#')
    ? document.getElementById(decodeURIComponent(first.getAttribute('href').slice(1)))
    : null;
  const order = (el) => {
    if (!el || !main) return null;
    const pos = main.compareDocumentPosition(el);
    if (pos & Node.DOCUMENT_POSITION_CONTAINED_BY) return 'inside main';
    return pos & Node.DOCUMENT_POSITION_PRECEDING ? 'before main' : 'after main';
  };
  const landmark = (el) => el?.closest('header, footer, aside, nav, main, [role]')?.tagName.toLowerCase() ?? null;
  const scripts = [...document.scripts].filter((s) => s.type !== 'application/ld+json').map((s) => s.getAttribute('src') || 'inline');
  const handlers = [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length;
  return {
    lang: document.documentElement.getAttribute('lang'),
    title: document.title,
    h1: document.querySelectorAll('h1').length,
    mains: document.querySelectorAll('main').length,
    skip: first ? { text: text(first), href: first.getAttribute('href'), target: !!skipTarget, targetIsMain: skipTarget === main } : null,
    crisis: text(crisis),
    crisisLinks: crisis ? crisis.querySelectorAll('a[href]').length : 0,
    crisisPlace: order(crisis),
    landmarks: [...document.querySelectorAll('header, nav, main, aside, footer, [role=banner], [role=navigation], [role=main], [role=complementary], [role=contentinfo], [role=search]')]
      .filter((el) => !el.parentElement.closest('main, header, footer, aside, nav, article, section'))
      .map((el) => `${el.tagName.toLowerCase()}${el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : ''}`)
      .join(' > '),
    disclaimer: text(disclaimer),
    disclaimerPlace: order(disclaimer),
    disclaimerLandmark: landmark(disclaimer),
    scripts,
    handlers,
  };
}

function externalRequests(requests) {
  return requests.filter((u) => !/^(file|data|about|blob):/.test(u));
}

/** Horizontal overflow at the current width: the page, and any element past the right edge. */
function overflowProbe() {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const clipped = [];
  const scrollsInside = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : el.classList.length ? `.${el.classList[0]}` : ''}`;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !el.checkVisibility() || scrollsInside(el)) continue;
    const cs = getComputedStyle(el);
    // Past the right edge of the viewport, or its own content spilling out of it.
    if (r.right > width + 1) found.push([el, `${name(el)} reaches ${Math.round(r.right)}px`]);
    else if (cs.overflowX === 'visible' && cs.display !== 'inline' && el.scrollWidth > el.clientWidth + 1 && r.left + el.scrollWidth > width + 1) {
      found.push([el, `${name(el)}'s content is ${el.scrollWidth}px wide in a ${el.clientWidth}px box`]);
    }
  }
  // Report the innermost culprits only.
  for (const [el, what] of found) if (!found.some(([other]) => other !== el && el.contains(other))) clipped.push(what);
  return { scrollWidth: doc.scrollWidth, clientWidth: width, clipped };
}

// ---------------------------------------------------------------- checks

try {
  section(`Pages (${files.length} HTML files in ${publicDir})`);
  for (const kind of KINDS) {
    const n = byKind.get(kind).length;
    const optional = OPTIONAL_KINDS.includes(kind) && !n;
    check(`page kind ${kind} exists`, n || optional ? [] : [`no ${kind} page found`],
      [optional ? 'none on this site: optional, skipped' : `${n} page${n > 1 ? 's' : ''}`]);
  }

  // Structure, on every sampled page, compared with the home page.
  section('Structure (one h1, skip link, landmarks, crisis box, disclaimer, no scripts, no external requests)');
  let reference = null;
  for (const s of samples) {
    const { page, requests, errors } = await open(s.file);
    const p = await page.evaluate(structureProbe);
    const f = [];
    if (!p.lang) f.push('<html> has no lang');
    if (!p.title.trim()) f.push('empty <title>');
    if (p.h1 !== 1) f.push(`${p.h1} h1 elements (want exactly 1)`);
    if (p.mains !== 1) f.push(`${p.mains} main elements (want exactly 1)`);
    if (!p.skip || !/skip/i.test(p.skip.text) || !p.skip.targetIsMain) {
      f.push(`the first link is not a skip link to <main>: ${JSON.stringify(p.skip)}`);
    }
    if (!p.crisis || p.crisisLinks === 0) f.push('no crisis box with links (aria-label="Crisis support")');
    if (!p.disclaimer) f.push('no disclaimer (.disclaimer)');
    // Search is the one script, on the search page only (SPEC §5).
    const allowed = s.kind === 'search' ? p.scripts.filter((src) => !/^(\.\.\/)*assets\/search\.[0-9a-f]{8}\.js$/.test(src)) : p.scripts;
    if (allowed.length) f.push(`script element(s) ${allowed.join(', ')}: pages must work without JavaScript`);
    if (p.handlers) f.push(`${p.handlers} element(s) with on* event handler attributes`);
    const ext = externalRequests(requests);
    if (ext.length) f.push(`requests to other hosts: ${ext.join(', ')}`);
    if (errors.length) f.push(`page errors: ${errors.join('; ')}`);
    reference ??= { ...p, name: s.name }; // the first sample is the home page
    {
      // SC 3.2.6 consistent help: the same crisis box and disclaimer, in the same place.
      for (const key of ['crisis', 'crisisPlace', 'landmarks', 'disclaimer', 'disclaimerPlace', 'disclaimerLandmark']) {
        if (p[key] && reference[key] && p[key] !== reference[key]) {
          f.push(`${key} differs from ${reference.name}: ${JSON.stringify(p[key])} vs ${JSON.stringify(reference[key])}`);
        }
      }
    }
    check(`structure ${s.name}`, f);
    const lm = await axe(page, { runOnly: { type: 'rule', values: STRUCTURE_RULES }, resultTypes: ['violations'] });
    check(`landmarks ${s.name}`, describeViolations(lm.violations));
    await page.close();
  }

  // axe, in both colour schemes at both widths, and sideways scrolling at 320 px.
  section(`axe-core ${JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version} (${AXE_TAGS.join(', ')})`);
  const axeCounts = [];
  for (const s of samples) {
    for (const scheme of SCHEMES) {
      for (const width of WIDTHS) {
        const { page } = await open(s.file, { scheme, width });
        const r = await axe(page, { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations', 'incomplete'] });
        const nodes = r.violations.reduce((n, v) => n + v.nodes.length, 0);
        axeCounts.push({ page: s.name, scheme, width, violations: nodes });
        const review = r.incomplete.reduce((n, v) => n + v.nodes.length, 0);
        const findings = describeViolations(r.violations);
        // Guard against a silently ignored emulation: the page must really be in that scheme and width.
        const env = await page.evaluate(() => ({ dark: matchMedia('(prefers-color-scheme: dark)').matches, width: innerWidth }));
        if (env.dark !== (scheme === 'dark') || env.width !== width) findings.push(`emulation not applied: ${JSON.stringify(env)}`);
        check(`axe ${s.name} ${scheme} ${width}px`, findings, review ? [`${review} node(s) axe could not decide: ${r.incomplete.map((v) => v.id).join(', ')}`] : []);
        if (width === 320) {
          const o = await page.evaluate(overflowProbe);
          const f = [];
          if (o.scrollWidth > o.clientWidth) f.push(`scrollWidth ${o.scrollWidth} > clientWidth ${o.clientWidth}`);
          if (o.clipped.length) f.push(`wider than the viewport: ${o.clipped.slice(0, 8).join(', ')}${o.clipped.length > 8 ? ', …' : ''}`);
          check(`no sideways scroll ${s.name} ${scheme} 320px`, f);
        }
        await page.close();
      }
    }
  }

  // The header's row: the search form sits on the title's row from 48rem, placed on its own (absolute),
  // so a title it does not leave room for runs under it (the shipped title did, at 768-788 px).
  section('Header (the site title and the search form never overlap)');
  for (const width of [768, 780, 800, 900, 1000, 1023, 1024, 1100, 1280]) {
    const { page } = await open(samples[0].file, { width });
    const o = await page.evaluate(() => {
      const box = (sel) => { const el = document.querySelector(sel); if (!el || !el.checkVisibility()) return null; const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
      return { title: box('.site-title'), search: box('header .search-form') };
    });
    const f = [];
    if (!o.title) f.push('no visible .site-title');
    // from 48rem the menu is always open (::details-content, which this Chromium has): the form is on show
    if (!o.search) f.push('no visible search form in the header');
    const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
    if (o.title && o.search && !apart(o.title, o.search)) {
      f.push(`the title (${Math.round(o.title.left)}-${Math.round(o.title.right)} px) runs under the search form (${Math.round(o.search.left)}-${Math.round(o.search.right)} px)`);
    }
    check(`header ${width}px`, f);
    await page.close();
  }

  // A link to a question (`#faq-…`, from the FAQ index, an answer or another site) shows it open:
  // its answer is the target, and a closed <details> hid it.
  section('Questions by their address (a link to a question opens it, its question in view)');
  for (const s of samples.filter((x) => x.kind === 'faq' || x.kind === 'article')) {
    const ids = [...readFileSync(s.file, 'utf8').matchAll(/id="(faq-[^"]+)"/g)].map((m) => m[1]);
    if (!ids.length) {
      check(`question address ${s.name}`, [], ['no questions on this page: skipped']);
      continue;
    }
    for (const id of [ids[0], ids[ids.length - 1]]) {
      const { page } = await open(s.file, { url: `${pathToFileURL(s.file).href}#${id}` });
      const o = await page.evaluate((id) => {
        const target = document.getElementById(id);
        const details = target?.closest('details');
        const summary = details?.querySelector('summary')?.getBoundingClientRect();
        return { found: !!target, open: details?.open ?? null, top: summary?.top, bottom: summary?.bottom, height: innerHeight };
      }, id);
      const f = [];
      if (!o.found) f.push(`no element with id ${id}`);
      else if (o.open !== true) f.push(`#${id} lands on a closed question (open: ${o.open})`);
      else if (!(o.top >= 0 && o.bottom <= o.height)) f.push(`the question is out of view (${Math.round(o.top)}-${Math.round(o.bottom)} px of ${o.height})`);
      check(`question address ${s.name} #${id}`, f);
      await page.close();
    }
  }

  // Redirect pages: where they lead, what they tell search engines, that a browser arrives, and axe.
  section('Redirect pages (old addresses, aliases:)');
  for (const s of redirects) {
    const html = readFileSync(s.file, 'utf8');
    const f = [];
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(html);
    const target = refresh ? path.resolve(path.dirname(s.file), decodeURI(refresh[1].replace(/&amp;/g, '&'))) : null;
    if (!refresh) f.push('no <meta http-equiv="refresh" content="0; url=…">');
    else if (!existsSync(target)) f.push(`the refresh leads to no file: ${refresh[1]}`);
    const canonical = /<link rel="canonical" href="([^"]+)">/.exec(html);
    const targetCanonical = target && existsSync(target) ? /<link rel="canonical" href="([^"]+)">/.exec(readFileSync(target, 'utf8')) : null;
    if (!canonical) f.push('no canonical link');
    else if (targetCanonical && canonical[1] !== targetCanonical[1]) f.push(`canonical ${canonical[1]}, but the page says ${targetCanonical[1]}`);
    if (!/<meta name="robots" content="noindex">/.test(html)) f.push('no <meta name="robots" content="noindex">');
    const { page, requests } = await open(s.file, { stay: true });
    const p = await page.evaluate(() => ({ h1: document.querySelectorAll('h1').length, links: [...document.querySelectorAll('main a[href]')].map((a) => a.href) }));
    if (p.h1 !== 1) f.push(`${p.h1} h1 elements (want exactly 1)`);
    if (target && !p.links.includes(pathToFileURL(target).href)) f.push(`no visible link to where it leads (links: ${p.links.join(', ')})`);
    const ext = externalRequests(requests);
    if (ext.length) f.push(`requests to other hosts: ${ext.join(', ')}`);
    await page.close();
    // and a browser really goes on
    const moving = await open(s.file);
    let landed = moving.page.url();
    for (let i = 0; i < 50 && landed === pathToFileURL(s.file).href; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      landed = moving.page.url();
    }
    if (target && landed !== pathToFileURL(target).href) f.push(`the browser is at ${landed}, not ${pathToFileURL(target).href}`);
    await moving.page.close();
    check(`redirect ${s.name}`, f);
    for (const scheme of SCHEMES) {
      for (const width of WIDTHS) {
        const { page: held } = await open(s.file, { scheme, width, stay: true });
        const r = await axe(held, { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] });
        const findings = describeViolations(r.violations);
        if (width === 320) {
          const o = await held.evaluate(overflowProbe);
          if (o.scrollWidth > o.clientWidth) findings.push(`scrollWidth ${o.scrollWidth} > clientWidth ${o.clientWidth}`);
        }
        check(`axe ${s.name} ${scheme} ${width}px`, findings);
        await held.close();
      }
    }
  }

  // A split list keeps its entries' old ids: assets/moved/<list>.js maps each
  // to the page the entry is on now, and an old link (sources/#src-x) goes there.
  const lists = ['sources', 'glossary', 'faq'].filter((l) => existsSync(path.join(publicDir, 'assets/moved', `${l}.js`)));
  if (lists.length) section('Old links into split lists');
  for (const list of lists) {
    const f = [];
    const text = readFileSync(path.join(publicDir, 'assets/moved', `${list}.js`), 'utf8');
    const m = /^sbMoved\((.*)\);\n$/s.exec(text);
    const map = m ? JSON.parse(m[1]) : {};
    const ids = Object.keys(map);
    if (!ids.length) f.push(`assets/moved/${list}.js maps no id`);
    // the last id: on a page past the first when the list is split
    const id = ids[ids.length - 1];
    if (id) {
      const from = pathToFileURL(path.join(publicDir, list, 'index.html')).href + '#' + encodeURIComponent(id);
      const { page, errors } = await open(null, { url: from });
      const want = pathToFileURL(path.join(publicDir, map[id].split('#')[0])).href;
      try {
        await page.waitForFunction((w) => location.href.split('#')[0] === w, { timeout: 5000 }, want);
      } catch {
        f.push(`${list}/#${id} stayed at ${page.url()}, not ${want}`);
      }
      if (!(await page.evaluate((i) => !!document.getElementById(i), id))) f.push(`no #${id} where it landed`);
      f.push(...errors);
      await page.close();
    }
    check(`an old link ${list}/#… goes on to the entry's page`, f);
    // without a #id the map (megabytes on a large site) is not loaded
    const plain = await open(path.join(publicDir, list, 'index.html'));
    const loaded = plain.requests.filter((u) => u.includes('/assets/moved/'));
    await plain.page.close();
    check(`${list}/ without a #id does not load its map of old ids`, loaded.map((u) => `loaded ${u}`));
  }

  // Layout: what a reader sees on the first screen of a phone (375×667) and of a laptop (1280×800).
  section('Layout (the first screen at 375×667 and 1280×800)');
  {
    const PHONE = { width: 375, height: 667 };
    const DESKTOP = { width: 1280, height: 800 };
    /** Open `file` at a size, with JavaScript on or off. */
    const at = async (file, { width, height }, javaScript = true) => {
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(javaScript);
      await page.setViewport({ width, height });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      return page;
    };
    const box = (el) => {
      if (!el || !el.checkVisibility()) return null;
      const r = el.getBoundingClientRect();
      return { top: Math.round(r.top), bottom: Math.round(r.bottom), left: Math.round(r.left), right: Math.round(r.right), height: Math.round(r.height) };
    };
    for (const s of samples) {
      // The title and the first text after it (the description, the text, or the first question) begin on the first screen.
      const page = await at(s.file, PHONE, false);
      const r = await page.evaluate((boxSrc) => {
        const box = new Function(`return (${boxSrc})`)();
        const h1 = document.querySelector('main h1');
        const p = [...document.querySelectorAll('main :is(p, li, summary, dt, dd, th, td)')].find((el) => h1 && (h1.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) && el.checkVisibility() && el.textContent.trim());
        return { h1: box(h1), p: box(p), text: p?.textContent.trim().slice(0, 40) };
      }, box.toString());
      const f = [];
      if (!r.h1) f.push('no visible h1 in main');
      else if (r.h1.bottom > PHONE.height) f.push(`the h1 ends at ${r.h1.bottom}px, below the first screen (${PHONE.height}px)`);
      if (!r.p) f.push('no text after the h1');
      else if (r.p.top > PHONE.height - 24) f.push(`the first text after the h1 ("${r.text}…") starts at ${r.p.top}px, below the first screen`);
      check(`phone 375×667: the h1 and the first text after it start on the first screen, ${s.name}`, f, r.h1 && r.p ? [`h1 ${r.h1.top}–${r.h1.bottom}px, text from ${r.p.top}px`] : []);
      await page.close();
    }
    {
      // Without JavaScript: on a phone the topics fold into a "Menu" that opens; the crisis box is short,
      // shows its first line of help, and opens onto the others. On a laptop everything shows at once.
      const home = byKind.get('home')[0];
      const page = await at(home, PHONE, false);
      const f = [];
      const probe = () => page.evaluate((boxSrc) => {
        const box = new Function(`return (${boxSrc})`)();
        const crisis = document.querySelector('[aria-label="Crisis support"]');
        return {
          summary: box(document.querySelector('.site-header summary')),
          nav: [...document.querySelectorAll('nav[aria-label="Topics"] a')].map(box),
          crisis: box(crisis),
          crisisLinks: [...crisis.querySelectorAll('a[href]')].map(box),
        };
      }, box.toString());
      const closed = await probe();
      if (!closed.summary) f.push('no menu button (summary) in the header');
      if (!closed.nav.length) f.push('no topic links in the header');
      if (closed.nav.some(Boolean)) f.push('topic links show before the menu is opened');
      if (!closed.crisis || closed.crisis.bottom > 250) f.push(`the crisis box ends at ${closed.crisis?.bottom}px (want a compact box, ending above 250px)`);
      if (!closed.crisisLinks[0] || closed.crisisLinks[0].bottom > PHONE.height) f.push('the crisis box\'s first line of help is not on the first screen');
      if (closed.summary) {
        await page.click('.site-header summary');
        const open = await probe();
        if (!open.nav.length || !open.nav.every(Boolean)) f.push('opening the menu does not show every topic link');
      }
      const more = await page.$('[aria-label="Crisis support"] summary');
      if (closed.crisisLinks.length > 1) {
        if (!more) f.push('no way to open the other crisis lines');
        else {
          await more.click();
          const open = await probe();
          if (!open.crisisLinks.every(Boolean)) f.push('opening "More helplines" does not show every crisis line');
        }
      }
      check('phone 375×667 without JavaScript: topics fold into a menu that opens; the crisis box is compact, its first line of help shows and the others open', f,
        closed.crisis ? [`crisis box ${closed.crisis.top}–${closed.crisis.bottom}px`] : []);
      await page.close();
      const wide = await at(home, DESKTOP, false);
      const w = await wide.evaluate((boxSrc) => {
        const box = new Function(`return (${boxSrc})`)();
        return {
          summaries: [...document.querySelectorAll('header summary, [aria-label="Crisis support"] summary')].filter((el) => el.checkVisibility()).length,
          nav: [...document.querySelectorAll('nav[aria-label="Topics"] a')].map(box),
          crisisLinks: [...document.querySelectorAll('[aria-label="Crisis support"] a[href]')].map(box),
          // the home page's topics: each card's link on the first screen
          topics: [...document.querySelectorAll('main .topics a[href], main .cards a[href]')].map((a) => ({ text: a.textContent.trim(), box: box(a) })),
        };
      }, box.toString());
      const g = [];
      if (w.summaries) g.push(`${w.summaries} menu or "More helplines" button(s) show: on a wide screen all should be open`);
      if (!w.nav.length || !w.nav.every((b) => b && b.bottom <= DESKTOP.height)) g.push('not every topic link shows in the header');
      if (!w.crisisLinks.every((b) => b && b.bottom <= DESKTOP.height)) g.push('not every crisis line shows on the first screen');
      check('laptop 1280×800 without JavaScript: every topic link and crisis line shows, no menu button', g);
      const h = [];
      if (!w.topics.length) h.push('no topic list in main (.topics or .cards)');
      for (const t of w.topics) if (!t.box || t.box.bottom > DESKTOP.height) h.push(`"${t.text}" is not on the first screen${t.box ? ` (ends at ${t.box.bottom}px)` : ''}`);
      check('laptop 1280×800: every topic on the home page shows on the first screen', h, [`${w.topics.length} topic links`]);
      await wide.close();
    }
    for (const s of samples.filter((x) => x.kind === 'article')) {
      // The article uses the width: its contents list beside the text, both spanning most of the screen.
      const page = await at(s.file, DESKTOP);
      const r = await page.evaluate((boxSrc) => {
        const box = new Function(`return (${boxSrc})`)();
        return { h1: box(document.querySelector('main h1')), text: box(document.querySelector('main .body')), toc: box(document.querySelector('main .toc')), headings: document.querySelectorAll('main .body :is(h2, h3)').length, width: document.documentElement.clientWidth };
      }, box.toString());
      const f = [];
      // the theme lists the contents of an article with two headings or more
      if (!r.toc && r.headings >= 2) f.push(`no contents list (.toc), with ${r.headings} headings in the text`);
      else if (r.toc) {
        if (!r.text || r.toc.left < r.text.right) f.push(`the contents list (from ${r.toc.left}px) is not beside the text (to ${r.text?.right}px)`);
        if (r.toc.top > DESKTOP.height / 2) f.push(`the contents list starts at ${r.toc.top}px, not in the top half of the first screen`);
        const span = r.toc.right - Math.min(r.text?.left ?? r.toc.left, r.h1?.left ?? r.toc.left);
        if (span < 0.75 * r.width) f.push(`text and contents span ${span}px of ${r.width}px (want at least 75%)`);
      }
      check(`laptop 1280×800: the contents list sits beside the text and together they use the width, ${s.name}`, f,
        r.toc && r.text ? [`text ${r.text.left}–${r.text.right}px, contents ${r.toc.left}–${r.toc.right}px from ${r.toc.top}px`]
          : r.toc ? [] : [`${r.headings} heading(s): no contents list, skipped`]);
      await page.close();
    }
    for (const s of samples.filter((x) => ['sources', 'glossary', 'faq'].includes(x.kind))) {
      // A long list uses the width too: its A–Z bar (or, for the questions on
      // one page, their topics) beside it from the top of the page.
      const page = await at(s.file, DESKTOP);
      const r = await page.evaluate((boxSrc) => {
        const box = new Function(`return (${boxSrc})`)();
        const side = document.querySelector('main .list-grid > :is(.az, .beside)');
        return { h1: box(document.querySelector('main h1')), list: box(document.querySelector('main .list-main')), side: box(side), topics: document.querySelectorAll('main section.faq').length, width: document.documentElement.clientWidth };
      }, box.toString());
      const f = [];
      // questions of one topic (a split FAQ's topic page, a one-topic site) have no topics to list beside them
      if (s.kind === 'faq' && r.topics < 2 && !r.side) {
        check(`laptop 1280×800: a list's A–Z bar or topics sit beside it, ${s.name}`, [], [`${r.topics} topic(s) on the page: nothing to list beside it, skipped`]);
        await page.close();
        continue;
      }
      if (!r.side) f.push('no A–Z bar or topic list beside the list (.list-grid > .az or .beside)');
      else {
        if (!r.list || r.side.left < r.list.right) f.push(`the bar (from ${r.side.left}px) is not beside the list (to ${r.list?.right}px)`);
        if (r.side.top > DESKTOP.height / 2) f.push(`the bar starts at ${r.side.top}px, not in the top half of the first screen`);
        const span = r.side.right - Math.min(r.list?.left ?? r.side.left, r.h1?.left ?? r.side.left);
        if (span < 0.75 * r.width) f.push(`list and bar span ${span}px of ${r.width}px (want at least 75%)`);
      }
      check(`laptop 1280×800: a list's A–Z bar or topics sit beside it and together they use the width, ${s.name}`, f);
      await page.close();
    }
  }

  // Keyboard: the skip link is the first stop and shows; every stop has a visible focus indicator.
  section('Keyboard focus');
  for (const s of samples) {
    const { page } = await open(s.file);
    const f = [];
    const stops = [];
    for (let i = 0; i < 60; i += 1) {
      await page.keyboard.press('Tab');
      const st = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const cs = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
        const shadow = cs.boxShadow && cs.boxShadow !== 'none';
        return {
          what: `${el.tagName.toLowerCase()} "${el.textContent.replace(/\s+/g, ' ').trim().slice(0, 40)}"`,
          visible: outline || shadow,
          inView: r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth && r.width > 0,
          skip: el.classList.contains('skip-link'),
        };
      });
      if (!st) break;
      stops.push(st);
    }
    if (!stops.length) f.push('Tab reaches nothing');
    else if (!stops[0].skip) f.push(`the first Tab stop is ${stops[0].what}, not the skip link`);
    for (const st of stops) {
      if (!st.visible) f.push(`no visible focus indicator (outline ≥ 2px) on ${st.what}`);
      if (!st.inView) f.push(`focused element is off screen: ${st.what}`);
    }
    // Following the skip link moves focus into <main>.
    await page.reload({ waitUntil: 'load' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const inMain = await page.evaluate(() => !!document.activeElement?.closest('main'));
    if (!inMain) f.push('after following the skip link, the next Tab stop is not inside <main>');
    check(`focus ${s.name}`, f, [`${stops.length} stops checked`]);
    await page.close();
  }

  // Citation links are read as "Reference N".
  section('Citations');
  for (const s of samples.filter((x) => x.kind === 'article')) {
    const { page } = await open(s.file);
    // "Reference 3"; a collapsed run may read "References 1-3", but its name must
    // contain the visible text (WCAG 2.5.3 label in name).
    const bad = await page.evaluate(() => [...document.querySelectorAll('sup.citation a')]
      .filter((a) => {
        const label = a.getAttribute('aria-label') || '';
        const text = a.textContent.trim();
        return !(label === `Reference ${text}` || (/^References \S/.test(label) && label.includes(text)));
      })
      .map((a) => a.outerHTML));
    const count = await page.evaluate(() => document.querySelectorAll('sup.citation a').length);
    check(`citation links read "Reference N" ${s.name}`, count ? bad.slice(0, 5) : ['no citations on the page'], [`${count} links`]);
    await page.close();
  }

  // Reduced motion: nothing animates or scrolls smoothly.
  section('Reduced motion');
  for (const s of samples.filter((x) => x.kind === 'article')) {
    const { page } = await open(s.file, { motion: 'reduce' });
    const moving = await page.evaluate(() => {
      const out = [];
      const seconds = (v) => Math.max(...v.split(',').map((x) => parseFloat(x) * (x.trim().endsWith('ms') ? 0.001 : 1)));
      if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') out.push('html has scroll-behavior: smooth');
      for (const el of document.querySelectorAll('*')) {
        const cs = getComputedStyle(el);
        if (cs.animationName !== 'none' && seconds(cs.animationDuration) > 0.01) out.push(`${el.tagName.toLowerCase()} animates`);
        if (seconds(cs.transitionDuration) > 0.01) out.push(`${el.tagName.toLowerCase()} has a transition`);
      }
      return [...new Set(out)];
    });
    check(`prefers-reduced-motion ${s.name}`, moving);
    await page.close();
  }

  // Print: an article prints as a handout.
  section('Print stylesheet');
  for (const s of samples.filter((x) => ['article', 'faq'].includes(x.kind))) {
    const { page } = await open(s.file, { media: 'print' });
    const r = await page.evaluate(() => {
      const shown = (el) => el.checkVisibility() && el.getBoundingClientRect().height > 0;
      const out = [];
      for (const sel of ['.skip-link', '.site-header nav', '.breadcrumbs', '.toc', '.pager']) {
        for (const el of document.querySelectorAll(sel)) if (shown(el)) out.push(`${sel} is printed`);
      }
      for (const sel of ['h1', 'main', '[aria-label="Crisis support"]', '.disclaimer']) {
        const el = document.querySelector(sel);
        if (el && !shown(el)) out.push(`${sel} is not printed`);
      }
      // every line of crisis help prints, those folded on a phone too
      for (const a of document.querySelectorAll('[aria-label="Crisis support"] a')) if (!shown(a)) out.push(`crisis line "${a.textContent}" is not printed`);
      const answers = [...document.querySelectorAll('main details > :not(summary)')];
      const hidden = answers.filter((el) => !shown(el));
      if (hidden.length) out.push(`${hidden.length} of ${answers.length} FAQ answers are not printed`);
      // Care cards and callouts print with their label in words and a black border (no colour on paper);
      // footnotes print, their links back do not.
      const blocks = [...document.querySelectorAll('.care-card, .callout')];
      for (const b of blocks) {
        const label = document.getElementById(b.getAttribute('aria-labelledby') || '');
        if (!shown(b) || !label || !shown(label) || !label.textContent.trim()) out.push(`${b.className}: not printed with its label`);
        const border = getComputedStyle(b).borderLeftColor;
        if (border !== 'rgb(0, 0, 0)') out.push(`${b.className}: its border prints in ${border}, not black`);
      }
      for (const n of document.querySelectorAll('.notes-list > li')) if (!shown(n)) out.push(`note ${n.id} is not printed`);
      for (const a of document.querySelectorAll('.note-back')) if (shown(a)) out.push('a footnote\'s link back is printed');
      // Every web address of a reference is printed: in its text, or after a link (::after).
      const printed = (el) => {
        let t = '';
        const walk = (n) => {
          if (n.nodeType === Node.TEXT_NODE) { t += n.textContent; return; }
          if (n.nodeType !== Node.ELEMENT_NODE || !n.checkVisibility()) return;
          const before = getComputedStyle(n, '::before').content;
          if (before.startsWith('"')) t += before.slice(1, -1);
          n.childNodes.forEach(walk);
          const after = getComputedStyle(n, '::after').content;
          if (after.startsWith('"') || after.includes('http')) t += after.replace(/"/g, '');
        };
        walk(el);
        return t;
      };
      let links = 0;
      const missing = [];
      for (const li of document.querySelectorAll('.ref-list > li, .references li, .source-list > li')) {
        const text = printed(li);
        for (const a of li.querySelectorAll('a[href^="http"]')) {
          links += 1;
          const href = a.getAttribute('href');
          const doi = href.match(/^https:\/\/doi\.org\/(.+)$/);
          if (!text.includes(href) && !(doi && text.includes(doi[1]))) missing.push(href);
        }
      }
      if (missing.length) out.push(`${missing.length} of ${links} reference web addresses are not printed, e.g. ${missing[0]}`);
      return { out, answers: answers.length, links, blocks: blocks.length };
    });
    check(`print ${s.name}`, r.out, [`${r.answers} answers, ${r.links} reference links, ${r.blocks} care cards and callouts`]);
    await page.close();
  }

  // Navigation from file://: click the first topic in the navigation and land on that topic's page.
  section('Navigation from file://');
  {
    const home = byKind.get('home')[0];
    const { page } = await open(home);
    const link = await page.$('nav[aria-label="Topics"] a[href], header nav a[href]');
    const f = [];
    if (!link) f.push('no topic link in the site navigation of the home page');
    else {
      const { text, href } = await link.evaluate((a) => ({ text: a.textContent.trim(), href: a.href }));
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      const landed = await page.evaluate(() => ({
        url: location.href,
        h1: document.querySelector('h1')?.textContent.trim(),
        styled: getComputedStyle(document.body).fontFamily,
        kind: document.body.dataset.kind,
      }));
      if (landed.url !== href) f.push(`landed on ${landed.url}, expected ${href}`);
      if (!landed.url.startsWith('file:') || landed.url.endsWith('/')) f.push(`link target ${landed.url} does not open a file from disk`);
      if (landed.h1 !== text) f.push(`the page's h1 is "${landed.h1}", the link said "${text}"`);
      if (landed.kind && landed.kind !== 'topic') f.push(`landed on a ${landed.kind} page, expected a topic page`);
      if (/^\s*(serif|Times)/i.test(landed.styled)) f.push('the stylesheet did not load on the topic page');
      // And back home through the site title.
      const title = await page.$('.site-title');
      if (title) {
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), title.click()]);
        if (page.url() !== pathToFileURL(home).href) f.push(`the site title leads to ${page.url()}, not the home page`);
      } else f.push('no .site-title link back home');
    }
    check('click a topic link on the home page, then the site title', f);
    await page.close();
  }

  // Search, served over http: type an article's title in the header's search box and find that article.
  section('Search (served over http from 127.0.0.1)');
  if (byKind.get('search').length) {
    const server = await serve(publicDir);
    const base = `http://127.0.0.1:${server.address().port}/`;
    try {
      const article = samples.find((x) => x.kind === 'article').file;
      const title = /<h1>([^<]+)<\/h1>/.exec(readFileSync(article, 'utf8'))[1].replace(/&amp;/g, '&').replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"');
      const want = new URL(rel(article), base).href;
      const { page, requests, errors } = await open(byKind.get('home')[0], { url: base });
      const f = [];
      await page.type('#site-search', title);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
      const landed = page.url();
      if (!landed.startsWith(`${base}search/index.html?q=`)) f.push(`Enter in the search box led to ${landed}`);
      const found = await page.waitForFunction(
        () => document.querySelectorAll('#search-results a').length || /no page|could not/i.test(document.getElementById('search-status').textContent),
        { timeout: 15000 },
      ).then(() => page.evaluate(() => ({
        links: [...document.querySelectorAll('#search-results li')].map((li) => ({ href: li.querySelector('a').href, text: li.querySelector('a').textContent, excerpt: li.querySelector('p').textContent })),
        status: document.getElementById('search-status').textContent.trim(),
        value: document.getElementById('search-query').value,
      }))).catch((e) => ({ links: [], status: `timed out: ${e.message}` }));
      const hit = found.links.find((l) => l.href === want);
      if (!hit) f.push(`no result links to ${want}; status "${found.status}"; got ${found.links.slice(0, 5).map((l) => l.href).join(', ') || 'none'}`);
      else if (hit.text !== title) f.push(`the result reads "${hit.text}", not the title "${title}"`);
      else if (!hit.excerpt.trim()) f.push('the result has no excerpt');
      if (found.value !== title) f.push(`the search page's box holds "${found.value}", not the query`);
      const ext = requests.filter((u) => !u.startsWith(base) && !/^(data|about|blob):/.test(u));
      if (ext.length) f.push(`requests to other hosts: ${ext.join(', ')}`);
      if (errors.length) f.push(`page errors: ${errors.join('; ')}`);
      check(`typing "${title}" in the header search box lists ${rel(article)}`, f, [`${found.links.length} results; ${found.status}`]);
      await page.close();
      // Half typed, the title's last word still finds it (each word of five letters or more loses its
      // last letter, as a slip; the last word is cut to its first three letters, as if still being typed).
      const parts = title.split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean);
      const cut = parts.map((w, i) => (i === parts.length - 1 ? w.slice(0, 3) : w.length >= 5 ? w.slice(0, -1) : w)).join(' ');
      {
        const { page: p, errors: errs } = await open(null, { url: `${base}search/index.html?q=${encodeURIComponent(cut)}` });
        const links = await p.waitForSelector('#search-results a', { timeout: 15000 })
          .then(() => p.evaluate(() => [...document.querySelectorAll('#search-results h2 a')].map((a) => a.href)))
          .catch(() => []);
        const g = [];
        if (!links.slice(0, 3).includes(want)) g.push(`${want} is not in the first three; got ${links.slice(0, 5).join(', ') || 'none'}`);
        if (errs.length) g.push(`page errors: ${errs.join('; ')}`);
        check(`searching "${cut}" lists ${rel(article)} in the first three`, g, [`${links.length} results`]);
        await p.close();
      }
      // Results appear as you type, without loading another page; passages mark the words;
      // "More results" adds the next ten and moves focus to the first of them.
      if (!fixture) {
        const { page: p, errors: errs } = await open(null, { url: `${base}search/index.html` });
        const g = [];
        // a page load would drop this mark (changing the address with history.replaceState keeps it)
        await p.evaluate(() => { window.sameDocument = true; });
        await p.type('#search-query', 'ketamine', { delay: 40 });
        const shown = await p.waitForFunction(() => document.querySelectorAll('#search-results li').length >= 10, { timeout: 15000 })
          .then(() => p.evaluate(() => ({
            items: document.querySelectorAll('#search-results li').length,
            marks: document.querySelectorAll('#search-results mark').length,
            sections: [...document.querySelectorAll('#search-results .search-section a')].map((a) => a.href),
            more: !document.getElementById('search-more').hidden,
            address: location.href,
            same: window.sameDocument === true,
          }))).catch(() => null);
        if (!shown) g.push('no results appeared while typing');
        else {
          if (!shown.same) g.push('typing loaded another page');
          if (!shown.marks) g.push('no word is marked in the results');
          if (!shown.sections.some((h) => h.includes('#'))) g.push('no result links to a section');
          if (!shown.address.endsWith('?q=ketamine')) g.push(`the address is ${shown.address}`);
          if (!shown.more) g.push('no "More results" button after ten results');
          else {
            await p.click('#search-more');
            const after = await p.waitForFunction(() => document.querySelectorAll('#search-results li').length > 10, { timeout: 15000 })
              .then(() => p.evaluate(() => ({
                items: document.querySelectorAll('#search-results li').length,
                focused: document.activeElement === document.querySelectorAll('#search-results li')[10]?.querySelector('a'),
              }))).catch(() => null);
            if (!after) g.push('"More results" added nothing');
            else if (!after.focused) g.push('focus did not move to the first added result');
          }
        }
        if (errs.length) g.push(`page errors: ${errs.join('; ')}`);
        check('typing on the search page lists results without loading a page; "More results" adds more', g, shown ? [`${shown.items} results at first`] : []);
        await p.close();
      }
      // The page with its results, in both schemes and widths.
      for (const scheme of SCHEMES) {
        for (const width of WIDTHS) {
          const { page: p } = await open(null, { url: `${base}search/index.html?q=${encodeURIComponent(title)}`, scheme, width });
          await p.waitForSelector('#search-results a', { timeout: 15000 }).catch(() => {});
          const r = await axe(p, { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] });
          const findings = describeViolations(r.violations);
          if (width === 320) {
            const o = await p.evaluate(overflowProbe);
            if (o.scrollWidth > o.clientWidth) findings.push(`scrollWidth ${o.scrollWidth} > clientWidth ${o.clientWidth}`);
          }
          check(`axe search results ${scheme} ${width}px`, findings);
          await p.close();
        }
      }
    } finally {
      server.close();
    }
    // Page text that looks like markup is shown as text: every title and section in the index is
    // given a script and an image that would set window.pwned if they ran.
    if (!fixture) {
      const evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">';
      const server2 = await serve(publicDir, (p, bytes) => {
        const m = /\/search-index\/(text-\d+)\.js$/.exec(p);
        if (!m) return bytes;
        const head = `sourcebookSearchIndex(${JSON.stringify(m[1])},`;
        const pages = JSON.parse(bytes.toString('utf8').slice(head.length).replace(/\);\s*$/, ''));
        for (const page of pages) {
          page[1] = `${page[1]} ${evil}`;
          for (const section of page[3]) section[2] = `ketamine ${evil} ${section[2]}`;
        }
        return Buffer.from(`${head}${JSON.stringify(pages)});\n`);
      });
      const base2 = `http://127.0.0.1:${server2.address().port}/`;
      try {
        const { page: p } = await open(null, { url: `${base2}search/index.html?q=ketamine` });
        const r = await p.waitForSelector('#search-results li', { timeout: 15000 }).then(() => p.evaluate(() => ({
          elements: document.querySelectorAll('#search-results script, #search-results img').length,
          text: document.getElementById('search-results').textContent,
          pwned: window.pwned,
        }))).catch(() => null);
        const g = [];
        if (!r) g.push('no results');
        else {
          if (r.elements || r.pwned) g.push(`markup from the index ran or became elements (${r.elements} elements)`);
          if (!r.text.includes('<script>window.pwned=1</script>')) g.push('the markup is not shown as text');
        }
        check('index text that looks like markup is shown as text, never run', g);
        await p.close();
      } finally {
        server2.close();
      }
    }
    // Opened from disk (file://), search works too: the index files are scripts.
    if (!fixture) {
      const { page } = await open(null, { url: `${pathToFileURL(byKind.get('search')[0]).href}?q=pregnant` });
      const links = await page.waitForSelector('#search-results a', { timeout: 15000 })
        .then(() => page.evaluate(() => [...document.querySelectorAll('#search-results h2 a')].map((a) => a.href)))
        .catch(() => []);
      check('the search page opened from disk lists results', links.length && links.every((h) => h.startsWith('file:')) ? [] : [`results: ${links.join(', ') || 'none'}`], [`${links.length} results`]);
      await page.close();
    }
    // Without JavaScript the form still opens the search page, which says search needs JavaScript and links to the topics.
    {
      const p = await browser.newPage();
      await p.setJavaScriptEnabled(false);
      await p.goto(`${pathToFileURL(byKind.get('search')[0]).href}?q=pregnant`, { waitUntil: 'load' });
      const r = await p.evaluate(() => ({
        status: document.getElementById('search-status').textContent,
        topics: document.querySelectorAll('main a[href$="index.html"]').length,
        results: !document.getElementById('search-results').hidden,
        more: !document.getElementById('search-more').hidden,
      }));
      const g = [];
      if (!/needs JavaScript/.test(r.status)) g.push(`status reads "${r.status.trim()}"`);
      if (!r.topics) g.push('no links to topics');
      if (r.results || r.more) g.push('an empty result list or button shows');
      check('without JavaScript the search page says search needs it and links to topics', g);
      await p.close();
    }
  } else {
    check('search', [], ['no search page on this site: skipped']);
  }
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- vnu

/** Run vnu.jar over `list` (with extra flags); one check per file. */
function vnu(list, flags) {
  if (!list.length) return;
  const java = process.env.JAVA || 'java';
  const run = spawnSync(java, ['-jar', VNU_JAR, ...flags, '--errors-only', '--format', 'json', '--stdout', ...list], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || (run.status !== 0 && !run.stdout.trim().startsWith('{'))) {
    check(`vnu ${flags.join(' ')} ran`, [`could not run ${java} -jar vnu.jar: ${run.error?.message || run.stderr.trim()}`,
      'install Java 11 or later (apt-get install -y default-jre-headless), or set JAVA']);
    return;
  }
  const messages = JSON.parse(run.stdout).messages ?? [];
  const byFile = new Map(list.map((f) => [path.resolve(f), []]));
  const other = [];
  for (const m of messages) {
    if (m.type !== 'error' && m.type !== 'non-document-error') continue;
    const line = `${m.lastLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'} ${m.message}${m.extract ? `\n  ${m.extract.replace(/\n/g, ' ').trim()}` : ''}`;
    let file = null;
    try { file = path.resolve(fileURLToPath(new URL(m.url))); } catch { /* not a file URL */ }
    (byFile.get(file) ?? other).push(m.url && !byFile.has(file) ? `${m.url} ${line}` : line);
  }
  for (const [file, errs] of byFile) check(`vnu ${rel(file)}`, errs);
  if (other.length) check('vnu (messages for no file)', other);
}

const stylesheets = (function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.css') ? [p] : [];
  });
})(publicDir).sort();
section(`Nu HTML checker (vnu.jar): ${files.length} HTML files, ${stylesheets.length} stylesheet(s)`);
vnu(files, []);
vnu(stylesheets, ['--css']);

// ---------------------------------------------------------------- summary

finish();
