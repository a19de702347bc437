#!/usr/bin/env node
// Screenshots of a built sourcebook site (the default theme), for the README.
//
//   node screenshots.mjs PUBLIC_DIR OUT_DIR [--full]
//
// The first screen (what a reader sees before scrolling) of the home page,
// the largest article, the FAQ index and the search page (with the results
// for "ketamine"), at 375×667 (a phone) and 1280×800 (a laptop), in the light
// and the dark colour scheme: OUT_DIR/<page>-<width>-<scheme>.png. `--full`
// takes the whole page instead (to look at, not for the README). The folder is
// served over http on 127.0.0.1, as a host would. Environment: CHROMIUM
// (default /usr/bin/chromium).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { builtSite, chromium, largest as largestOfKind } from './built-site.mjs';
import { serveFolder } from './serve-folder.mjs';

const args = process.argv.slice(2);
const full = args.includes('--full');
const positional = args.filter((a) => !a.startsWith('--'));
if (positional.length !== 2 || args.some((a) => a.startsWith('--') && a !== '--full')) {
  console.error('usage: node screenshots.mjs PUBLIC_DIR OUT_DIR [--full]');
  process.exit(2);
}
const publicDir = builtSite(positional[0]);
const outDir = path.resolve(positional[1]);
mkdirSync(outDir, { recursive: true });

const largest = (kind) => largestOfKind(publicDir, kind);

const pages = [
  ['home', 'index.html'],
  ['article', largest('article')],
  ['faq', largest('faq')],
  ['search', largest('search') && `${largest('search')}?q=ketamine`],
].filter(([, p]) => p);
const SIZES = [[375, 667], [1280, 800]];

const server = await serveFolder(publicDir);
const base = `http://127.0.0.1:${server.address().port}/`;
const userDataDir = mkdtempSync(path.join(tmpdir(), 'sourcebook-shots-'));
const browser = await puppeteer.launch({
  executablePath: chromium(),
  headless: false, // --headless=new is in the argument list
  userDataDir,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [name, href] of pages) {
    for (const [width, height] of SIZES) {
      for (const scheme of ['light', 'dark']) {
        const page = await browser.newPage();
        await page.setViewport({ width, height });
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
        await page.goto(new URL(href, base).href, { waitUntil: 'load' });
        if (name === 'search') await page.waitForSelector('#search-results a', { timeout: 15000 }).catch(() => {});
        const file = path.join(outDir, `${name}-${width}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: full });
        console.log(`${path.relative(process.cwd(), file)}  ${href}`);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
