// Personal-data check before a question leaves the page: the server's check (names, addresses,
// dates of birth, numbers: /chat/check), or this page's own patterns (pii.js) if it fails.
import { findPersonalData, maskPersonalData } from "./pii.js";

/** What pii.js finds, in the shape of the server's answer; `local` says where it came from. */
export function localCheck(text, masks, order) {
  const findings = findPersonalData(text).map(({ kind, start, end }) => ({ kind, start, end }));
  return {
    kinds: order.filter((kind) => findings.some((f) => f.kind === kind)),
    findings,
    masked: maskPersonalData(text, findings, masks),
    local: true,
  };
}

function wellFormed(body) {
  return (
    body &&
    Array.isArray(body.kinds) &&
    Array.isArray(body.findings) &&
    typeof body.masked === "string" &&
    body.findings.every((f) => Number.isInteger(f.start) && Number.isInteger(f.end) && f.start < f.end)
  );
}

/**
 * The server's check of `text` ({kinds, findings: [{kind, start, end}] in UTF-16 offsets,
 * masked}); if it does not answer in time or properly, the page's own patterns instead.
 */
export async function checkPersonalData(text, { url, csrf, language, masks, order, fetcher, timeoutMs = 4000 }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await (fetcher || fetch)(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ text, language }),
      credentials: "same-origin",
      signal: controller.signal,
    });
    if (response.ok) {
      const body = await response.json();
      if (wellFormed(body)) return { ...body, local: false };
    }
  } catch {
    // Network down, timeout, not JSON: the page's own check below.
  } finally {
    clearTimeout(timer);
  }
  return localCheck(text, masks, order);
}

/** The text cut into plain and found parts, in order: [{text, kind}] (kind null if plain). */
export function markedParts(text, findings) {
  const parts = [];
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at || f.end > text.length) continue;
    if (f.start > at) parts.push({ text: text.slice(at, f.start), kind: null });
    parts.push({ text: text.slice(f.start, f.end), kind: f.kind });
    at = f.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), kind: null });
  return parts;
}

/** "a name, an address and a phone number" from the kinds found and their names. */
export function joinKinds(kinds, names, and) {
  const words = kinds.map((kind) => names[kind]).filter(Boolean);
  if (words.length < 2) return words[0] || "";
  return `${words.slice(0, -1).join(", ")}${and}${words[words.length - 1]}`;
}
