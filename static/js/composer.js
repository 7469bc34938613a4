// The question box: Enter sends and Shift+Enter adds a line with a keyboard; on a touch
// screen Enter adds a line and the Send button sends; the hint under the box says which.
// Dictation fills the box where the browser offers speech recognition.
import { dictate, recognitionClass } from "./speech.js";

/** A touch screen with no mouse or trackpad as its main pointer (a phone, a tablet). */
export function isTouchScreen(win) {
  return Boolean(win.matchMedia && win.matchMedia("(pointer: coarse)").matches);
}

/** Whether this key press sends the question (rather than adding a line). */
export function sendsOnEnter(event, touch) {
  if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return false;
  if (event.ctrlKey || event.metaKey) return true; // Ctrl+Enter, as before, everywhere
  return !touch && !event.shiftKey && !event.altKey;
}

/** Joins dictated words to what was already typed. */
export function withDictation(typed, heard) {
  const before = typed.replace(/\s+$/, "");
  const words = heard.trim();
  if (!words) return typed;
  return before ? `${before} ${words}` : words.charAt(0).toUpperCase() + words.slice(1);
}

export function setupComposer({ form, question, hint, S, win = window }) {
  const touch = isTouchScreen(win);
  hint.textContent = touch ? S.hint_touch : S.hint_keyboard;
  hint.classList.toggle("touch-hint", touch); // folded away on a small screen at large text
  question.addEventListener("keydown", (event) => {
    if (sendsOnEnter(event, touch)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

export function setupDictation({ toggle, status, question, S, lang, win = window }) {
  if (!recognitionClass(win)) return; // stays hidden
  toggle.hidden = false;
  const label = toggle.querySelector(".label");
  let stop = null;
  let typed = "";
  let failed = false; // an error stays on screen after the recognition ends
  const show = (listening, error) => {
    toggle.setAttribute("aria-pressed", String(listening));
    label.textContent = listening ? S.dictate_stop : S.dictate;
    if (!listening) stop = null;
    if (error) {
      failed = true;
      status.textContent = error === "not-allowed" ? S.dictate_denied : S.dictate_failed;
    } else if (listening || !failed) {
      status.textContent = listening ? S.listening : "";
    }
  };
  toggle.addEventListener("click", () => {
    if (stop) {
      stop();
      return;
    }
    typed = question.value;
    failed = false;
    try {
      stop = dictate(win, lang, {
        onText: (heard) => {
          question.value = withDictation(typed, heard);
        },
        onState: show,
      });
    } catch {
      show(false, "error");
    }
  });
}
