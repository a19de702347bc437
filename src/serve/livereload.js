// sourcebook serve: show the new page when the site changes, keep the scroll
// position, and show build errors over the page until they are fixed.
//
// A page is updated in place when that shows exactly what loading it would:
// the new page is fetched and its body (and the head's text: title,
// description, JSON-LD) put in the old one's place, when both pages load the
// same stylesheets and scripts and neither runs a script of its own.
// Anything else (a changed stylesheet, the search page, a 404, a failed
// fetch) reloads the page as a browser would.
(() => {
  const me = document.currentScript;
  let loaded = Number(me && me.dataset.version);
  const key = "sourcebook-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved);
    addEventListener("load", () => scrollTo(0, y));
    scrollTo(0, y);
  }
  let overlay = null;
  let dismissed = null; // the error text the author chose to hide
  // Colours are set on every element, so a page's own styles (a light `pre`,
  // a dark mode) cannot make the text unreadable.
  function hide() {
    if (overlay) {
      dismissed = overlay.querySelector("pre").textContent;
      overlay.remove();
      overlay = null;
    }
  }
  function show(text) {
    if (text === dismissed) return;
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sourcebook-overlay";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-labelledby", "sourcebook-overlay-title");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1b1b1b;color:#f2f2f2;padding:1.5rem;font:14px/1.5 ui-monospace,monospace;text-align:left";
      const title = document.createElement("p");
      title.id = "sourcebook-overlay-title";
      title.textContent = "The site has errors; this is the last good version. Fix them and the page reloads.";
      title.style.cssText = "font:600 16px/1.4 system-ui,sans-serif;margin:0 0 1rem;color:#ffc2b8;background:none";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Hide (Esc)";
      close.style.cssText = "font:600 14px system-ui,sans-serif;color:#1b1b1b;background:#f2f2f2;border:2px solid #f2f2f2;border-radius:4px;padding:.3rem .8rem;margin:0 0 1rem;cursor:pointer";
      close.addEventListener("click", hide);
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0;padding:0;color:#f2f2f2;background:none;border:0;font:inherit";
      overlay.append(title, close, pre);
      document.body.append(overlay);
      close.focus();
    }
    overlay.querySelector("pre").textContent = text;
  }
  addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
  function reload() {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
  }
  // What a page loads or runs: its stylesheets, style elements and scripts
  // (not JSON-LD, which is data; not this script, whose version changes
  // every time), and the root element's attributes.
  const RESOURCES = 'link[rel~="stylesheet"], link[rel~="preload"], link[rel~="modulepreload"], style, script, base';
  const resource = (el) => el.matches(RESOURCES) && !el.matches('script[type="application/ld+json"], script[data-version]');
  function loads(doc) {
    const attributes = [...doc.documentElement.attributes].map((a) => `${a.name}=${a.value}`);
    const resources = [...doc.querySelectorAll(RESOURCES)].filter(resource).map((el) => el.outerHTML);
    return [...attributes, ...resources].join("\n");
  }
  const runs = (body) => [...body.querySelectorAll("script")].some(resource);
  let fetching = false;
  let wanted = loaded;
  async function update() {
    if (fetching) return;
    fetching = true;
    try {
      while (wanted !== loaded) {
        const target = wanted;
        const response = await fetch(location.href, { cache: "no-store", headers: { accept: "text/html" } });
        const type = response.headers.get("content-type") || "";
        if (!response.ok || !type.startsWith("text/html")) return reload();
        const next = new DOMParser().parseFromString(await response.text(), "text/html");
        const version = Number(next.querySelector("script[data-version]")?.dataset.version);
        if (!version || loads(next) !== loads(document) || runs(next.body) || runs(document.body)) return reload();
        // the head's text (title, description, canonical, JSON-LD) from the
        // new page, in its order; the stylesheets and scripts, the same in
        // both, stay where they are (moving one would apply it again)
        const stay = [...document.head.children].filter(resource);
        for (const el of [...document.head.children]) if (!resource(el)) el.remove();
        let before = 0;
        for (const el of [...next.head.children]) {
          if (resource(el)) before++;
          else document.head.insertBefore(document.adoptNode(el), stay[before] ?? null);
        }
        document.body.replaceWith(document.adoptNode(next.body));
        overlay = null;
        dismissed = null;
        loaded = version;
        if (wanted === target) wanted = version;
      }
    } catch {
      reload();
    } finally {
      fetching = false;
    }
  }
  function onState(data) {
    const state = JSON.parse(data);
    if (state.errors) {
      show(state.errors);
    } else if (state.version !== loaded) {
      wanted = state.version;
      update();
    } else {
      dismissed = null;
      if (overlay) {
        overlay.remove();
        overlay = null;
      }
    }
  }
  // One event stream for all the site's open tabs: a browser opens at most
  // six connections to a host, so a stream per tab would leave the seventh
  // tab waiting for ever. The tab holding the lock listens and passes each
  // state on to the others; when it closes, another takes the lock and
  // listens (its stream starts with the state as it is). Where the browser
  // has no locks (a page not on localhost, over http), each tab listens.
  const listen = (pass) =>
    new EventSource("/__sourcebook/events").addEventListener("state", (e) => {
      pass(e.data);
      onState(e.data);
    });
  if (self.BroadcastChannel && navigator.locks) {
    const tabs = new BroadcastChannel("sourcebook-events");
    let last = null;
    tabs.onmessage = (e) => {
      if (e.data === "hello") {
        if (last !== null) tabs.postMessage(last);
      } else if (e.data !== last) {
        last = e.data;
        onState(e.data);
      }
    };
    navigator.locks.request("sourcebook-events", () => {
      listen((data) => {
        last = data;
        tabs.postMessage(data);
      });
      return new Promise(() => {}); // held while this page is open
    });
    tabs.postMessage("hello"); // a new tab: the state as it is now
  } else {
    listen(() => {});
  }
})();
