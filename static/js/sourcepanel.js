// The source panel: a cited passage opens in a dialog inside the chat, with the document's
// title, date and page, the passage highlighted in its section, and a link to the PDF at that
// page or to the town's web page. Focus moves in, Esc closes, focus returns to the opener.

/** The passage's address: /documents/<document>/passages/<chunk>. */
export function passageUrl(source) {
  const doc = Number(source.document);
  const chunk = Number(source.chunk);
  return Number.isInteger(doc) && Number.isInteger(chunk) && doc > 0 && chunk > 0
    ? `/documents/${doc}/passages/${chunk}`
    : null;
}

/** "Published on 1 September 2026 · page 2" from the passage's answer. */
export function metaLine(passage, S) {
  const parts = [];
  if (passage.date) parts.push(S.published.replace("%s", passage.date));
  if (passage.page) parts.push(S.page.replace("%s", String(passage.page)));
  return parts.join(" · ");
}

// Apostrophes and spaces differ between a document's text and the answer's quote.
const SAME = (ch) => (ch === "\u2019" ? "'" : /\s/.test(ch) ? " " : ch);

/** Where `quote` lies in text split into pieces (a passage's text nodes), spaces collapsed
 * and apostrophes made alike on both sides; `gaps[i]` true when piece i begins another block
 * (a paragraph, a list item: a space between them). Returns {start: [piece, offset], end:
 * [piece, offset]} (end just past its last character, offsets in UTF-16 units as the DOM
 * counts), or null. */
export function locate(pieces, quote, gaps = []) {
  const wanted = Array.from(quote.trim(), SAME).join("").replace(/ +/g, " ");
  let flat = "";
  const from = [];
  const add = (same, at) => {
    if (same === " " && (flat === "" || flat.endsWith(" "))) return;
    flat += same;
    from.push(at);
  };
  pieces.forEach((piece, i) => {
    if (gaps[i]) add(" ", [i, 0]); // a quote never begins or ends on a space
    for (let offset = 0; offset < piece.length; offset += 1) add(SAME(piece[offset]), [i, offset]);
  });
  const at = wanted ? flat.indexOf(wanted) : -1;
  if (at < 0) return null;
  const [last, offset] = from[at + wanted.length - 1];
  return { start: from[at], end: [last, offset + 1] };
}

const BLOCK = "p, li, td, th, h3, h4, h5, h6, blockquote, pre, div";

/** Wrap characters `from` to `to` of a text node in <mark class="quoted">. */
function wrap(node, from, to) {
  const middle = from > 0 ? node.splitText(from) : node;
  if (to - from < middle.length) middle.splitText(to - from);
  const mark = document.createElement("mark");
  mark.className = "quoted";
  middle.replaceWith(mark);
  mark.append(middle);
  return mark;
}

/** The text nodes under `container` a quote may be found in: not the words said only to
 * screen readers ("Start of the cited passage."), not what is already marked. */
function textNodes(container) {
  const nodes = [];
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent.closest(".visually-hidden, mark.quoted")) nodes.push(walker.currentNode);
  }
  return nodes;
}

/** Mark `quote` in the first of `containers` that holds it; returns the marks made. */
function markOne(containers, quote) {
  for (const container of containers) {
    const nodes = textNodes(container);
    const blocks = nodes.map((node) => node.parentElement.closest(BLOCK));
    const gaps = blocks.map((block, i) => i > 0 && block !== blocks[i - 1]);
    const found = locate(
      nodes.map((node) => node.data),
      quote,
      gaps,
    );
    if (!found) continue;
    const marks = [];
    for (let i = found.start[0]; i <= found.end[0]; i += 1) {
      const from = i === found.start[0] ? found.start[1] : 0;
      const to = i === found.end[0] ? found.end[1] : nodes[i].length;
      if (nodes[i].data.slice(from, to).trim()) marks.push(wrap(nodes[i], from, to));
    }
    return marks;
  }
  return [];
}

/** Mark what the answer quotes (its sentences and list items) in the panel: in the cited
 * passage `hit` first, else in the section around it (a PDF page's sentence may run over two
 * chunks). One <mark class="quoted"> per stretch of text, so a quote across paragraphs or bold
 * words stays well formed. Returns the marks, in the page's order. */
export function markQuotes(hit, section, quotes) {
  const marks = [];
  const unique = new Set((quotes || []).filter((q) => typeof q === "string" && q.trim()));
  for (const quote of unique) marks.push(...markOne([hit, section], quote));
  return marks.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

// What the server's sanitised HTML may keep once in the page (a second fence after nh3).
const KEEP = { A: ["href"], DIV: ["class", "id", "tabindex"], P: ["class"] };

function clean(fragment) {
  for (const node of fragment.querySelectorAll("*")) {
    const allowed = KEEP[node.tagName] || [];
    for (const attribute of [...node.attributes]) {
      if (!allowed.includes(attribute.name)) node.removeAttribute(attribute.name);
    }
    if (node.tagName === "A") {
      node.target = "_blank"; // the chat stays open behind a document's own links
      node.rel = "noopener noreferrer nofollow";
    }
  }
  return fragment;
}

export class SourcePanel {
  constructor(dialog, S) {
    this.dialog = dialog;
    this.S = S;
    this.cache = new Map();
    this.opener = null;
    this.title = dialog.querySelector("#source-title");
    this.meta = dialog.querySelector("#source-meta");
    this.heading = dialog.querySelector("#source-heading");
    this.body = dialog.querySelector("#source-body");
    this.links = dialog.querySelector("#source-links");
    dialog.querySelector("#source-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.addEventListener("close", () => {
      if (this.opener && this.opener.isConnected) this.opener.focus();
      this.opener = null;
    });
  }

  async open(source, opener) {
    const url = passageUrl(source);
    if (!url) return;
    this.opener = opener || document.activeElement;
    const quotes = Array.isArray(source.quotes) ? source.quotes : [];
    this.title.textContent = source.title;
    this.meta.textContent = "";
    this.heading.hidden = true;
    this.links.replaceChildren();
    this.body.textContent = this.S.loading;
    this.body.setAttribute("aria-busy", "true");
    if (!this.dialog.open) this.dialog.showModal();
    this.title.focus();
    const passage = await this.fetch(url);
    if (this.dialog.open) this.show(passage, quotes);
  }

  async fetch(url) {
    if (this.cache.has(url)) return this.cache.get(url);
    let passage;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      passage = await response.json();
      if (!response.ok) passage = { error: passage.message || this.S.network };
    } catch {
      return { error: this.S.network };
    }
    if (!passage.error) this.cache.set(url, passage);
    return passage;
  }

  show(passage, quotes = []) {
    this.body.removeAttribute("aria-busy");
    if (passage.error) {
      this.body.textContent = passage.error;
      return;
    }
    this.title.textContent = passage.title;
    this.meta.textContent = metaLine(passage, this.S);
    this.heading.textContent = passage.heading || "";
    this.heading.hidden = !passage.heading;
    const template = document.createElement("template");
    template.innerHTML = passage.html || "";
    this.body.replaceChildren(clean(template.content));
    this.addLink(passage.pdf_url, passage.page ? this.S.open_pdf_page.replace("%s", passage.page) : this.S.open_pdf);
    this.addLink(passage.web_url, this.S.open_web);
    // What the answer quotes marked, and in view with the title when both fit (the title is
    // where the focus is); else the cited passage, when it starts low in the panel.
    const hit = this.body.querySelector("#passage-hit");
    const box = this.dialog.getBoundingClientRect();
    const [mark] = hit ? markQuotes(hit, this.body, quotes) : [];
    if (mark) {
      const place = mark.getBoundingClientRect();
      if (place.top < box.top || place.bottom > box.top + box.height * 0.9) {
        mark.scrollIntoView({ block: "center", behavior: "instant" });
      }
    } else if (hit && hit.getBoundingClientRect().top > box.top + box.height * 0.6) {
      hit.scrollIntoView({ block: "start", behavior: "instant" });
    }
  }

  addLink(href, text) {
    if (!href || !/^(https?:\/\/|\/documents\/\d+\/file)/.test(href)) return;
    const link = document.createElement("a");
    link.className = "button";
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = text;
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = ` ${this.S.new_tab}`;
    link.appendChild(hint);
    this.links.appendChild(link);
  }
}
