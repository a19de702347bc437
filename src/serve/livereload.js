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
  const events = new EventSource("/__sourcebook/events");
  events.addEventListener("state", (e) => {
    const state = JSON.parse(e.data);
    if (state.errors) {
      show(state.errors);
    } else if (state.version !== loaded) {
      sessionStorage.setItem(key, String(scrollY));
      location.reload();
    } else {
      dismissed = null;
      if (overlay) {
        overlay.remove();
        overlay = null;
      }
    }
  });
})();
