// An answer's tools: copy it with its sources, read it aloud, give an opinion on it.
import { plainAnswer, spokenAnswer } from "./answertext.js";
import { speak } from "./speech.js";

export class AnswerTools {
  /** `page`: {S, lang, turns(), save(), announce(text), csrf(), feedbackUrl}. */
  constructor(page) {
    this.page = page;
    this.speaking = null; // {index, stop} of the answer being read aloud
  }

  async copy(index, node) {
    const { S } = this.page;
    const turn = this.page.turns()[index];
    const text = plainAnswer(turn.content, turn.sources, S, turn.note);
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = Object.assign(document.createElement("textarea"), { value: text });
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy"); // older browsers, or a page not served over https
      area.remove();
      node.focus();
    }
    const label = node.querySelector(".label");
    label.textContent = S.copied;
    this.page.announce(S.copied);
    window.setTimeout(() => {
      label.textContent = S.copy;
    }, 2500);
  }

  stopReading() {
    if (this.speaking) this.speaking.stop();
  }

  readAloud(index, node) {
    const { S } = this.page;
    const again = this.speaking && this.speaking.index === index;
    this.stopReading();
    if (again) return;
    const turn = this.page.turns()[index];
    const label = node.querySelector(".label");
    const done = () => {
      node.setAttribute("aria-pressed", "false");
      label.textContent = S.read;
      if (this.speaking && this.speaking.index === index) this.speaking = null;
    };
    node.setAttribute("aria-pressed", "true");
    label.textContent = S.read_stop;
    const stop = speak(window, spokenAnswer(turn.content), turn.lang || this.page.lang, done);
    this.speaking = { index, stop };
  }

  /** Record the opinion; "" once recorded, else the sentence to show. */
  async vote(index, rating, reason) {
    const { S } = this.page;
    const turn = this.page.turns()[index];
    try {
      const response = await fetch(this.page.feedbackUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.page.csrf() },
        body: JSON.stringify({ token: turn.feedback, rating, reason, language: this.page.lang }),
        credentials: "same-origin",
      });
      if (!response.ok) return S.vote_failed;
    } catch {
      return S.vote_failed;
    }
    turn.vote = { rating, reason };
    this.page.save();
    this.page.announce(S.thanks);
    return "";
  }
}
