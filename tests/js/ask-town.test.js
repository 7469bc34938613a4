// "Ask the town hall": when the chat offers it, and what preview and send carry.
import assert from "node:assert/strict";
import { test } from "node:test";

import { requestBody, shouldOffer, shownText } from "../../static/js/ask-town.js";

test("it offers the town hall under an uncovered or unsure answer only", () => {
  assert.equal(shouldOffer({ covered: false }, 0.5), true);
  assert.equal(shouldOffer({ covered: true, confidence: 0.49 }, 0.5), true);
  assert.equal(shouldOffer({ covered: true, confidence: 0.5 }, 0.5), false);
  assert.equal(shouldOffer({ confidence: 0.9 }, 0.5), false);
  assert.equal(shouldOffer({}, 0.5), false); // no figure: the menu still offers it
  assert.equal(shouldOffer(null, 0.5), false);
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
