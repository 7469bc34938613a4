// Personal-data guard: finds e-mails, French phone numbers, IBANs, NIRs and card numbers in text.

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;
const PHONE = /(?<![\d+])(?:(?:\+|00)33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b/gi;
const NIR = /(?<![\dA-Z])[1-478][ .-]?\d{2}[ .-]?\d{2}[ .-]?(?:\d{2}|2[AB])[ .-]?\d{3}[ .-]?\d{3}[ .-]?\d{2}(?![\dA-Z])/gi;
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

const compact = (s) => s.replace(/[\s.-]/g, "").toUpperCase();

/** ISO 13616 check: the rearranged IBAN, letters as numbers, is 1 modulo 97. */
export function ibanValid(raw) {
  const iban = compact(raw);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const value = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest === 1;
}

/** French social-security number: key = 97 - (13 digits mod 97); Corsica 2A/2B count as 19/18. */
export function nirValid(raw) {
  const nir = compact(raw);
  if (!/^[1-478]\d{4}(?:\d{2}|2[AB])\d{8}$/.test(nir)) return false;
  const body = nir.slice(0, 13).replace("2A", "19").replace("2B", "18");
  const key = Number(nir.slice(13));
  return 97 - Number(BigInt(body) % 97n) === key;
}

/** Luhn checksum used by payment cards. */
export function luhnValid(raw) {
  const digits = raw.replace(/\D/g, "");
  if (digits.length < 13 || digits.length > 19 || /^(\d)\1+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function* matches(regex, text) {
  regex.lastIndex = 0;
  for (const m of text.matchAll(regex)) yield { start: m.index, end: m.index + m[0].length, text: m[0] };
}

/** The longest prefix of an IBAN-like match (cut at a group boundary) that passes mod 97. */
function validIbanPrefix(found) {
  const cuts = [found.text.length];
  for (let i = found.text.length - 1; i > 15; i -= 1) if (/[ -]/.test(found.text[i])) cuts.push(i);
  for (const cut of cuts) {
    const text = found.text.slice(0, cut);
    if (ibanValid(text)) return { start: found.start, end: found.start + cut, text };
  }
  return null;
}

const overlaps = (a, list) => list.some((b) => a.start < b.end && b.start < a.end);

/**
 * Every piece of personal data found, sorted by position, without overlaps.
 * Each item: {kind: "email"|"phone"|"iban"|"nir"|"card", start, end, text}.
 */
export function findPersonalData(text) {
  const found = [];
  const add = (kind, item) => {
    if (item && !overlaps(item, found)) found.push({ kind, ...item });
  };
  for (const m of matches(EMAIL, text)) add("email", m);
  for (const m of matches(IBAN, text)) add("iban", validIbanPrefix(m));
  for (const m of matches(NIR, text)) if (nirValid(m.text)) add("nir", m);
  for (const m of matches(CARD, text)) if (luhnValid(m.text)) add("card", m);
  for (const m of matches(PHONE, text)) add("phone", m);
  return found.sort((a, b) => a.start - b.start);
}

/** The distinct kinds found, in a stable order, for the warning sentence. */
export function kindsOf(findings) {
  const order = ["email", "phone", "iban", "nir", "card"];
  return order.filter((kind) => findings.some((f) => f.kind === kind));
}

/** Replace each finding by its label, e.g. {phone: "[numéro masqué]"}. */
export function maskPersonalData(text, findings, labels) {
  let out = "";
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, f.start) + (labels[f.kind] || "[…]");
    at = f.end;
  }
  return out + text.slice(at);
}
