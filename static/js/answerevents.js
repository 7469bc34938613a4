// An answer's server-sent events applied to its turn (arcachat/chat.py documents them).

const text = (value) => (typeof value === "string" ? value : "");

/**
 * Apply one event to the answer's turn; returns what else the page must update:
 * {redraw} for new text, {generated} for the notice, {remaining} for the allowance.
 */
export function applyEvent(turn, event, data, S) {
  if (event === "chunk") {
    turn.content += text(data.text);
    return { redraw: true };
  }
  if (event === "notice") {
    turn.notice = text(data.message);
    return { redraw: true };
  }
  if (typeof data.grounded === "boolean") turn.grounded = data.grounded; // rests on the documents
  if (event === "sources") {
    turn.sources = Array.isArray(data.sources) ? data.sources : [];
    turn.note = text(data.note); // e.g. "This answer does not come from the town's documents."
    return { generated: data.generated };
  }
  if (event === "done") {
    Object.assign(turn, { status: "done", feedback: text(data.feedback) });
    if (typeof data.note === "string") turn.note = data.note;
    return { generated: data.generated, remaining: data.remaining_percent };
  }
  if (event === "error") {
    Object.assign(turn, { status: "error", error: text(data.message) || S.network, retry: data.retry !== false });
  }
  return {};
}
