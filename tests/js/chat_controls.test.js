// Tests of the chat page's pure functions: copying and reading an answer, the personal-data
// check and its fallback, voices, following the answer, the Enter key, source addresses.
// Run with: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { applyEvent } from "../../static/js/answerevents.js";
import { plainAnswer, sourceLine, spokenAnswer } from "../../static/js/answertext.js";
import { isTouchScreen, sendsOnEnter, withDictation } from "../../static/js/composer.js";
import { atEnd, followTarget } from "../../static/js/follow.js";
import { checkPersonalData, joinKinds, localCheck, markedParts } from "../../static/js/guard.js";
import { metaLine, passageUrl } from "../../static/js/sourcepanel.js";
import { pickVoice, speechLang } from "../../static/js/speech.js";

const S = { sources_colon: "Sources :", page: "page %s", published: "Publié le %s" };
const ANSWER = "Le marché a lieu le **samedi** matin [1].\n\n- place du Port\n- de 8 h à 13 h [2]\n\nVoir [le site](https://ville.example/marche).";
const SOURCES = [
  { n: 1, title: "Magazine de mars", page: 2 },
  { n: 2, title: "Guide de l'été", page: null },
];

test("it copies an answer as plain text with its sources", () => {
  assert.equal(
    plainAnswer(ANSWER, SOURCES, S),
    "Le marché a lieu le samedi matin [1].\n- place du Port\n- de 8 h à 13 h [2]\n" +
      "Voir le site (https://ville.example/marche).\n\n" +
      "Sources :\n[1] Magazine de mars, page 2\n[2] Guide de l'été",
  );
  assert.equal(plainAnswer("Bonjour.", [], S), "Bonjour.");
  assert.equal(
    plainAnswer("Une recette.", [], S, "Cette réponse ne vient pas des documents de la mairie."),
    "Une recette.\n\nCette réponse ne vient pas des documents de la mairie.",
  );
  assert.equal(sourceLine({ n: 3, title: "Agenda", page: 0 }, S), "[3] Agenda");
});

test("it reads an answer aloud without marks, numbers of sources or bullets", () => {
  assert.equal(
    spokenAnswer(ANSWER),
    "Le marché a lieu le samedi matin.\nplace du Port\nde 8 h à 13 h\nVoir le site.",
  );
  assert.equal(spokenAnswer("1. Inscrivez-vous [1, 2].\n2. Venez."), "Inscrivez-vous.\nVenez.");
});

const MASKS = { phone: "[téléphone masqué]", email: "[e-mail masqué]" };
const ORDER = ["person", "address", "email", "phone"];

test("it checks with the page's own patterns when it must", () => {
  const text = "Écrivez à jean@exemple.fr ou au 06 12 34 56 78";
  const found = localCheck(text, MASKS, ORDER);
  assert.deepEqual(found.kinds, ["email", "phone"]);
  assert.equal(found.masked, "Écrivez à [e-mail masqué] ou au [téléphone masqué]");
  assert.equal(found.local, true);
  assert.deepEqual(Object.keys(found.findings[0]).sort(), ["end", "kind", "start"]);
});

const JEANNE = "Je suis Jeanne Martin, 12 rue du Port";
const SERVER = {
  kinds: ["person", "address"],
  findings: [
    { kind: "person", start: 8, end: 21 },
    { kind: "address", start: 23, end: 37 },
  ],
  masked: "Je suis [nom masqué], [adresse masquée]",
};
const answer = (status, body) => async () => ({ ok: status < 400, status, json: async () => body });
const options = (fetcher) => ({ url: "/chat/check", csrf: "t", language: "fr", masks: MASKS, order: ORDER, fetcher });

test("it uses the server's check, and the page's patterns when the server cannot answer", async () => {
  const sent = [];
  const spy = async (url, init) => {
    sent.push({ url, init });
    return answer(200, SERVER)();
  };
  assert.deepEqual(await checkPersonalData(JEANNE, options(spy)), { ...SERVER, local: false });
  assert.equal(sent[0].url, "/chat/check");
  assert.deepEqual(JSON.parse(sent[0].init.body), { text: JEANNE, language: "fr" });
  assert.equal(sent[0].init.headers["X-CSRFToken"], "t");
  for (const fetcher of [
    answer(503, { error: "unavailable" }),
    answer(200, { kinds: [], findings: [{ kind: "person", start: 5, end: 2 }], masked: "" }),
    answer(200, "not an object"),
    async () => {
      throw new TypeError("network down");
    },
  ]) {
    const found = await checkPersonalData("Appelez le 06 12 34 56 78", options(fetcher));
    assert.equal(found.local, true);
    assert.deepEqual(found.kinds, ["phone"]);
  }
});

test("it gives up on a server that does not answer in time", async () => {
  const never = (url, init) =>
    new Promise((resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
  const found = await checkPersonalData("06 12 34 56 78", { ...options(never), timeoutMs: 20 });
  assert.equal(found.local, true);
});

test("it cuts a message into plain and found parts, in UTF-16 offsets", () => {
  assert.deepEqual(markedParts(JEANNE, SERVER.findings), [
    { text: "Je suis ", kind: null },
    { text: "Jeanne Martin", kind: "person" },
    { text: ", ", kind: null },
    { text: "12 rue du Port", kind: "address" },
  ]);
  const emoji = "🙂 Jeanne Martin";
  assert.deepEqual(markedParts(emoji, [{ kind: "person", start: 3, end: 16 }])[1], {
    text: "Jeanne Martin",
    kind: "person",
  });
  // Overlapping or out-of-range findings are left out rather than garbling the text.
  assert.equal(
    markedParts("abc", [{ kind: "x", start: 0, end: 2 }, { kind: "y", start: 1, end: 3 }, { kind: "z", start: 2, end: 9 }])
      .map((p) => p.text)
      .join(""),
    "abc",
  );
});

test("it names the kinds found in a sentence", () => {
  const names = { person: "un nom", address: "une adresse", phone: "un numéro" };
  assert.equal(joinKinds(["person"], names, " et "), "un nom");
  assert.equal(joinKinds(["person", "address"], names, " et "), "un nom et une adresse");
  assert.equal(joinKinds(["person", "address", "phone"], names, " et "), "un nom, une adresse et un numéro");
});

test("it picks a voice in the answer's language, region and device first", () => {
  const voices = [
    { name: "Google US", lang: "en-US" },
    { name: "Thomas", lang: "fr-CA" },
    { name: "Google français", lang: "fr-FR" },
    { name: "Amélie", lang: "fr_FR", localService: true },
  ];
  assert.equal(speechLang("fr"), "fr-FR");
  assert.equal(speechLang("en-GB"), "en-GB");
  assert.equal(pickVoice(voices, "fr").name, "Amélie");
  assert.equal(pickVoice(voices, "en").name, "Google US");
  assert.equal(pickVoice(voices.slice(0, 2), "fr").name, "Thomas");
  assert.equal(pickVoice([{ name: "Hans", lang: "de-DE" }], "fr"), null);
});

test("it follows the end of an answer but keeps its first line on screen", () => {
  const page = { viewport: 844, composer: 250 };
  // The answer's end is below the box: scroll so that it sits just above the box.
  assert.equal(followTarget({ ...page, scrollY: 0, answerTop: 400, answerBottom: 800 }), 218);
  // Already in view: stay.
  assert.equal(followTarget({ ...page, scrollY: 218, answerTop: 400, answerBottom: 800 }), null);
  // Longer than the screen: its start stops at the top...
  assert.equal(followTarget({ ...page, scrollY: 300, answerTop: 400, answerBottom: 2000 }), 388);
  // ...unless the resident asked for the latest text.
  assert.equal(followTarget({ ...page, scrollY: 300, answerTop: 400, answerBottom: 2000, keepStart: false }), 1418);
  assert.equal(atEnd({ scrollY: 1000, viewport: 844, height: 1880 }), true);
  assert.equal(atEnd({ scrollY: 900, viewport: 844, height: 1880 }), false);
});

test("it sends on Enter with a keyboard, never on a touch screen, never while composing", () => {
  const key = (extra) => ({ key: "Enter", shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...extra });
  assert.equal(sendsOnEnter(key(), false), true);
  assert.equal(sendsOnEnter(key({ shiftKey: true }), false), false);
  assert.equal(sendsOnEnter(key(), true), false);
  assert.equal(sendsOnEnter(key({ ctrlKey: true }), true), true);
  assert.equal(sendsOnEnter(key({ isComposing: true }), false), false);
  assert.equal(sendsOnEnter(key({ key: "a" }), false), false);
  const media = (coarse) => ({ matchMedia: (query) => ({ matches: coarse && query === "(pointer: coarse)" }) });
  assert.equal(isTouchScreen(media(true)), true);
  assert.equal(isTouchScreen(media(false)), false);
});

test("it adds dictated words to what was typed", () => {
  assert.equal(withDictation("", "quand a lieu le marché"), "Quand a lieu le marché");
  assert.equal(withDictation("Bonjour. ", "quand a lieu le marché"), "Bonjour. quand a lieu le marché");
  assert.equal(withDictation("Bonjour", "  "), "Bonjour");
});

test("it opens only well-formed passage addresses", () => {
  assert.equal(passageUrl({ document: 3, chunk: 41 }), "/documents/3/passages/41");
  assert.equal(passageUrl({ document: "3/../../admin", chunk: 41 }), null);
  assert.equal(passageUrl({ document: 3 }), null);
  assert.equal(passageUrl({ document: -1, chunk: 2 }), null);
  assert.equal(metaLine({ date: "1 mars 2026", page: 4 }, S), "Publié le 1 mars 2026 · page 4");
  assert.equal(metaLine({ date: "1 mars 2026", page: null }, S), "Publié le 1 mars 2026");
});

test("it applies an answer's events to its turn", () => {
  const turn = { role: "assistant", content: "", status: "streaming" };
  assert.deepEqual(applyEvent(turn, "chunk", { text: "Une recette" }, S), { redraw: true });
  applyEvent(turn, "chunk", { text: " de crêpes." }, S);
  assert.equal(turn.content, "Une recette de crêpes.");
  const note = "Cette réponse ne vient pas des documents de la mairie.";
  assert.deepEqual(applyEvent(turn, "sources", { sources: [], generated: true, note, grounded: false }, S), {
    generated: true,
  });
  assert.equal(turn.note, note);
  assert.equal(turn.grounded, false);
  const change = applyEvent(turn, "done", { remaining_percent: 42, generated: true, feedback: "tok" }, S);
  assert.deepEqual(change, { generated: true, remaining: 42 });
  assert.equal(turn.status, "done");
  assert.equal(turn.feedback, "tok");
  assert.equal(turn.note, note); // kept when done says nothing of it
  const broken = { role: "assistant", content: "Le", status: "streaming" };
  applyEvent(broken, "error", { message: "", retry: false }, { network: "Connexion perdue." });
  assert.deepEqual(broken, { role: "assistant", content: "Le", status: "error", error: "Connexion perdue.", retry: false });
  assert.deepEqual(applyEvent(broken, "unknown", {}, S), {});
  applyEvent(broken, "chunk", { text: 3 }, S); // not text: nothing added
  assert.equal(broken.content, "Le");
});
