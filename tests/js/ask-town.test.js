// "Ask the town hall": when the chat offers it, and what preview and send carry.
import assert from "node:assert/strict";
import { test } from "node:test";

import { requestBody, shouldOffer, shownText } from "../../static/js/ask-town.js";

test("it offers the town hall under an answer the documents do not back, or an unsure one", () => {
  assert.equal(shouldOffer({ grounded: false, generated: false }, 0.24), true); // "not covered"
  assert.equal(shouldOffer({ grounded: false, generated: true, note: "…" }, 0.24), true);
  assert.equal(shouldOffer({ grounded: true }, 0.24), false);
  assert.equal(shouldOffer({ grounded: true, confidence: 0.23 }, 0.24), true);
  assert.equal(shouldOffer({ grounded: true, confidence: 0.24 }, 0.24), false);
  assert.equal(shouldOffer({}, 0.24), false); // nothing said: the menu still offers it
  assert.equal(shouldOffer(null, 0.24), false);
});

test("it sends the answer only when the resident adds it, and their choice when made", () => {
  const state = { question: "Où jeter un frigo ?", answer: "Rien trouvé.", include: false };
  assert.deepEqual(requestBody(state), { question: "Où jeter un frigo ?", answer: "", include_answer: false });
  assert.deepEqual(requestBody({ ...state, include: true }, "mask"), {
    question: "Où jeter un frigo ?",
    answer: "Rien trouvé.",
    include_answer: true,
    personal_data: "mask",
  });
  assert.equal(requestBody({ ...state, answer: "", include: true }).include_answer, false);
});

test("it previews the masked text when personal data was found", () => {
  const found = { text: "Je suis Jeanne", masked: "Je suis [nom masqué]", findings: [{ kind: "person", start: 8, end: 14 }] };
  assert.equal(shownText(found), "Je suis [nom masqué]");
  assert.equal(shownText({ text: "Bonjour", masked: "Bonjour", findings: [] }), "Bonjour");
  assert.equal(shownText(null), "");
});
