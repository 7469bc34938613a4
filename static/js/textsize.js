// Text-size control (A / A+ / A++): remembered in localStorage, applied as a class on <html>.
// A classic script in <head>, not a module: it runs before the first paint, so a page never
// shows at the wrong size first.
(() => {
  const KEY = "arcachat.textSize";
  const SIZES = { normal: "", large: "text-large", larger: "text-larger" };
  const root = document.documentElement;

  function stored() {
    try {
      const value = window.localStorage.getItem(KEY);
      return value in SIZES ? value : "normal";
    } catch {
      return "normal";
    }
  }

  function apply(size) {
    for (const cls of Object.values(SIZES)) if (cls) root.classList.remove(cls);
    if (SIZES[size]) root.classList.add(SIZES[size]);
    for (const button of document.querySelectorAll("[data-text-size] button[data-size]")) {
      button.setAttribute("aria-pressed", String(button.dataset.size === size));
    }
  }

  apply(stored());
  document.addEventListener("DOMContentLoaded", () => {
    apply(stored());
    for (const group of document.querySelectorAll("[data-text-size]")) {
      group.hidden = false;
      group.addEventListener("click", (event) => {
        const button = event.target.closest("button[data-size]");
        if (!button) return;
        try {
          window.localStorage.setItem(KEY, button.dataset.size);
        } catch {
          // Private browsing: the size still applies to this page.
        }
        apply(button.dataset.size);
      });
    }
  });
})();
