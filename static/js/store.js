// The conversation, kept in the tab's sessionStorage only (gone when the tab is closed), and
// only for the sign-in that wrote it: `owner` is a random id the server gives each sign-in, so
// the next resident on a shared computer never sees (nor sends) the previous one's turns.

export const STORE_KEY = "arcachat.conversation.v2";

/** Load the turns saved by this owner; any other entry (another sign-in, broken) is erased. */
export function loadTurns(storage, owner = "") {
  let saved = null;
  try {
    saved = JSON.parse(storage.getItem(STORE_KEY) || "null");
  } catch {
    saved = null;
  }
  if (!saved || saved.owner !== owner || !Array.isArray(saved.turns)) {
    clearTurns(storage);
    return [];
  }
  return saved.turns.filter((t) => t && typeof t.content === "string");
}

export function saveTurns(storage, turns, owner = "") {
  try {
    storage.setItem(STORE_KEY, JSON.stringify({ owner, turns }));
  } catch {
    // Storage full or disabled: the conversation still works, it just won't survive a reload.
  }
}

export function clearTurns(storage) {
  try {
    storage.removeItem(STORE_KEY);
    storage.removeItem("arcachat.conversation.v1"); // the format before owners
  } catch {
    // Storage disabled: nothing was kept.
  }
}

/**
 * The last complete turns to send as context: at most maxTurns messages, always starting with a
 * question, never an unfinished or failed answer. The server keeps those that fit the prompt's
 * token budget (knowledge.prompt), so no other limit is applied here.
 */
export function historyForRequest(turns, { maxTurns = 6 } = {}) {
  const usable = turns.filter((t) => t.role === "user" || (t.role === "assistant" && t.status === "done"));
  const picked = usable.slice(-maxTurns).map((t) => ({ role: t.role, content: t.content }));
  while (picked.length && picked[0].role !== "user") picked.shift();
  return picked;
}
