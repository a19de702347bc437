// sourcebook serve: reload the page when the site changes, keep the scroll
// position, and show build errors over the page until they are fixed.
(() => {
  const me = document.currentScript;
  const loaded = Number(me && me.dataset.version);
  const key = "sourcebook-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const y = Number(saved);
    addEventListener("load", () => scrollTo(0, y));
    scrollTo(0, y);
  }
  let overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sourcebook-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:1.5rem;font:14px/1.5 ui-monospace,monospace";
      const title = document.createElement("p");
      title.textContent = "The site has errors; this is the last good version. Fix them and the page reloads.";
      title.style.cssText = "font:600 16px system-ui,sans-serif;margin:0 0 1rem;color:#ffb4a8";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      overlay.append(title, pre);
      document.body.append(overlay);
    }
    overlay.querySelector("pre").textContent = text;
  }
  const events = new EventSource("/__sourcebook/events");
  events.addEventListener("state", (e) => {
    const state = JSON.parse(e.data);
    if (state.errors) {
      show(state.errors);
    } else if (state.version !== loaded) {
      sessionStorage.setItem(key, String(scrollY));
      location.reload();
    } else if (overlay) {
      overlay.remove();
      overlay = null;
    }
  });
})();
