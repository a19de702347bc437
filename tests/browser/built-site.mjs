// What every browser script starts from: the built site's folder (checked
// to hold a site), the Chromium to drive, and the largest page of a kind
// (the one that exercises the most of its template).
// Shared by run.mjs, lighthouse.mjs and screenshots.mjs.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** `dir` resolved; exits 2 when it holds no built site. */
export function builtSite(dir) {
  const publicDir = path.resolve(dir);
  if (!existsSync(path.join(publicDir, 'index.html'))) {
    console.error(`error: ${publicDir} has no index.html; build the site first (sourcebook build)`);
    process.exit(2);
  }
  return publicDir;
}

/** The Chromium to drive (`CHROMIUM`, else Debian's); exits 2 when there is none. */
export function chromium() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(`error: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM)`);
    process.exit(2);
  }
  return executablePath;
}

/** The largest page below `publicDir` whose <body data-kind> is `kind`, relative to it; null if none. */
export function largest(publicDir, kind) {
  const found = [];
  (function walk(dir) {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html') && readFileSync(p, 'utf8').includes(`<body data-kind="${kind}"`)) found.push(p);
    }
  })(publicDir);
  found.sort((a, b) => statSync(b).size - statSync(a).size);
  return found.length ? path.relative(publicDir, found[0]).split(path.sep).join('/') : null;
}
