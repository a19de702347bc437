// Serve a built site's folder over http on 127.0.0.1 (a free port), as a
// static host would: `/dir/` is `/dir/index.html`, a missing file is a 404,
// and text is gzipped for a browser that accepts it (hosts compress, and
// Lighthouse counts the bytes sent).
// Shared by run.mjs (search), lighthouse.mjs and screenshots.mjs.

import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

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
    const type = TYPES[path.extname(file).slice(1)] ?? 'application/octet-stream';
    const body = rewrite(p, readFileSync(file));
    if (/^(text|application\/(json|xml))|svg/.test(type) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', vary: 'accept-encoding' });
      res.end(gzipSync(body));
    } else {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
