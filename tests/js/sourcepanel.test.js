// Tests of where the source panel finds the sentences an answer quotes inside a passage.
import assert from "node:assert/strict";
import { test } from "node:test";

import { locate } from "../../static/js/sourcepanel.js";

test("it finds a quote split across a list item's text nodes", () => {
  const pieces = ["Police municipale", " (2 place de l\u2019Horloge) :\n  du lundi au samedi."];
  const found = locate(pieces, "Police municipale (2 place de l'Horloge) : du lundi au samedi.");
  assert.deepEqual(found, { start: [0, 0], end: [1, pieces[1].length] });
});

test("it finds a sentence inside a paragraph, spaces collapsed", () => {
  const pieces = ["Ouvert le mardi.   Fermé le  lundi et le dimanche. Tél. 05 00 00 10 00."];
  const found = locate(pieces, "Fermé le lundi et le dimanche.");
  const at = pieces[0].indexOf("Fermé");
  assert.deepEqual(found, { start: [0, at], end: [0, at + 31] });
  assert.equal(pieces[0].slice(at, at + 31), "Fermé le  lundi et le dimanche.");
});

test("it finds nothing for a quote the passage does not hold", () => {
  assert.equal(locate(["Ouvert le mardi."], "Ouvert le mercredi."), null);
  assert.equal(locate(["Ouvert le mardi."], "   "), null);
  assert.equal(locate([], "Ouvert le mardi."), null);
});

test("it finds a sentence that runs over two paragraphs, as a PDF page's lines are", () => {
  const pieces = ["plus de 1 200 habitants ont retiré leur code d'accès à", "ArcaChat, l'assistant."];
  assert.equal(locate(pieces, "leur code d'accès à ArcaChat, l'assistant."), null); // one block
  const found = locate(pieces, "leur code d'accès à ArcaChat, l'assistant.", [false, true]);
  assert.deepEqual(found, { start: [0, pieces[0].indexOf("leur")], end: [1, pieces[1].length] });
});
