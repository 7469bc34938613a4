// Sign-in form: fill the code from the slip's QR code (address ending in #code=...).
// The code travels in the fragment, which browsers never send to the server; it is removed
// from the address bar at once so that it stays out of the history and of bookmarks.

/** The code carried by a QR address's fragment ("#code=K3PX-..."), cleaned, or null. */
export function codeFromFragment(hash) {
  const match = /(?:^#|&)code=([^&]*)/.exec(hash || "");
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]).replace(/[^0-9A-Za-z\- ]/g, "").slice(0, 60);
  } catch {
    return null;
  }
}

const code = codeFromFragment(typeof window === "undefined" ? "" : window.location.hash);
if (code !== null) {
  history.replaceState(null, "", window.location.pathname + window.location.search);
  const field = document.getElementById("code");
  if (field) {
    field.value = code;
    const button = field.form && field.form.querySelector("button[type=submit]");
    if (button) button.focus();
  }
}
