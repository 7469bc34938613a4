// The warning shown when a question holds personal data: what was found, highlighted in the
// message, what the assistant would receive once masked, and the resident's three choices.
// Nothing is sent before one of them; Esc means "change my message".
import { fmt } from "./answertext.js";
import { joinKinds, markedParts } from "./guard.js";

export class PrivacyDialog {
  constructor(dialog, S) {
    this.dialog = dialog;
    this.S = S;
    this.resolve = null;
    const $ = (id) => dialog.querySelector(`#${id}`);
    this.text = $("pii-text");
    this.original = $("pii-original");
    this.masked = $("pii-masked");
    this.title = $("pii-title");
    for (const [id, choice] of [["pii-mask", "masked"], ["pii-send", "kept"], ["pii-edit", "edit"]]) {
      $(id).addEventListener("click", () => this.finish(choice));
    }
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // Esc: "change my message", through the same path
      this.finish("edit");
    });
  }

  /** Show the warning for `text`; resolves to "masked", "kept" or "edit". */
  ask(text, found) {
    const { S } = this;
    this.text.textContent = `${fmt(S.pii_intro, joinKinds(found.kinds, S.pii_kinds, S.and))} ${S.pii_advice}`;
    this.original.replaceChildren();
    for (const part of markedParts(text, found.findings)) {
      if (!part.kind) {
        this.original.append(part.text);
        continue;
      }
      const mark = document.createElement("mark");
      mark.textContent = part.text;
      const what = document.createElement("span");
      what.className = "visually-hidden";
      what.textContent = ` (${S.pii_kinds[part.kind] || ""})`;
      mark.appendChild(what);
      this.original.appendChild(mark);
    }
    this.masked.textContent = found.masked;
    this.dialog.showModal();
    this.title.focus();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  finish(choice) {
    if (this.dialog.open) this.dialog.close();
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve(choice);
  }
}
