// ArcaChat on a town's website: a "Poser une question" button that opens the assistant in a
// panel. Paste one tag, with optional data- attributes:
//   <script src="https://ARCACHAT/static/js/embed.js" data-position="right|left"
//     data-label="Poser une question" data-background="#0b4f8a" data-color="#ffffff" async></script>
// The conversation runs in a frame of ArcaChat's own address: no script of the town's site can
// read it. ArcaChat answers the check below only for the sites its admins allowed (and refuses
// to be framed by any other: that header is the real guard); elsewhere nothing is shown.
// Plain script, no dependency; styles in css/embed.css, inside a shadow root (the site's own
// styles do not reach the button, and ours do not leak into the site).
(() => {
  const script = document.currentScript;
  if (!script || !script.src || window.__arcachatEmbed) return;
  window.__arcachatEmbed = true;
  const base = new URL(script.src);
  const ORIGIN = base.origin;
  const MIN_RATIO = 4.5; // WCAG AA for text, as embed/contrast.py
  const options = script.dataset;

  function hex(text) {
    const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((text || "").trim());
    if (!match) return null;
    const digits = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return "#" + digits.toLowerCase();
  }

  function luminance(colour) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(colour.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function ratio(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }

  /** [background, text]: the chosen ones, with the text made white or black if unreadable. */
  function colours() {
    const background = hex(options.background) || "#0b4f8a";
    let text = hex(options.color) || "#ffffff";
    if (ratio(background, text) < MIN_RATIO) {
      const white = ratio(background, "#ffffff") >= ratio(background, "#000000");
      text = white ? "#ffffff" : "#000000";
      console.warn(`ArcaChat: the button's text colour was too pale on its background; ${text} used.`);
    }
    return [background, text];
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function build(words) {
    const host = element("div", { "data-arcachat": "" });
    const [background, text] = colours();
    host.style.setProperty("--arcachat-bg", background);
    host.style.setProperty("--arcachat-fg", text);
    const root = host.attachShadow({ mode: "open" });
    const side = options.position === "left" ? "left" : "right";
    const css = element("link", { rel: "stylesheet", href: new URL("../css/embed.css", base).href });
    const button = element(
      "button",
      { type: "button", class: `launcher ${side}`, "aria-expanded": "false", "aria-controls": "arcachat-panel" },
      (options.label || "").trim().slice(0, 60) || words.label,
    );
    const panel = element("div", {
      id: "arcachat-panel", class: `panel ${side}`, role: "dialog", "aria-labelledby": "arcachat-title",
    });
    panel.hidden = true;
    const head = element("div", { class: "head" });
    const title = element("h2", { id: "arcachat-title" }, words.title);
    const close = element("button", { type: "button", class: "close" }, words.close);
    head.append(title, close);
    panel.append(head);
    root.append(css, button, panel);
    document.body.append(host);
    return { root, button, panel, close, title: words.title };
  }

  function wire(ui) {
    let frame = null;
    let ready = false;
    const focusInside = () => {
      frame.focus();
      frame.contentWindow.postMessage({ type: "arcachat:focus" }, ORIGIN);
    };
    const open = () => {
      if (!frame) {
        frame = element("iframe", {
          src: `${ORIGIN}/embed/`, title: ui.title, allow: "clipboard-write; microphone; camera",
        });
        ui.panel.append(frame);
      }
      ui.panel.hidden = false;
      ui.button.setAttribute("aria-expanded", "true");
      if (ready) focusInside();
    };
    const shut = () => {
      if (ui.panel.hidden) return;
      ui.panel.hidden = true;
      ui.button.setAttribute("aria-expanded", "false");
      ui.button.focus();
    };
    ui.button.addEventListener("click", () => (ui.panel.hidden ? open() : shut()));
    ui.close.addEventListener("click", shut);
    ui.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") shut();
    });
    window.addEventListener("message", (event) => {
      if (!frame || event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
      const type = event.data && event.data.type;
      if (type === "arcachat:ready") {
        ready = true;
        if (!ui.panel.hidden) focusInside();
      } else if (type === "arcachat:close") {
        shut();
      }
    });
  }

  function start() {
    fetch(`${ORIGIN}/embed/button.json`, { credentials: "omit" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((words) => wire(build(words)))
      .catch(() => console.warn("ArcaChat: this site is not allowed to show the town assistant."));
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
