// The chat inside a town site's panel (embed routes only): Esc closes the panel, the page that
// framed it focuses the question when it opens, and no link leaves the frame for a page that
// refuses to be framed. The messages carry no data: only "ready", "focus" and "close".
// A module in <head>: it runs before the chat's own script.
const framed = window.parent !== window;

// A browser that blocks third-party storage throws on merely reading sessionStorage in this
// frame (Chromium with third-party cookies blocked). The chat then keeps its conversation in
// memory: it works, and is lost when the panel's page changes (a sign-in, a reload).
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}

try {
  window.sessionStorage.getItem("arcachat");
} catch {
  Object.defineProperty(window, "sessionStorage", { value: memoryStorage(), configurable: true });
}

function tell(type) {
  if (framed) window.parent.postMessage({ type }, "*");
}

document.addEventListener("keydown", (event) => {
  // A dialog of the chat (a source, the personal-data check) closes first, on its own.
  if (event.key !== "Escape" || event.defaultPrevented || document.querySelector("dialog[open]")) return;
  tell("arcachat:close");
});

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data || event.data.type !== "arcachat:focus") return;
  const field = document.getElementById("question") || document.getElementById("code");
  if (field) field.focus();
});

// Same-site pages outside the embed routes (the privacy notice, a document) open in a new
// tab, as do other sites' pages; the main sign-in page is the panel's own.
document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target === "_blank") return; // meant for a new tab already
    const url = new URL(link.href, window.location.href);
    if (url.origin === window.location.origin && url.pathname.startsWith("/embed/")) return;
    if (url.origin === window.location.origin && url.pathname === "/") {
      event.preventDefault();
      window.location.assign("/embed/");
      return;
    }
    link.target = "_blank";
    link.rel = "noopener";
  },
  true,
);

tell("arcachat:ready");
