// The search page of sourcebook's default theme: reads ?q= from the address,
// looks the words up in the index that `sourcebook build` wrote
// (search-index/, described in sourcebook's src/search.rs) and lists the
// matching pages, best first, with their descriptions. Loaded on the search
// page only. Browsers refuse to fetch the index for pages opened from disk
// (file://): the page then says so and the links to the topics stay.
(() => {
  'use strict';
  const FORMAT = 1;
  const SHOWN = 20;
  const script = document.currentScript;
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const query = (new URLSearchParams(location.search).get('q') || '').trim();
  const say = (text) => {
    const p = document.createElement('p');
    p.textContent = text;
    status.replaceChildren(p);
  };
  document.getElementById('search-query').value = query;
  if (location.protocol === 'file:') {
    say('Search works when the site is served from a web address (http or https): browsers do not let it read its index from files opened from disk. Browse the topics below instead.');
    return;
  }
  // Words as the index has them: runs of letters and digits, in lower case.
  const words = (text) => text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).filter(Boolean);
  const terms = [...new Set(words(query))];
  if (!terms.length) {
    say('Type one or more words and press Search.');
    return;
  }
  document.title = `${query}: ${document.title}`;
  say('Searching…');

  const root = new URL(script.dataset.root, location.href);
  const index = new URL(script.dataset.index, location.href);
  const files = new Map();
  const load = (name) => {
    if (!files.has(name)) {
      files.set(name, fetch(new URL(name, index)).then((r) => {
        if (!r.ok) throw new Error(`${name}: ${r.status}`);
        return r.json();
      }));
    }
    return files.get(name);
  };
  // The index sorts words by code point (as UTF-8 bytes sort); so does this.
  const compare = (a, b) => {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  };
  // A word of three letters or more also matches the longer words it begins.
  const matches = (term, word) => word === term || (term.length >= 3 && word.startsWith(term));

  // Page number → score for one query word: the best of the stems of the words it matches.
  const lookUp = async (meta, term) => {
    const starts = meta.words;
    const wanted = [];
    for (let i = 0; i < starts.length; i++) {
      const next = starts[i + 1];
      // file i holds the words from starts[i] up to the next file's first word
      const endsAfter = next === undefined || compare(next, term) > 0;
      if (endsAfter && (compare(starts[i], term) <= 0 || starts[i].startsWith(term))) wanted.push(i);
      if (compare(starts[i], term) > 0 && !starts[i].startsWith(term)) break;
    }
    const scores = new Map();
    const seen = new Set();
    for (const file of await Promise.all(wanted.map((i) => load(`words-${i}.json`)))) {
      file.words.forEach((word, w) => {
        const s = file.stem[w];
        if (!matches(term, word) || seen.has(file.stems[s])) return;
        seen.add(file.stems[s]);
        const pages = file.pages[s];
        for (let k = 0, page = 0; k < pages.length; k += 2) {
          page += pages[k];
          scores.set(page, Math.max(scores.get(page) || 0, pages[k + 1]));
        }
      });
    }
    return scores;
  };

  // The description, with the words the query matches in <mark>.
  const describe = (text) => {
    const out = [];
    for (const part of text.split(/([\p{Alphabetic}\p{N}]+)/u)) {
      if (!part) continue;
      const lower = part.toLowerCase();
      if (terms.some((t) => matches(t, lower))) {
        const m = document.createElement('mark');
        m.textContent = part;
        out.push(m);
      } else {
        out.push(document.createTextNode(part));
      }
    }
    return out;
  };
  const item = ([href, title, description]) => {
    const li = document.createElement('li');
    const h = document.createElement('h2');
    const a = document.createElement('a');
    a.href = new URL(href, root).href;
    a.textContent = title;
    h.append(a);
    const p = document.createElement('p');
    p.append(...describe(description));
    li.append(h, p);
    return li;
  };

  (async () => {
    const meta = await load('meta.json');
    if (meta.format !== FORMAT) throw new Error(`index format ${meta.format}`);
    const each = await Promise.all(terms.map((t) => lookUp(meta, t)));
    // Pages that match every word, by their summed scores; ties in site order.
    const [first, ...rest] = each;
    const found = [...first.keys()]
      .filter((page) => rest.every((s) => s.has(page)))
      .map((page) => [page, each.reduce((sum, s) => sum + s.get(page), 0)])
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = found.slice(0, SHOWN).map(([page]) => page);
    const per = meta.pages_per_file;
    const shown = await Promise.all(top.map(async (page) => (await load(`pages-${Math.floor(page / per)}.json`))[page % per]));
    list.replaceChildren(...shown.map(item));
    list.hidden = shown.length === 0;
    const n = found.length;
    const more = n > shown.length ? `; the first ${shown.length} are listed` : '';
    say(n === 0
      ? `No page matches “${query}”. Try other or fewer words, or browse the topics below.`
      : `${n} page${n === 1 ? '' : 's'} match “${query}”${more}.`);
  })().catch(() => say('The search index could not be loaded. Browse the topics below instead.'));
})();
