// Safe rendering of model text: a small markdown subset parsed to a tree, built with DOM calls only.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);
// Characters browsers drop or that disguise a scheme ("java\tscript:", zero-width spaces...).
const INVISIBLE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;

/** A link target that is http(s), mailto, tel or a same-site path; null for anything else. */
export function safeHref(raw) {
  const href = String(raw).replace(INVISIBLE, "");
  if (!href) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
    let url;
    try {
      url = new URL(href);
    } catch {
      return null;
    }
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  }
  if (href.startsWith("//") || href.startsWith("\\") || href.includes(":")) return null;
  return /^[/#?.\w%~-]/.test(href) ? href : null;
}

const EMAIL = /^[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+/;

const INLINE = [
  // [1] or [1, 2]: numbered source references.
  { re: /^\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\](?!\()/, make: (m) => m[1].split(/\s*,\s*/).map((n) => ({ type: "ref", n: Number(n) })) },
  { re: /^\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)/, make: (m) => [link(m[2], parseInline(m[1]))] },
  { re: /^\*\*([^*\n]+?)\*\*/, make: (m) => [{ type: "strong", children: parseInline(m[1]) }] },
  { re: /^__([^_\n]+?)__/, make: (m) => [{ type: "strong", children: parseInline(m[1]) }] },
  { re: /^\*([^*\s][^*\n]*?)\*/, make: (m) => [{ type: "em", children: parseInline(m[1]) }] },
  { re: /^_([^_\s][^_\n]*?)_(?![\w])/, make: (m) => [{ type: "em", children: parseInline(m[1]) }] },
  { re: /^https?:\/\/[^\s<>"')\]]+[^\s<>"')\].,;:!?]/, make: (m) => [link(m[0], [{ type: "text", text: m[0] }])] },
  // A French phone number, "05 00 00 20 00": a tap-to-call link that never breaks across lines.
  { re: /^0[1-9](?:[ .\u00a0]?\d{2}){4}(?!\d)/, make: (m) => [phone(m[0])] },
  // An e-mail address, "mairie@port-lumiere.example": a link that opens the resident's mail.
  { re: EMAIL, make: (m) => [{ type: "link", href: `mailto:${m[0]}`, cls: "email", children: [{ type: "text", text: m[0] }] }] },
];

function phone(number) {
  return { type: "link", href: `tel:${number.replace(/\D/g, "")}`, cls: "phone", children: [{ type: "text", text: number }] };
}

function link(target, children) {
  const href = safeHref(target);
  return href ? { type: "link", href, children } : { type: "span", children };
}

/** Inline markup of one line or paragraph: text, strong, em, link, ref nodes. */
export function parseInline(text) {
  const nodes = [];
  let plain = "";
  let i = 0;
  const flush = () => {
    if (plain) nodes.push({ type: "text", text: plain });
    plain = "";
  };
  while (i < text.length) {
    const rest = text.slice(i);
    const before = text[i - 1] || "";
    const starts =
      ("[*_h0".includes(rest[0]) && (!"_0".includes(rest[0]) || !/\w/.test(before))) ||
      (/\w/.test(rest[0]) && !/[\w.+-]/.test(before) && EMAIL.test(rest.slice(0, 200)));
    const rule = starts && INLINE.find((r) => r.re.test(rest));
    if (rule) {
      const m = rest.match(rule.re);
      flush();
      nodes.push(...rule.make(m));
      i += m[0].length;
    } else {
      plain += rest[0];
      i += 1;
    }
  }
  flush();
  return nodes;
}

const BULLET = /^\s{0,3}[-*•]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,3}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;

/** Blocks of a text: paragraphs (p), bullet lists (ul), numbered lists (ol), headings (h). */
export function parseMarkdown(text) {
  const blocks = [];
  let para = [];
  let list = null;
  const endPara = () => {
    if (para.length) blocks.push({ type: "p", children: parseInline(para.join("\n")) });
    para = [];
  };
  for (const line of String(text).replace(/\r\n?/g, "\n").split("\n")) {
    const bullet = line.match(BULLET);
    const numbered = !bullet && line.match(NUMBERED);
    const heading = line.match(HEADING);
    if (bullet || numbered) {
      endPara();
      const type = bullet ? "ul" : "ol";
      if (!list || list.type !== type) {
        list = { type, items: [] };
        blocks.push(list);
      }
      list.items.push(parseInline((bullet || numbered)[1]));
    } else if (!line.trim()) {
      endPara();
      list = null;
    } else if (heading) {
      endPara();
      list = null;
      blocks.push({ type: "h", children: parseInline(heading[1]) });
    } else if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1].push({ type: "text", text: ` ${line.trim()}` }); // continuation
    } else {
      list = null;
      para.push(line);
    }
  }
  endPara();
  return blocks;
}

function inlineNodes(doc, nodes, opts) {
  const frag = doc.createDocumentFragment();
  for (const node of nodes) {
    if (node.type === "text") {
      const lines = node.text.split("\n");
      lines.forEach((line, index) => {
        if (index) frag.appendChild(doc.createElement("br"));
        frag.appendChild(doc.createTextNode(line));
      });
    } else if (node.type === "ref") {
      const a = doc.createElement("a");
      a.className = "source-ref";
      a.href = `#${opts.idPrefix}${node.n}`;
      a.textContent = `[${node.n}]`;
      if (opts.refLabel) a.setAttribute("aria-label", opts.refLabel.replace("%s", String(node.n)));
      frag.appendChild(a);
    } else {
      const tag = { strong: "strong", em: "em", link: "a", span: "span" }[node.type];
      const el = doc.createElement(tag);
      if (node.type === "link") {
        el.setAttribute("href", node.href);
        el.setAttribute("rel", "noopener noreferrer nofollow");
        if (node.cls) el.className = node.cls;
      }
      el.appendChild(inlineNodes(doc, node.children, opts));
      frag.appendChild(el);
    }
  }
  return frag;
}

/** Replace the content of `container` by the rendered text; model text only ever becomes text nodes. */
export function renderMarkdown(container, text, opts = {}) {
  const doc = container.ownerDocument;
  const options = { idPrefix: "source-", refLabel: "", ...opts };
  const frag = doc.createDocumentFragment();
  for (const block of parseMarkdown(text)) {
    if (block.type === "ul" || block.type === "ol") {
      const list = doc.createElement(block.type);
      for (const item of block.items) {
        const li = doc.createElement("li");
        li.appendChild(inlineNodes(doc, item, options));
        list.appendChild(li);
      }
      frag.appendChild(list);
    } else {
      const el = doc.createElement(block.type === "h" ? "p" : "p");
      if (block.type === "h") el.className = "answer-heading";
      el.appendChild(inlineNodes(doc, block.children, options));
      frag.appendChild(el);
    }
  }
  container.replaceChildren(frag);
}
