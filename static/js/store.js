// The conversation, kept in the tab's sessionStorage only (gone when the tab is closed).

export const STORE_KEY = "arcachat.conversation.v1";

/** Load the saved turns; a broken or missing entry gives an empty conversation. */
export function loadTurns(storage) {
  try {
    const turns = JSON.parse(storage.getItem(STORE_KEY) || "[]");
    return Array.isArray(turns) ? turns.filter((t) => t && typeof t.content === "string") : [];
  } catch {
    return [];
  }
}

export function saveTurns(storage, turns) {
  try {
    storage.setItem(STORE_KEY, JSON.stringify(turns));
  } catch {
    // Storage full or disabled: the conversation still works, it just won't survive a reload.
  }
}

export function clearTurns(storage) {
  storage.removeItem(STORE_KEY);
}

/**
 * The last complete turns to send as context: at most maxTurns messages and maxChars characters,
 * newest kept first, always starting with a question, never an unfinished or failed answer.
 */
export function historyForRequest(turns, { maxTurns = 6, maxChars = 6000 } = {}) {
  const usable = turns.filter((t) => t.role === "user" || (t.role === "assistant" && t.status === "done"));
  const picked = [];
  let chars = 0;
  for (let i = usable.length - 1; i >= 0 && picked.length < maxTurns; i -= 1) {
    const content = usable[i].content;
    if (chars + content.length > maxChars) break;
    chars += content.length;
    picked.unshift({ role: usable[i].role, content });
  }
  while (picked.length && picked[0].role !== "user") picked.shift();
  return picked;
}
