// Sign-in form: fill the code from the slip's QR code (address ending in #code=...).
// The code travels in the fragment, which browsers never send to the server; it is removed
// from the address bar at once so that it stays out of the history and of bookmarks.
(function () {
  "use strict";
  var match = /(?:^#|&)code=([^&]*)/.exec(window.location.hash || "");
  if (!match) return;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  var field = document.getElementById("code");
  if (!field) return;
  var code = "";
  try {
    code = decodeURIComponent(match[1]);
  } catch (e) {
    return;
  }
  field.value = code.replace(/[^0-9A-Za-z\- ]/g, "").slice(0, 60);
  var button = field.form && field.form.querySelector("button[type=submit]");
  if (button) button.focus();
})();
