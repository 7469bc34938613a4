// Tests of the SSE stream parser and of the conversation history bound.
import assert from "node:assert/strict";
import { test } from "node:test";

import { SSEParser } from "../../static/js/sse.js";
import { historyForRequest, loadTurns, saveTurns, STORE_KEY } from "../../static/js/store.js";

test("it parses events split across reads", () => {
  const parser = new SSEParser();
  assert.deepEqual(parser.feed('event: chunk\ndata: {"te'), []);
  assert.deepEqual(parser.feed('xt":"Bon"}\n\n: keep-alive\n\nevent: done\r\ndata: {}\r\n\r\n'), [
    { event: "chunk", data: '{"text":"Bon"}' },
    { event: "done", data: "{}" },
  ]);
});

test("it joins multi-line data", () => {
  const parser = new SSEParser();
  assert.deepEqual(parser.feed("data: a\ndata: b\n\n"), [{ event: "message", data: "a\nb" }]);
});

test("it bounds the history by turns, starting with a question", () => {
  const turns = [];
  for (let i = 0; i < 10; i += 1) {
    turns.push({ role: "user", content: `q${i}` });
    turns.push({ role: "assistant", content: `a${i}`.padEnd(100, "."), status: "done" });
  }
  const byTurns = historyForRequest(turns, { maxTurns: 4 });
  assert.deepEqual(byTurns.map((t) => t.content.slice(0, 2)), ["q8", "a8", "q9", "a9"]);
  const odd = historyForRequest(turns, { maxTurns: 3 });
  assert.deepEqual(odd.map((t) => t.content.slice(0, 2)), ["q9", "a9"]);
});

test("it leaves out failed or unfinished answers", () => {
  const turns = [
    { role: "user", content: "q" },
    { role: "assistant", content: "partial", status: "error" },
  ];
  assert.deepEqual(historyForRequest(turns), [{ role: "user", content: "q" }]);
});

test("it survives broken storage content", () => {
  const storage = new Map();
  const api = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) };
  api.setItem(STORE_KEY, "{not json");
  assert.deepEqual(loadTurns(api), []);
  saveTurns(api, [{ role: "user", content: "x" }]);
  assert.deepEqual(loadTurns(api), [{ role: "user", content: "x" }]);
});

test("it never shows one sign-in's conversation to the next and erases it", () => {
  const storage = new Map();
  const api = {
    getItem: (k) => storage.get(k) ?? null,
    setItem: (k, v) => storage.set(k, v),
    removeItem: (k) => storage.delete(k),
  };
  saveTurns(api, [{ role: "user", content: "mon adresse" }], "first-resident");
  assert.deepEqual(loadTurns(api, "first-resident"), [{ role: "user", content: "mon adresse" }]);
  assert.deepEqual(loadTurns(api, "next-resident"), []);
  assert.equal(storage.has(STORE_KEY), false);
  assert.deepEqual(loadTurns(api, "first-resident"), []);
});
