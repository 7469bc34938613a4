// An answer as plain text: to copy it (with its sources) and to read it aloud (without marks).
import { parseMarkdown } from "./render.js";

// Strings come from gettext with Python-style escapes: "%s" is the value, "%%" a percent sign.
export const fmt = (template, value) => template.replace("%s", value).replace("%%", "%");

function inlineText(nodes, { refs }) {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "ref") out += refs ? `[${node.n}]` : "";
    else {
      const text = inlineText(node.children, { refs });
      // A copied link keeps its address, unless the text already is the address.
      out += node.type === "link" && refs && text !== node.href ? `${text} (${node.href})` : text;
    }
  }
  return out;
}

function blockLines(text, options) {
  const lines = [];
  for (const block of parseMarkdown(text)) {
    if (block.type === "ul" || block.type === "ol") {
      block.items.forEach((item, i) => {
        const mark = block.type === "ul" ? "-" : `${i + 1}.`;
        lines.push(`${mark} ${inlineText(item, options).trim()}`);
      });
    } else {
      lines.push(inlineText(block.children, options).trim());
    }
  }
  return lines.filter((line) => line !== "" && line !== "-");
}

/** A source as one line: "[1] Magazine municipal de mars, page 2". */
export function sourceLine(source, S) {
  const page = source.page ? `, ${fmt(S.page, String(source.page))}` : "";
  return `[${source.n}] ${source.title}${page}`;
}

/** The answer as plain text, its note if any, then its sources, ready for the clipboard. */
export function plainAnswer(content, sources, S, note = "") {
  let text = blockLines(content, { refs: true }).join("\n");
  if (note) text += `\n\n${note}`;
  if (Array.isArray(sources) && sources.length) {
    text += `\n\n${S.sources_colon}\n${sources.map((s) => sourceLine(s, S)).join("\n")}`;
  }
  return text;
}

/** The answer as it should be read aloud: no source numbers, no marks, one line a block. */
export function spokenAnswer(content) {
  return blockLines(content, { refs: false })
    .map((line) => line.replace(/^(?:-|\d+\.)\s+/, "").replace(/\s+([.,;:!?])/g, "$1"))
    .join("\n");
}
