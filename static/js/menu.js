// The compact header of residents' pages: on a narrow screen, text size, language and sign-out
// fold into one "Menu" button. Without this script (or on a wide screen) they stay in view.
const header = document.querySelector(".site-header.compact");
const toggle = header && header.querySelector(".menu-button");
const menu = header && header.querySelector(".site-nav");

function setOpen(open, { focusButton = false } = {}) {
  header.classList.toggle("menu-open", open);
  toggle.setAttribute("aria-expanded", String(open));
  if (focusButton) toggle.focus();
}

if (header && toggle && menu) {
  header.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = !header.classList.contains("menu-open");
    setOpen(open);
    if (open) {
      const first = menu.querySelector("button:not([hidden]), a[href]");
      if (first) first.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) setOpen(false, { focusButton: true });
  });
  document.addEventListener("click", (event) => {
    if (header.classList.contains("menu-open") && !header.contains(event.target)) setOpen(false);
  });
  menu.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !header.contains(event.relatedTarget)) setOpen(false);
  });
}
