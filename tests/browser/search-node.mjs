#!/usr/bin/env node
// Runs the theme's search.js (the same file the search page loads) in Node
// against a built index, for sourcebook's Rust tests (tests/it/search.rs).
//
//   node search-node.mjs SEARCH_JS INDEX_DIR < request.json > answer.json
//
// request: { "stem": [words], "brief": [queries], "queries": [queries], "top": N }
// answer:  { "stem": [stems], "brief": [each query as the page shows it back], "queries": [{ query,
//            every, total, unread, terms: [{ term, stem, corrected, stems: [matched stems] }],
//            results: [{ href, anchor, heading, passage, title }] }] }
// `href` includes `#anchor` when a section matched; `title`, `heading` and
// `passage` are HTML as the page builds it: text escaped, matched words in <mark>.
// Needs only Node 18 or later (no packages).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [script, dir] = process.argv.slice(2);
if (!script || !dir) {
  console.error('usage: node search-node.mjs SEARCH_JS INDEX_DIR < request.json');
  process.exit(2);
}
vm.runInThisContext(readFileSync(script, 'utf8'), { filename: script });
const { stem, brief, createSearch } = globalThis.sourcebookSearch;

// Index files are scripts calling sourcebookSearchIndex(name, data), as in the browser.
const load = async (name) => {
  let got;
  const sandbox = {
    sourcebookSearchIndex: (n, data) => {
      if (n === name) got = data;
    },
  };
  vm.runInNewContext(readFileSync(path.join(dir, `${name}.js`), 'utf8'), sandbox);
  if (got === undefined) throw new Error(`${name}.js did not call sourcebookSearchIndex("${name}", …)`);
  return got;
};
const cache = new Map();
const cached = (name) => {
  if (!cache.has(name)) cache.set(name, load(name));
  return cache.get(name);
};

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const html = (pieces) => pieces.map(([text, mark]) => (mark ? `<mark>${escape(text)}</mark>` : escape(text))).join('');

const request = JSON.parse(readFileSync(0, 'utf8'));
const engine = createSearch(cached);
const answer = { stem: (request.stem || []).map(stem), brief: (request.brief || []).map(brief), queries: [] };
for (const query of request.queries || []) {
  const found = await engine.search(query);
  const top = found.results.slice(0, request.top || 10);
  const results = [];
  for (const r of top) {
    const shown = await engine.show(found, r);
    results.push({
      href: shown.section ? `${shown.href}#${shown.section.anchor}` : shown.href,
      title: html(shown.title),
      heading: shown.section ? html(shown.section.heading) : null,
      passage: html(shown.passage),
      matched: r.matched,
    });
  }
  answer.queries.push({
    query,
    every: found.every,
    total: found.results.length,
    stop: found.stop,
    unread: found.unread,
    terms: found.terms.map((t) => ({ term: t.term, stem: t.stem, corrected: t.corrected, stems: t.stems.map(([s]) => s) })),
    results,
  });
}
process.stdout.write(JSON.stringify(answer));
