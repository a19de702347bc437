// Serve a built site's folder over http on 127.0.0.1 (a free port), as a
// static host would: `/dir/` is `/dir/index.html`, a missing file is a 404.
// Shared by run.mjs (search), lighthouse.mjs and screenshots.mjs.

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const TYPES = { html: 'text/html; charset=utf-8', css: 'text/css', js: 'text/javascript', json: 'application/json', svg: 'image/svg+xml', xml: 'application/xml', txt: 'text/plain; charset=utf-8' };

/** Serve `dir`; `rewrite(path, bytes)` may change a file on its way out. Resolves to the listening server. */
export function serveFolder(dir, rewrite = (p, bytes) => bytes) {
  const server = createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(dir, path.normalize(p));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file).slice(1)] ?? 'application/octet-stream' });
    res.end(rewrite(p, readFileSync(file)));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
