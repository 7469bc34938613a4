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

// The sign-in form's camera reads the same QR code (static/js/qrscan.js): only the code is kept.
import { codeFromScan } from "../../static/js/qrscan.js";

test("it takes the code from a scanned slip's address, or a code alone", () => {
  assert.equal(codeFromScan("https://chat.port-lumiere.fr/#code=K3PX-7D2M-QW9A"), "K3PX-7D2M-QW9A");
  assert.equal(codeFromScan("  K3PX-7D2M-QW9A-VT4E-R \n"), "K3PX-7D2M-QW9A-VT4E-R");
});

test("it takes nothing from another QR code", () => {
  assert.equal(codeFromScan("https://example.com/menu"), null);
  assert.equal(codeFromScan("https://example.com/#top"), null);
  assert.equal(codeFromScan("WIFI:S:Mairie;T:WPA;P:secret;;"), null);
  assert.equal(codeFromScan(""), null);
});
