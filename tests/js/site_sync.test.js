// Tests of the polling rhythm and report rows of the web site sync page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { IDLE_POLL_MS, MAX_POLL_MS, POLL_MS, nextPoll, reportCells } from "../../static/js/site-sync.js";

test("it polls while a sync runs and stops once it has ended", () => {
  assert.equal(nextPoll({ active: true, status: "running" }), POLL_MS);
  assert.equal(nextPoll({ active: true, status: "queued" }), POLL_MS);
  for (const status of ["done", "cancelled", "stopped", "none"]) {
    assert.equal(nextPoll({ active: false, status }), null, status);
  }
});

test("it polls slowly a sync that waits on the team", () => {
  assert.equal(nextPoll({ active: true, status: "paused" }), IDLE_POLL_MS);
  assert.equal(nextPoll({ active: true, status: "interrupted" }), IDLE_POLL_MS);
});

test("it backs off after failed requests, up to a ceiling, and keeps trying", () => {
  assert.equal(nextPoll(null, 1), POLL_MS * 2);
  assert.equal(nextPoll(null, 2), POLL_MS * 4);
  assert.equal(nextPoll(null, 20), MAX_POLL_MS);
  assert.equal(nextPoll({ active: true, status: "paused" }, 3), MAX_POLL_MS);
});

test("it shows a page by its path, and a dash for a line about the whole site", () => {
  const failed = { label: "En échec", url: "https://ville.fr/a?b=1", path: "/a?b=1", reason: "Erreur 500." };
  assert.deepEqual(reportCells(failed), ["En échec", "/a?b=1", "Erreur 500."]);
  assert.deepEqual(reportCells({ label: "Remarque", url: "", path: "", reason: "2 adresses écartées." }), [
    "Remarque",
    "—",
    "2 adresses écartées.",
  ]);
});
