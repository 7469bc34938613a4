// Drawing the conversation's turns: a question with its "edit" button, an answer with its
// sources, its state (writing, stopped, failed), its tools (copy, read aloud, new answer) and
// the resident's opinion of it. The page's logic lives in chat.js; this module only draws and
// reports clicks through `actions`.
import { fmt } from "./answertext.js";
import { renderMarkdown } from "./render.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(className, text, onClick) {
  const node = el("button", className, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

/** A button whose picture (static/css/icons.css) is decoration: its word is its name. */
function iconButton(className, icon, text, onClick) {
  const node = button(className, "", onClick);
  const picture = el("span", `icon icon-${icon}`);
  picture.setAttribute("aria-hidden", "true");
  node.append(picture, el("span", "label", text));
  return node;
}

function safeLink(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

export class QuestionView {
  constructor(turn, index, { S, actions }) {
    this.item = el("li", "turn turn-user");
    this.item.appendChild(el("h3", "turn-label", S.you));
    this.item.appendChild(el("p", "user-text", turn.content));
    if (turn.attachmentName) this.item.appendChild(el("p", "help", fmt(S.you_attached, turn.attachmentName)));
    const tools = el("div", "turn-tools question-tools");
    tools.appendChild(iconButton("edit-question", "edit", S.edit, () => actions.edit(index)));
    this.item.appendChild(tools);
  }
}

export class AnswerView {
  constructor(turn, index, { S, actions }) {
    this.turn = turn;
    this.index = index;
    this.S = S;
    this.actions = actions;
    this.item = el("li", "turn turn-assistant");
    this.answer = el("div", "answer");
    this.writing = el("p", "writing", S.writing);
    this.notice = el("p", "turn-notice");
    this.note = el("p", "turn-note"); // e.g. "This answer does not come from the town's documents."
    this.stopped = el("p", "turn-stopped", S.stopped);
    this.sources = el("section", "sources");
    this.error = el("p", "turn-error");
    this.error.setAttribute("role", "alert");
    this.tools = el("div", "turn-tools answer-tools");
    this.feedback = el("div", "feedback");
    this.item.append(el("h3", "turn-label", S.assistant), this.notice, this.answer, this.writing);
    this.item.append(this.note, this.stopped, this.sources, this.error, this.tools, this.feedback);
    this.render();
  }

  /** While streaming: only the text changes (called at most once a frame). */
  renderText() {
    renderMarkdown(this.answer, this.turn.content, { idPrefix: `t${this.index}-source-`, refLabel: this.S.ref });
    this.answer.setAttribute("aria-busy", String(this.turn.status === "streaming"));
    this.writing.hidden = this.turn.status !== "streaming";
    this.notice.textContent = this.turn.notice || "";
    this.notice.hidden = !this.turn.notice;
  }

  render() {
    const { turn } = this;
    this.renderText();
    this.stopped.hidden = turn.status !== "stopped";
    this.note.textContent = turn.note || "";
    this.note.hidden = !turn.note;
    this.renderSources();
    this.renderError();
    this.renderTools();
    this.renderFeedback();
  }

  renderSources() {
    const { S, turn } = this;
    this.sources.replaceChildren();
    this.sources.hidden = !(turn.sources && turn.sources.length);
    if (this.sources.hidden) return;
    this.sources.appendChild(el("h4", "", S.sources));
    const list = el("ol", "source-list");
    for (const source of turn.sources) {
      const item = el("li");
      item.id = `t${this.index}-source-${source.n}`;
      item.value = source.n;
      const label = source.page ? `${source.title}, ${fmt(S.page, source.page)}` : source.title;
      if (source.chunk && source.document) {
        const open = iconButton("source-open", "document", label, (event) => this.actions.source(source, event.currentTarget));
        open.setAttribute("aria-haspopup", "dialog");
        item.appendChild(open);
      } else {
        const href = safeLink(source.url);
        const target = href ? el("a", "source-link", label) : el("span", "", label);
        if (href) target.href = href;
        item.appendChild(target);
      }
      if (typeof source.validated === "string") {
        // An answer card: the town hall's own validated answer, with its date.
        item.prepend(el("p", "source-validated", fmt(S.validated, source.validated)));
      }
      list.appendChild(item);
    }
    this.sources.appendChild(list);
  }

  renderError() {
    const { S, turn } = this;
    this.error.replaceChildren();
    this.error.hidden = !turn.error;
    if (!turn.error) return;
    this.error.appendChild(el("span", "", turn.error));
    if (turn.content && turn.status === "error") this.error.appendChild(el("span", "", ` ${S.kept}`));
    if (turn.retry) this.error.append(" ", button("retry", S.retry, () => this.actions.again(this.index)));
    if (turn.redirect) {
      const link = el("a", "", S.signin);
      link.href = turn.redirect;
      this.error.append(" ", link);
    }
  }

  renderTools() {
    const { S, turn, actions } = this;
    this.tools.replaceChildren();
    this.tools.hidden = !["done", "stopped"].includes(turn.status);
    if (this.tools.hidden) return;
    if (turn.content) this.tools.appendChild(iconButton("copy", "copy", S.copy, (event) => actions.copy(this.index, event.currentTarget)));
    if (turn.content && actions.canSpeak) {
      const read = iconButton("read-aloud", "speaker", S.read, () => actions.speak(this.index, read));
      read.setAttribute("aria-pressed", "false");
      this.tools.appendChild(read);
    }
    this.tools.appendChild(iconButton("regenerate", "again", S.regenerate, () => actions.again(this.index)));
  }

  renderFeedback() {
    const { S, turn } = this;
    this.feedback.replaceChildren();
    this.feedback.hidden = !(turn.status === "done" && turn.feedback);
    if (this.feedback.hidden) return;
    const id = `t${this.index}-feedback`;
    const ask = el("p", "feedback-question", S.helpful);
    ask.id = id;
    const votes = el("div", "button-row votes");
    votes.setAttribute("role", "group");
    votes.setAttribute("aria-labelledby", id);
    this.up = iconButton("vote-up", "thumbs-up", S.yes, () => this.vote("up", ""));
    this.down = iconButton("vote-down", "thumbs-down", S.no, () => this.vote("down", ""));
    votes.append(this.up, this.down);
    this.reasons = el("div", "reasons");
    const why = el("p", "feedback-question", S.why);
    why.id = `${id}-why`;
    const reasonRow = el("div", "button-row");
    reasonRow.setAttribute("role", "group");
    reasonRow.setAttribute("aria-labelledby", why.id);
    this.reasonButtons = Object.entries(S.reasons).map(([key, text]) => {
      const choice = button("reason", text, () => this.vote("down", key));
      choice.dataset.reason = key;
      reasonRow.appendChild(choice);
      return choice;
    });
    this.reasons.append(why, reasonRow);
    this.thanks = el("p", "feedback-thanks");
    this.feedback.append(ask, votes, this.reasons, this.thanks);
    this.showVote();
  }

  /** A vote's state on the buttons already drawn (focus stays where it is). */
  showVote(message, vote = this.turn.vote || {}) {
    this.up.setAttribute("aria-pressed", String(vote.rating === "up"));
    this.down.setAttribute("aria-pressed", String(vote.rating === "down"));
    this.reasons.hidden = vote.rating !== "down";
    for (const choice of this.reasonButtons) {
      choice.setAttribute("aria-pressed", String(vote.reason === choice.dataset.reason));
    }
    this.thanks.textContent = message || (vote.rating ? this.S.thanks : "");
  }

  /** Shown at once, recorded by the server, put back as it was if that failed. */
  async vote(rating, reason) {
    const before = this.turn.vote || {};
    this.showVote("", { rating, reason });
    if (rating === "down" && !reason) this.reasons.scrollIntoView({ block: "nearest" });
    const message = await this.actions.vote(this.index, rating, reason);
    this.showVote(message, message ? before : this.turn.vote);
  }
}
