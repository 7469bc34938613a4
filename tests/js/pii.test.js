// Tests of the personal-data guard (run with: node --test tests/js/).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  findPersonalData,
  ibanValid,
  kindsOf,
  luhnValid,
  maskPersonalData,
  nirValid,
} from "../../static/js/pii.js";

const kinds = (text) => findPersonalData(text).map((f) => f.kind);

test("it finds e-mail addresses", () => {
  assert.deepEqual(kinds("écrivez à jean.dupont+mairie@exemple.fr svp"), ["email"]);
  assert.deepEqual(kinds("pas d'adresse ici @ nulle part"), []);
});

test("it finds French phone numbers with any separator", () => {
  for (const phone of [
    "06 12 34 56 78",
    "0612345678",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "+33 6 12 34 56 78",
    "+33612345678",
    "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "05 56 22 33 44",
  ]) {
    assert.deepEqual(kinds(`appelez le ${phone} merci`), ["phone"], phone);
  }
});

test("it ignores numbers that are not phone numbers", () => {
  assert.deepEqual(kinds("le 14 juillet 2025 à 21 h, 3 000 personnes"), []);
  assert.deepEqual(kinds("code postal 33120"), []);
  assert.deepEqual(kinds("00 12 34 56 78"), []);
});

test("it checks IBANs with the mod-97 rule", () => {
  assert.equal(ibanValid("FR76 3000 6000 0112 3456 7890 189"), true);
  assert.equal(ibanValid("FR76 3000 6000 0112 3456 7890 188"), false);
  assert.equal(ibanValid("DE89370400440532013000"), true);
  assert.deepEqual(kinds("mon RIB FR76 3000 6000 0112 3456 7890 189 merci"), ["iban"]);
  assert.deepEqual(kinds("mon RIB FR7630006000011234567890189."), ["iban"]);
  assert.deepEqual(kinds("faux FR76 3000 6000 0112 3456 7890 188 merci"), []);
});

test("it checks French social-security numbers with their key", () => {
  assert.equal(nirValid("1 85 05 78 006 084 91"), true);
  assert.equal(nirValid("1 85 05 78 006 084 92"), false);
  assert.equal(nirValid("2 90 02 2A 004 012 18"), true);
  assert.equal(nirValid("2 90 02 2B 004 012 18"), false);
  assert.deepEqual(kinds("ma sécu : 1 85 05 78 006 084 91"), ["nir"]);
  assert.deepEqual(kinds("numéro 185057800608491 voilà"), ["nir"]);
});

test("it checks card numbers with the Luhn rule", () => {
  assert.equal(luhnValid("4970 1012 3456 7893"), true);
  assert.equal(luhnValid("4970 1012 3456 7898"), false);
  assert.equal(luhnValid("0000 0000 0000 0000"), false);
  assert.deepEqual(kinds("carte 4970-1012-3456-7893 exp 12/27"), ["card"]);
  assert.deepEqual(kinds("carte 4970 1012 3456 7898"), []);
});

test("it reports several kinds once each, in a stable order", () => {
  const text = "06 12 34 56 78, a@b.fr, 07 00 00 00 00 et FR7630006000011234567890189";
  assert.deepEqual(kindsOf(findPersonalData(text)), ["email", "phone", "iban"]);
});

test("it masks every finding and keeps the rest of the message", () => {
  const text = "Bonjour, je suis joignable au 06 12 34 56 78 ou à a.b@c.fr pour la fête.";
  const masked = maskPersonalData(text, findPersonalData(text), {
    phone: "[téléphone masqué]",
    email: "[e-mail masqué]",
  });
  assert.equal(
    masked,
    "Bonjour, je suis joignable au [téléphone masqué] ou à [e-mail masqué] pour la fête.",
  );
  assert.deepEqual(findPersonalData(masked), []);
});
