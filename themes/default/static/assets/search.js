// The search page of sourcebook's default theme: reads ?q= from the address,
// asks the Pagefind index that `sourcebook build` wrote (pagefind/pagefind.js)
// and lists the matching pages with an excerpt. Loaded on the search page only.
// Pagefind fetches its index, which browsers refuse for pages opened from disk
// (file://): the page then says so and the links to the topics stay.
(() => {
  'use strict';
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
  if (!query) {
    say('Type one or more words and press Search.');
    return;
  }
  document.title = `${query}: ${document.title}`;
  say('Searching…');

  // Pagefind's excerpts are text with <mark> around the matched words: rebuild them from text and <mark> only.
  const excerpt = (html) => {
    const t = document.createElement('template');
    t.innerHTML = html;
    return [...t.content.childNodes].map((n) => {
      if (n.nodeName !== 'MARK') return document.createTextNode(n.textContent);
      const m = document.createElement('mark');
      m.textContent = n.textContent;
      return m;
    });
  };
  const item = (r) => {
    const li = document.createElement('li');
    const h = document.createElement('h2');
    const a = document.createElement('a');
    a.href = r.url;
    a.textContent = r.meta.title || r.url;
    h.append(a);
    const p = document.createElement('p');
    p.append(...excerpt(r.excerpt));
    li.append(h, p);
    return li;
  };

  import(new URL(script.dataset.bundle, location.href).href)
    .then(async (pagefind) => {
      const search = await pagefind.search(query);
      const shown = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
      list.replaceChildren(...shown.map(item));
      list.hidden = shown.length === 0;
      const n = search.results.length;
      const more = n > shown.length ? `; the first ${shown.length} are listed` : '';
      say(n === 0
        ? `No page matches “${query}”. Try other or fewer words, or browse the topics below.`
        : `${n} page${n === 1 ? '' : 's'} match “${query}”${more}.`);
    })
    .catch(() => say('The search index could not be loaded. Browse the topics below instead.'));
})();
