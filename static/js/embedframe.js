// The chat inside a town site's panel (embed routes only): Esc closes the panel, the page that
// framed it focuses the question when it opens, and no link leaves the frame for a page that
// refuses to be framed. The messages carry no data: only "ready" and "close".
const framed = window.parent !== window;

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
    if (!link) return;
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
