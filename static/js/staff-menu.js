// Staff pages on a phone: the list of sections folds behind a "Menu" button, so that the page's
// own content starts on the first screen. Without this script (or on a wide screen) the list
// simply shows.
const NARROW = "(max-width: 40rem)";
const button = document.querySelector(".staff-menu-toggle");
const list = document.getElementById("staff-bar");

function show(open) {
  button.setAttribute("aria-expanded", String(open));
  list.classList.toggle("folded", !open);
}

function fit(narrow) {
  button.hidden = !narrow;
  show(!narrow);
}

if (button && list) {
  const query = window.matchMedia(NARROW);
  fit(query.matches);
  query.addEventListener("change", (event) => fit(event.matches));
  button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
}
