// Tests of the markdown subset parser and link filter behind the answer rendering.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parseInline, parseMarkdown, safeHref } from "../../static/js/render.js";

test("it keeps http, https, mailto, tel and same-site links", () => {
  assert.equal(safeHref("https://port-lumiere.fr/a?b=1"), "https://port-lumiere.fr/a?b=1");
  assert.equal(safeHref("mailto:mairie@exemple.fr"), "mailto:mairie@exemple.fr");
  assert.equal(safeHref("tel:+33556000000"), "tel:+33556000000");
  assert.equal(safeHref("/media/documents/guide.pdf#page=3"), "/media/documents/guide.pdf#page=3");
});

test("it refuses script, data and disguised schemes", () => {
  for (const bad of [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\u200bscript:alert(1)",
    " javascript:alert(1)",
    "\u0000javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "\\\\evil.example",
    "jav&#x61;script:alert(1)",
  ]) {
    assert.equal(safeHref(bad), null, JSON.stringify(bad));
  }
});

test("it parses paragraphs, lists and headings", () => {
  const blocks = parseMarkdown("# Horaires\n\nLa mairie ouvre :\n- lundi\n- mardi\n\n1. appeler\n2. venir");
  assert.deepEqual(
    blocks.map((b) => b.type),
    ["h", "p", "ul", "ol"],
  );
  assert.equal(blocks[2].items.length, 2);
  assert.deepEqual(blocks[3].items[1], [{ type: "text", text: "venir" }]);
});

test("it parses bold, italics, links and source references", () => {
  const nodes = parseInline("**Marché** le *samedi* [1] voir [le guide](https://x.fr/g) [2, 3]");
  assert.deepEqual(
    nodes.map((n) => n.type),
    ["strong", "text", "em", "text", "ref", "text", "link", "text", "ref", "ref"],
  );
  assert.equal(nodes[6].href, "https://x.fr/g");
  assert.deepEqual(
    nodes.filter((n) => n.type === "ref").map((n) => n.n),
    [1, 2, 3],
  );
});

test("it turns a forbidden link into plain text, keeping its words", () => {
  const [node] = parseInline("[cliquez](javascript:alert(1))");
  assert.notEqual(node.type, "link");
  const all = JSON.stringify(parseInline("[cliquez](javascript:alert(1))"));
  assert.ok(!all.includes('"href"'));
});

test("it keeps raw HTML as text", () => {
  const nodes = parseInline("<img src=x onerror=alert(1)>");
  assert.deepEqual(nodes, [{ type: "text", text: "<img src=x onerror=alert(1)>" }]);
});

test("it does not treat snake_case words as italics", () => {
  assert.deepEqual(parseInline("rue_du_port"), [{ type: "text", text: "rue_du_port" }]);
});

test("it makes an e-mail address a mail link, without the full stop after it", () => {
  const nodes = parseInline("Écrivez à cabinet@port-lumiere.example. Ou à mdq.dunes@ville.fr !");
  const mails = nodes.filter((n) => n.type === "link");
  assert.deepEqual(
    mails.map((n) => [n.href, n.cls, n.children[0].text]),
    [
      ["mailto:cabinet@port-lumiere.example", "email", "cabinet@port-lumiere.example"],
      ["mailto:mdq.dunes@ville.fr", "email", "mdq.dunes@ville.fr"],
    ],
  );
  // no address: a lone @, a handle, an address without a domain's dot
  for (const text of ["rendez-vous @ 10 h", "@mairie", "nom@localhost"]) {
    assert.ok(parseInline(text).every((n) => n.type !== "link"), text);
  }
});

test("it makes a French phone number a tap-to-call link that keeps its spaces", () => {
  const nodes = parseInline("Appelez le 05 00 00 20 00, ou le 0500002001.");
  const phones = nodes.filter((n) => n.type === "link");
  assert.deepEqual(
    phones.map((n) => [n.href, n.cls, n.children[0].text]),
    [
      ["tel:0500002000", "phone", "05 00 00 20 00"],
      ["tel:0500002001", "phone", "0500002001"],
    ],
  );
  // not inside a longer number, a date or a word; not the short 15, 112
  for (const text of ["Réf. 1205 00 00 20 00", "le 05/12/2026", "A05 00 00 20 00", "le 15 ou le 112"]) {
    assert.ok(parseInline(text).every((n) => n.type !== "link"), text);
  }
});
