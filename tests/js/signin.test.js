// The slip's QR code carries the access code in the address's fragment (never sent to the server).
import assert from "node:assert/strict";
import { test } from "node:test";

import { codeFromFragment } from "../../static/js/signin.js";

test("it reads the code from the fragment and keeps only code characters", () => {
  assert.equal(codeFromFragment("#code=K3PX-7D2M-QW9A-VT4E-R"), "K3PX-7D2M-QW9A-VT4E-R");
  assert.equal(codeFromFragment("#a=1&code=k3px%207d2m"), "k3px 7d2m");
  assert.equal(codeFromFragment("#code=<script>alert(1)</script>"), "scriptalert1script");
});

test("it gives nothing for another fragment or a broken one", () => {
  assert.equal(codeFromFragment(""), null);
  assert.equal(codeFromFragment("#top"), null);
  assert.equal(codeFromFragment("#code=%E0%A4%A"), null);
});
