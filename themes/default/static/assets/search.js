// The search page of sourcebook's default theme. It reads ?q= from the
// address and searches as the reader types, in the index `sourcebook build`
// wrote (search-index/, described in sourcebook's src/search.rs): the pages
// that have every word first, then those with some of them, each with the
// passage that matched, its words in <mark>, and a link to its section or
// question. The index files are scripts (`sourcebookSearchIndex("name", …)`)
// loaded with <script> elements, so search works from a server and from a
// folder opened from disk (file://), where browsers refuse fetch().
//
// Outside a page (in Node, for sourcebook's tests) it runs nothing and sets
// `globalThis.sourcebookSearch` to its search engine and stemmer.
(() => {
  'use strict';
  const FORMAT = 2;
  /** Results shown at first and added by "More results". */
  const BATCH = 10;
  /** How much a stem counts that the word only begins, or is a misspelling of (by edits). */
  const PREFIX = 0.5;
  const TYPO = [1, 0.5, 0.3];
  /** Words of one query looked up (a pasted page would load every stem file), and the characters of
   *  it shown back in the page's title and status (a long query is shortened with "…"). */
  const MAX_WORDS = 32;
  const SHOWN = 80;
  /** Words left out of the requirement (and not looked up) unless the query has nothing else. */
  const STOP = new Set(('a an and are as at be been but by can could do does for from had has have how i if in into is it ' +
    'its me my of on or our so than that the their them then there these they this to us was we were what when where which ' +
    'who why will with would you your').split(' '));

  // ------------------------------------------------------------ stemming
  // Snowball English ("Porter2"), as rust-stemmers 1.2 implements it
  // (its algorithms/english.sbl): the stemmer the index was made with.
  // sourcebook's tests stem thousands of words with both and compare.
  const stem = (() => {
    const VOWEL = new Set('aeiouy');
    const V_WXY = new Set('aeiouywxY');
    const VALID_LI = new Set('cdeghkmnrt');
    const EXCEPTIONS = new Map([
      ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'],
      ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'], ['singly', 'singl'],
      ...['sky', 'news', 'howe', 'atlas', 'cosmos', 'bias', 'andes'].map((w) => [w, w]),
    ]);
    const AFTER_1A = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);
    const DOUBLES = ['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt'];
    // longest first: the first suffix that matches is the one Snowball's `among` picks
    const byLength = (list) => list.sort((a, b) => b[0].length - a[0].length);
    const STEP1B = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'];
    const STEP2 = byLength([
      ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['entli', 'ent'], ['izer', 'ize'],
      ['ization', 'ize'], ['ational', 'ate'], ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'], ['aliti', 'al'],
      ['alli', 'al'], ['fulness', 'ful'], ['ousli', 'ous'], ['ousness', 'ous'], ['iveness', 'ive'], ['iviti', 'ive'],
      ['biliti', 'ble'], ['bli', 'ble'], ['ogi', 'og'], ['fulli', 'ful'], ['lessli', 'less'], ['li', ''],
    ]);
    const STEP3 = byLength([
      ['tional', 'tion'], ['ational', 'ate'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ical', 'ic'],
      ['ful', ''], ['ness', ''], ['ative', ''],
    ]);
    const STEP4 = byLength(['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate',
      'iti', 'ous', 'ive', 'ize', 'ion'].map((s) => [s, '']));

    const ends = (w, suffix) => {
      const at = w.length - suffix.length;
      if (at < 0) return false;
      for (let i = 0; i < suffix.length; i++) if (w[at + i] !== suffix[i]) return false;
      return true;
    };
    const longest = (w, list) => list.find(([suffix]) => ends(w, suffix));
    const replace = (w, n, by) => {
      w.length -= n;
      w.push(...by);
    };
    // a short syllable ends at `pos`
    const shortAt = (w, pos) => (pos >= 3 && !V_WXY.has(w[pos - 1]) && VOWEL.has(w[pos - 2]) && !VOWEL.has(w[pos - 3]))
      || (pos === 2 && !VOWEL.has(w[1]) && VOWEL.has(w[0]));
    const pastVowel = (w, from) => {
      for (let i = from; i < w.length; i++) if (VOWEL.has(w[i])) return i + 1;
      return -1;
    };
    const pastConsonant = (w, from) => {
      for (let i = from; i < w.length; i++) if (!VOWEL.has(w[i])) return i + 1;
      return -1;
    };

    return (word) => {
      if (EXCEPTIONS.has(word)) return EXCEPTIONS.get(word);
      const w = [...word]; // characters, as Snowball counts them
      if (w.length < 3) return word;
      // prelude: a leading apostrophe goes; y at the start or after a vowel is a consonant (Y)
      if (w[0] === '\'') w.shift();
      let yFound = false;
      for (let i = 0; i < w.length; i++) {
        if (w[i] === 'y' && (i === 0 || VOWEL.has(w[i - 1]))) {
          w[i] = 'Y';
          yFound = true;
        }
      }
      // regions: R1 after the first non-vowel following a vowel, R2 the same within R1
      let p1 = w.length;
      let p2 = w.length;
      const text = w.join('');
      let c = -1;
      for (const start of ['gener', 'commun', 'arsen']) if (text.startsWith(start)) c = start.length;
      if (c < 0) c = pastVowel(w, 0) < 0 ? -1 : pastConsonant(w, pastVowel(w, 0));
      if (c >= 0) {
        p1 = c;
        const v = pastVowel(w, c);
        const d = v < 0 ? -1 : pastConsonant(w, v);
        if (d >= 0) p2 = d;
      }
      // Step 1a
      if (ends(w, '\'s\'')) w.length -= 3;
      else if (ends(w, '\'s')) w.length -= 2;
      else if (ends(w, '\'')) w.length -= 1;
      if (ends(w, 'sses')) replace(w, 4, 'ss');
      else if (ends(w, 'ied') || ends(w, 'ies')) replace(w, 3, w.length - 3 >= 2 ? 'i' : 'ie');
      else if (ends(w, 'us') || ends(w, 'ss')) { /* kept */ }
      else if (ends(w, 's')) {
        // deleted if a vowel comes before the letter before it
        for (let i = w.length - 3; i >= 0; i--) {
          if (VOWEL.has(w[i])) {
            w.length -= 1;
            break;
          }
        }
      }
      if (!AFTER_1A.has(w.join(''))) {
        // Step 1b
        const s1b = STEP1B.find((s) => ends(w, s));
        if (s1b === 'eed' || s1b === 'eedly') {
          if (w.length - s1b.length >= p1) replace(w, s1b.length, 'ee');
        } else if (s1b) {
          const start = w.length - s1b.length;
          if (w.slice(0, start).some((ch) => VOWEL.has(ch))) {
            w.length = start;
            if (ends(w, 'at') || ends(w, 'bl') || ends(w, 'iz')) w.push('e');
            else if (DOUBLES.some((d) => ends(w, d))) w.length -= 1;
            else if (w.length === p1 && shortAt(w, w.length)) w.push('e');
          }
        }
        // Step 1c
        const last = w.length - 1;
        if ((w[last] === 'y' || w[last] === 'Y') && last >= 2 && !VOWEL.has(w[last - 1])) w[last] = 'i';
        // Step 2
        const s2 = longest(w, STEP2);
        if (s2 && w.length - s2[0].length >= p1) {
          const start = w.length - s2[0].length;
          if (s2[0] === 'ogi') {
            if (w[start - 1] === 'l') replace(w, 3, 'og');
          } else if (s2[0] === 'li') {
            if (VALID_LI.has(w[start - 1])) w.length = start;
          } else {
            replace(w, s2[0].length, s2[1]);
          }
        }
        // Step 3
        const s3 = longest(w, STEP3);
        if (s3 && w.length - s3[0].length >= p1) {
          const start = w.length - s3[0].length;
          if (s3[0] !== 'ative' || start >= p2) replace(w, s3[0].length, s3[1]);
        }
        // Step 4
        const s4 = longest(w, STEP4);
        if (s4 && w.length - s4[0].length >= p2) {
          const start = w.length - s4[0].length;
          if (s4[0] !== 'ion' || w[start - 1] === 's' || w[start - 1] === 't') w.length = start;
        }
        // Step 5
        if (ends(w, 'e')) {
          const start = w.length - 1;
          if (start >= p2 || (start >= p1 && !shortAt(w, start))) w.length = start;
        } else if (ends(w, 'l')) {
          const start = w.length - 1;
          if (start >= p2 && w[start - 1] === 'l') w.length = start;
        }
      }
      const out = w.join('');
      return yFound ? out.replaceAll('Y', 'y') : out;
    };
  })();

  // ------------------------------------------------------------ words
  // Words as the index has them: runs of letters and digits, in lower case.
  // Accents left out ("dépression" is "depression"), as the indexer folds them.
  const fold = (word) => (/[^\0-\x7f]/.test(word) ? word.normalize('NFD').replace(/\p{M}/gu, '') : word);
  const words = (text) => text.toLowerCase().split(/[^\p{Alphabetic}\p{N}]+/u).map(fold).filter(Boolean);
  const WORD = /([\p{Alphabetic}\p{N}]+)/u;
  const length = (s) => [...s].length;
  // The index sorts stems by code point (as UTF-8 bytes sort); so does this.
  const compare = (a, b) => {
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  };
  // Edits (insert, delete, change, swap two neighbours) from a to b, or more than `most`.
  const distance = (a, b, most) => {
    const x = [...a];
    const y = [...b];
    if (Math.abs(x.length - y.length) > most) return most + 1;
    let before = null;
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
      const row = [i];
      let best = i;
      for (let j = 1; j <= y.length; j++) {
        let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        if (before && i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2] + 1);
        row.push(d);
        best = Math.min(best, d);
      }
      if (best > most) return most + 1;
      before = prev;
      prev = row;
    }
    return prev[y.length];
  };

  // ------------------------------------------------------------ the engine
  // `load(name)` gives a promise of index file `name`'s data (cached by the caller).
  const createSearch = (load) => {
    let metaFile;
    const meta = () => {
      metaFile ||= load('meta').then((m) => {
        if (m.format !== FORMAT) throw new Error(`index format ${m.format}`);
        return m;
      });
      return metaFile;
    };
    const indexes = new WeakMap();
    // Stem file `n`, with a map from each of its stems to its place.
    const stemFile = async (n) => {
      const file = await load(`stems-${n}`);
      if (!indexes.has(file)) indexes.set(file, new Map(file.stems.map((s, i) => [s, i])));
      return { file, at: indexes.get(file) };
    };
    // The stem file that would hold `s`: the last whose first stem is not after it.
    const fileOf = (m, s) => {
      let lo = 0;
      let hi = m.stems.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (compare(m.stems[mid], s) <= 0) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    const exact = async (m, s) => {
      if (!m.stems.length) return null;
      const { file, at } = await stemFile(fileOf(m, s));
      return at.has(s) ? file.pages[at.get(s)] : null;
    };
    // Stems that begin with `prefix` (at most 30, from at most 4 files).
    const beginning = async (m, prefix) => {
      const found = [];
      if (!m.stems.length) return found;
      for (let n = fileOf(m, prefix), k = 0; n < m.stems.length && k < 4 && found.length < 30; n++, k++) {
        if (n > fileOf(m, prefix) && !m.stems[n].startsWith(prefix)) break;
        const { file } = await stemFile(n);
        for (let i = 0; i < file.stems.length && found.length < 30; i++) {
          if (file.stems[i].startsWith(prefix)) found.push([file.stems[i], file.pages[i]]);
        }
      }
      return found;
    };
    // For a word of 5 letters or more: the stems within 1 edit of its stem (2 for a stem of 8
    // letters or more), the closest only, at most 5.
    const near = async (m, term, s) => {
      if (length(term) < 5) return [];
      const most = length(s) >= 8 ? 2 : 1;
      const lengths = m.vocabulary.filter((l) => Math.abs(l - length(s)) <= most);
      let best = most + 1;
      let found = [];
      for (const list of await Promise.all(lengths.map((l) => load(`vocabulary-${l}`)))) {
        for (const candidate of list) {
          const d = distance(s, candidate, Math.min(best, most));
          if (d < best) [best, found] = [d, [candidate]];
          else if (d === best && d <= most) found.push(candidate);
        }
      }
      found = found.slice(0, 5);
      const pages = await Promise.all(found.map((c) => exact(m, c)));
      return found.map((c, i) => [c, pages[i], best]).filter(([, p]) => p);
    };
    // What one query word matches: [stem, postings, weight], and how.
    const match = async (m, term, prefix) => {
      const s = stem(term);
      const stems = [];
      const own = await exact(m, s);
      if (own) stems.push([s, own, 1]);
      if (prefix && length(term) >= 3) {
        for (const [other, pages] of await beginning(m, term)) if (other !== s) stems.push([other, pages, PREFIX]);
      }
      let corrected = false;
      if (!stems.length) {
        for (const [other, pages, d] of await near(m, term, s)) stems.push([other, pages, TYPO[d]]);
        corrected = stems.length > 0;
      }
      return { term, stem: s, stems, corrected };
    };

    // Search for `query`: { terms, stop, results: [{ page, matched, score }], every }.
    // The last word also matches the stems it begins when the query ends in it (it may be half typed).
    const search = async (query) => {
      const m = await meta();
      const distinct = [...new Set(words(query))];
      const all = distinct.slice(0, MAX_WORDS);
      const content = all.filter((w) => !STOP.has(w));
      const termList = content.length ? content : all;
      const stop = content.length ? all.filter((w) => STOP.has(w)) : [];
      const open = /[\p{Alphabetic}\p{N}]$/u.test(query);
      const terms = await Promise.all(termList.map((t, i) => match(m, t, open && i === termList.length - 1)));
      const pages = new Map();
      terms.forEach((t, k) => {
        const best = new Map();
        for (const [, postings, weight] of t.stems) {
          for (let i = 0, page = 0; i < postings.length; i += 2) {
            page += postings[i];
            best.set(page, Math.max(best.get(page) || 0, postings[i + 1] * weight));
          }
        }
        for (const [page, score] of best) {
          const r = pages.get(page) || { page, matched: 0, score: 0, terms: [] };
          r.matched += 1;
          r.score += score;
          r.terms.push(k);
          pages.set(page, r);
        }
      });
      // every word first, then by score; ties in site order
      const results = [...pages.values()].sort((a, b) => b.matched - a.matched || b.score - a.score || a.page - b.page);
      const every = results.filter((r) => r.matched === terms.length).length;
      return { terms, stop, results, every, unread: distinct.length - all.length };
    };

    // Tells whether a word of a text is one the search matched, and which term it matched.
    const matcher = (found) => {
      const stems = new Map();
      const prefixes = [];
      found.terms.forEach((t, k) => {
        for (const [s, , weight] of t.stems) if (!stems.has(s)) stems.set(s, k);
        if (t.stems.some(([, , w]) => w === PREFIX)) prefixes.push([t.term, k]);
      });
      const cache = new Map();
      return (word) => {
        const lower = fold(word.toLowerCase());
        if (!cache.has(lower)) {
          let k = stems.get(stem(lower));
          if (k === undefined) k = prefixes.find(([p]) => lower.startsWith(p))?.[1];
          cache.set(lower, k === undefined ? -1 : k);
        }
        return cache.get(lower);
      };
    };
    // A text as pieces [text, marked], the words `which` matches marked.
    const marked = (text, which) => text.split(WORD).filter(Boolean).map((part, i, parts) =>
      [part, WORD.test(part) && which(part) >= 0 && parts.length > 0]);
    // The passage of up to `size` words around the most matched words of `text`.
    const passage = (text, which, size = 32) => {
      const parts = text.split(WORD);
      // parts alternate: separator, word, separator, …
      const wordsAt = [];
      for (let i = 1; i < parts.length; i += 2) wordsAt.push(i);
      const hits = wordsAt.map((i) => which(parts[i]));
      let best = 0;
      let bestScore = -1;
      for (let start = 0; start < Math.max(1, wordsAt.length - size + 1); start++) {
        const window = hits.slice(start, start + size);
        if (start > 0 && hits[start] < 0) continue; // begin on a matched word (or at the start)
        const score = new Set(window.filter((h) => h >= 0)).size * 100 + window.filter((h) => h >= 0).length;
        if (score > bestScore) [best, bestScore] = [start, score];
      }
      // a few words of context before the first match
      const from = Math.max(0, best - (best > 0 ? 4 : 0));
      const to = Math.min(wordsAt.length, from + size);
      const first = from === 0 ? 0 : wordsAt[from];
      const last = to === wordsAt.length ? parts.length : wordsAt[to - 1] + 1;
      const pieces = [];
      if (first > 0) pieces.push(['…', false]);
      for (let i = first; i < last; i++) {
        if (!parts[i]) continue;
        pieces.push([parts[i], i % 2 === 1 && which(parts[i]) >= 0]);
      }
      if (last < parts.length && parts.slice(last).join('').trim()) pieces.push(['…', false]);
      return pieces;
    };

    // What result `r` of search `found` shows: its address, the section that
    // matched (anchor and heading, when it has one) and the passage, as pieces.
    const show = async (found, r) => {
      const m = await meta();
      const per = m.pages_per_text;
      const [href, title, description, sections] = (await load(`text-${Math.floor(r.page / per)}`))[r.page % per];
      const which = matcher(found);
      let best = null;
      let bestScore = 0;
      for (const [anchor, heading, text] of sections) {
        const inHeading = words(heading).map(which).filter((k) => k >= 0);
        const inText = words(text).map(which).filter((k) => k >= 0);
        const score = new Set([...inHeading, ...inText]).size * 1000 + inHeading.length * 20 + Math.min(inText.length, 19);
        if (score > bestScore) [best, bestScore] = [[anchor, heading, text], score];
      }
      const described = words(description).map(which).filter((k) => k >= 0);
      let section = null;
      let text = description;
      if (best && bestScore >= new Set(described).size * 1000) {
        const [anchor, heading, body] = best;
        section = anchor ? { anchor, heading: marked(heading, which) } : null;
        text = body || description;
      }
      return { href, title: marked(title, which), section, passage: passage(text, which) };
    };

    return { search, show };
  };

  // A query as the page shows it back: whole, or its first SHOWN characters and "…".
  const brief = (query) => {
    const chars = [...query];
    return chars.length > SHOWN ? `${chars.slice(0, SHOWN).join('').trimEnd()}…` : query;
  };

  const api = { stem, words, distance, createSearch, brief, STOP, BATCH, MAX_WORDS };
  if (typeof document === 'undefined' || !document.currentScript) {
    globalThis.sourcebookSearch = api;
    return;
  }

  // ------------------------------------------------------------ the page
  const script = document.currentScript;
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-query');
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  const more = document.getElementById('search-more');
  const root = new URL(script.dataset.root, location.href);
  const index = new URL(script.dataset.index, location.href);
  const title = document.title;
  const say = (...lines) => status.replaceChildren(...lines.filter(Boolean).map((text) => {
    const p = document.createElement('p');
    p.textContent = text;
    return p;
  }));

  // Index files are scripts that call this function with their name and data.
  const files = new Map();
  const waiting = new Map();
  window.sourcebookSearchIndex = (name, data) => waiting.get(name)?.(data);
  const load = (name) => {
    if (!files.has(name)) {
      files.set(name, new Promise((resolve, reject) => {
        let done = false;
        waiting.set(name, (data) => {
          done = true;
          waiting.delete(name);
          resolve(data);
        });
        const el = document.createElement('script');
        el.src = new URL(`${name}.js`, index).href;
        el.onload = () => {
          el.remove();
          if (!done) reject(new Error(`${name}.js did not load`));
        };
        el.onerror = () => {
          el.remove();
          files.delete(name);
          reject(new Error(`${name}.js could not be loaded`));
        };
        document.head.append(el);
      }));
    }
    return files.get(name);
  };
  const engine = createSearch(load);

  const nodes = (pieces) => pieces.map(([text, mark]) => {
    if (!mark) return document.createTextNode(text);
    const m = document.createElement('mark');
    m.textContent = text;
    return m;
  });
  const item = ({ href, title: name, section, passage }) => {
    const li = document.createElement('li');
    const h = document.createElement('h2');
    const a = document.createElement('a');
    const page = new URL(href, root);
    a.href = page.href;
    a.append(...nodes(name));
    h.append(a);
    li.append(h);
    if (section) {
      const p = document.createElement('p');
      p.className = 'search-section';
      const link = document.createElement('a');
      page.hash = section.anchor;
      link.href = page.href;
      link.append(...nodes(section.heading));
      p.append('Section: ', link);
      li.append(p);
    }
    const p = document.createElement('p');
    p.append(...nodes(passage));
    li.append(p);
    return li;
  };

  let current = 0; // the latest search; older ones stop when they see it changed
  let found = null;
  let shown = 0;
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const report = (whole) => {
    const query = brief(whole);
    const { terms, stop, results, every, unread } = found;
    const n = results.length;
    const lines = [];
    if (!n) lines.push(`No page matches “${query}”. Try other words, or browse the topics listed on this page.`);
    else if (every === n) lines.push(`${plural(n, 'page matches', 'pages match')} “${query}”.`);
    else if (every) lines.push(`${plural(every, 'page has', 'pages have')} every word of “${query}”; ${plural(n - every, 'more page has', 'more pages have')} some of them.`);
    else lines.push(`No page has every word of “${query}”; ${plural(n, 'page has', 'pages have')} some of them.`);
    const corrected = terms.filter((t) => t.corrected).map((t) => `“${t.term}”`);
    if (corrected.length) lines.push(`No page has ${corrected.join(' or ')}: showing words close to it.`);
    const missing = terms.filter((t) => !t.stems.length).map((t) => `“${t.term}”`);
    if (missing.length && n) lines.push(`No page has ${missing.join(' or ')}.`);
    if (stop.length) lines.push(`Left out as too common: ${stop.join(', ')}.`);
    if (unread) lines.push(`Searched for the first ${MAX_WORDS} different words; ${plural(unread, 'more was', 'more were')} left out.`);
    if (n) lines.push(`Showing ${shown} of ${n}.`);
    say(...lines);
    more.hidden = shown >= n;
  };
  const showMore = async (token, query) => {
    const batch = found.results.slice(shown, shown + BATCH);
    const items = (await Promise.all(batch.map((r) => engine.show(found, r)))).map(item);
    if (token !== current) return [];
    list.append(...items);
    shown += items.length;
    list.hidden = shown === 0;
    report(query);
    return items;
  };
  const run = async (raw) => {
    const token = ++current;
    const query = raw.trim();
    try {
      const address = new URL(location.href);
      if (query) address.searchParams.set('q', query);
      else address.searchParams.delete('q');
      if (address.href !== location.href) history.replaceState(null, '', address.href);
    } catch { /* some browsers refuse to change a file:// address: the search still runs */ }
    document.title = query ? `${brief(query)}: ${title}` : title;
    if (!words(query).length) {
      list.replaceChildren();
      list.hidden = true;
      more.hidden = true;
      say('Type one or more words: results appear as you type.');
      return;
    }
    const result = await engine.search(query);
    if (token !== current) return;
    found = result;
    shown = 0;
    list.replaceChildren();
    await showMore(token, query);
  };
  const fail = () => say('The search index could not be loaded. Browse the topics listed on this page instead.');

  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value).catch(fail), 150);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(input.value).catch(fail);
  });
  more.addEventListener('click', () => {
    const token = current;
    showMore(token, input.value.trim()).then((items) => items[0]?.querySelector('a')?.focus()).catch(fail);
  });
  input.value = new URLSearchParams(location.search).get('q') || '';
  // Arriving with a query, results will fill the screen: hold the room for them now (this
  // script runs before the footer is read), so that nothing on the screen moves when they come.
  if (words(input.value).length) list.parentElement.classList.add('search-waiting');
  run(input.value).catch(fail);
})();
