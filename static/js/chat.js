// Chat page: checks a question for personal data, sends it, streams, stops or redoes the
// answer, keeps the tab's conversation. Turns are drawn by turns.js, the check is guard.js.
import { applyEvent } from "./answerevents.js";
import { offerTownHall, shouldOffer } from "./ask-town.js";
import { fmt } from "./answertext.js";
import { AnswerTools } from "./answertools.js";
import { AttachmentBox } from "./attach.js";
import { setupComposer, setupDictation } from "./composer.js";
import { Follower } from "./follow.js";
import { checkPersonalData } from "./guard.js";
import { PrivacyDialog } from "./privacydialog.js";
import { SourcePanel } from "./sourcepanel.js";
import { canSpeak } from "./speech.js";
import { readEvents } from "./sse.js";
import { clearTurns, historyForRequest, loadTurns, saveTurns } from "./store.js";
import { AnswerView, QuestionView } from "./turns.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const S = config.strings;
const $ = (id) => document.getElementById(id);
const form = $("ask-form");
const question = $("question");
const turnsList = $("turns");
const live = $("live");
const formError = $("form-error");
const sendButton = $("send");
const stopButton = $("stop");
const lang = document.documentElement.lang || "fr";

let turns = loadTurns(window.sessionStorage, config.conversation);
let busy = false;
let checking = false; // the personal-data check of a question is under way
let controller = null;
let stopping = false;
let editing = null; // index of the question being edited, replaced when sent
const attachmentsOf = new WeakMap(); // question turn -> its attachment, in memory only

const save = () => saveTurns(window.sessionStorage, turns, config.conversation);
const csrfToken = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;
const composerHeight = () => form.getBoundingClientRect().height;
// What the keyboard focuses in the conversation never hides behind the pinned box (chat.css
// gives the conversation's elements this much scroll margin).
new ResizeObserver(() => {
  document.documentElement.style.setProperty("--composer-height", `${Math.ceil(composerHeight())}px`);
}).observe(form);
const follower = new Follower(window, $("to-latest"), composerHeight, () => turns.length > 0);
const privacy = new PrivacyDialog($("pii-dialog"), S);
const panel = new SourcePanel($("source-dialog"), S);
const tools = new AnswerTools({
  S,
  lang,
  turns: () => turns,
  save,
  announce,
  csrf: csrfToken,
  feedbackUrl: config.feedback_url,
});
const attachments = new AttachmentBox({
  input: $("attachment"),
  status: $("attachment-status"),
  remove: $("attachment-remove"),
  limits: config,
  strings: S,
});

// Signing out erases the conversation from this tab at once (a shared computer).
for (const signout of document.querySelectorAll("form.signout-form")) {
  signout.addEventListener("submit", () => clearTurns(window.sessionStorage));
}

function announce(text) {
  live.textContent = "";
  window.setTimeout(() => {
    live.textContent = text;
  }, 50);
}

function setNotice(generated) {
  if (generated !== undefined) $("notice").textContent = generated ? S.notice_ai : S.notice_offline;
}

function setAllowance(percent) {
  const box = $("allowance");
  box.hidden = typeof percent !== "number";
  if (!box.hidden) box.textContent = fmt(S.allowance, String(Math.max(0, Math.round(percent))));
}

function setBusy(value) {
  const focused = document.activeElement;
  busy = value;
  sendButton.disabled = value;
  stopButton.hidden = !value;
  turnsList.classList.toggle("busy", value);
  if (value && focused === sendButton) stopButton.focus({ preventScroll: true }); // pinned: in view
  if (!value && focused === stopButton) question.focus({ preventScroll: true });
}

// ---- Drawing -------------------------------------------------------------------------------

const actions = {
  canSpeak: canSpeak(window),
  again: (index) => again(index),
  edit: (index) => startEditing(index),
  copy: (index, node) => tools.copy(index, node),
  speak: (index, node) => tools.readAloud(index, node),
  vote: (index, rating, reason) => tools.vote(index, rating, reason),
  source: (source, opener) => panel.open(source, opener),
};

function drawTurn(turn, index) {
  const View = turn.role === "user" ? QuestionView : AnswerView;
  const view = new View(turn, index, { S, actions });
  turnsList.appendChild(view.item);
  offerTheTownHall(turn, view);
  return view;
}

/** Under an answer the town's documents do not cover: the offer to ask the town hall itself
 * (static/js/ask-town.js, when the page has its dialog). */
function offerTheTownHall(turn, view) {
  if (turn.role !== "assistant" || turn.status !== "done" || !shouldOffer(turn)) return;
  const question = turns[turns.indexOf(turn) - 1];
  offerTownHall(view.item, { question: question ? question.content : "", answer: turn.content });
}

/** The welcome and its examples, or the conversation and "New conversation". */
function showEmpty() {
  $("welcome").hidden = turns.length > 0;
  $("new-conversation").hidden = turns.length === 0;
}

function drawAll() {
  turnsList.replaceChildren();
  showEmpty();
  turns.forEach((turn, index) => {
    if (turn.status === "streaming") Object.assign(turn, { status: "error", error: S.network, retry: true });
    drawTurn(turn, index);
  });
  follower.update();
}

// ---- Asking --------------------------------------------------------------------------------

async function postQuestion(text, turn, withAttachment, personal, checked) {
  return fetch(config.ask_url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({
      message: text,
      history: historyForRequest(turns.slice(0, -2), { maxTurns: config.history_turns }),
      language: lang,
      attachment: withAttachment ? { kind: withAttachment.kind, data: withAttachment.data } : null,
      personal_data: personal || null,
      checked: checked || null, // the server's "nothing found" for this very text
    }),
    signal: controller.signal,
    credentials: "same-origin",
  });
}

async function refused(response, turn, text, withAttachment) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // Not our JSON: a 403 is the page's security token gone stale (reload), else the network.
    body = { message: response.status === 403 ? S.reload : S.network };
  }
  if (body.error === "personal_data" && Array.isArray(body.findings)) {
    // The server found what the page's check missed: nothing was sent; warn, then resend.
    turns.splice(turns.length - 2, 2);
    save();
    drawAll();
    return () => warnThenSend(text, body, withAttachment);
  }
  const retry = ["rate_limited", "bad_request", "unavailable"].includes(body.error) || response.status >= 500;
  if (typeof body.remaining_percent === "number") setAllowance(body.remaining_percent);
  Object.assign(turn, { status: "error", error: body.message || S.network, retry, redirect: body.redirect || "" });
  // Refused before any answer and no "Try again": give the question back to edit or resend.
  if (!retry && !question.value.trim()) question.value = text;
  return null;
}

function onEvent(turn, schedule) {
  return (event, data) => {
    const change = applyEvent(turn, event, data, S);
    if (change.redraw) schedule();
    if ("generated" in change) setNotice(change.generated);
    if ("remaining" in change) setAllowance(change.remaining);
  };
}

async function ask(text, { withAttachment = null, personal = "", checked = "" } = {}) {
  setBusy(true);
  formError.textContent = "";
  const questionTurn = { role: "user", content: text, attachmentName: withAttachment ? withAttachment.name : "", personal };
  if (withAttachment) attachmentsOf.set(questionTurn, withAttachment);
  const turn = { role: "assistant", content: "", status: "streaming", lang };
  turns.push(questionTurn, turn);
  save();
  showEmpty();
  drawTurn(questionTurn, turns.length - 2);
  const view = drawTurn(turn, turns.length - 1);
  follower.start();
  follower.track(view.item);
  announce(S.writing);
  controller = new AbortController();
  stopping = false;
  let frame = 0;
  const schedule = () => {
    frame =
      frame ||
      window.requestAnimationFrame(() => {
        frame = 0;
        view.renderText();
        follower.track(view.item);
      });
  };
  let next = null;
  try {
    const response = await postQuestion(text, turn, withAttachment, personal, checked);
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
      next = await refused(response, turn, text, withAttachment);
    } else {
      await readEvents(response, onEvent(turn, schedule));
      if (turn.status === "streaming") Object.assign(turn, { status: "error", error: S.network, retry: true });
    }
  } catch (error) {
    if (error.name !== "AbortError") Object.assign(turn, { status: "error", error: S.network, retry: true });
    else if (stopping) turn.status = "stopped"; // the text so far is kept; the server bills it
  } finally {
    if (frame) window.cancelAnimationFrame(frame);
    controller = null;
    setBusy(false);
    if (turns.includes(turn)) finish(turn, view);
  }
  if (next) next();
}

function finish(turn, view) {
  save();
  view.render();
  offerTheTownHall(turn, view);
  follower.track(view.item);
  if (turn.status === "done") announce(`${S.complete} ${view.answer.textContent} ${turn.note || ""}`.trim());
  else if (turn.status === "stopped") announce(S.stopped);
  else announce(turn.error || S.network);
}

function again(index) {
  if (busy || checking) return; // one question at a time, its check included
  const questionTurn = turns[index - 1];
  if (!questionTurn || questionTurn.role !== "user") return;
  const file = attachmentsOf.get(questionTurn) || null;
  if (questionTurn.attachmentName && !file) {
    // The page was reloaded since: the file is not kept. Give the question back, ask for the file.
    question.value = questionTurn.content;
    formError.textContent = fmt(S.reattach, questionTurn.attachmentName);
    question.focus({ preventScroll: true }); // pinned, always in view
    return;
  }
  tools.stopReading();
  turns.splice(index - 1, 2);
  save();
  drawAll();
  ask(questionTurn.content, { withAttachment: file, personal: questionTurn.personal });
}

// ---- Sending: the personal-data check first --------------------------------------------------

function replaceEdited() {
  if (editing === null) return;
  turns.splice(editing);
  save();
  drawAll();
  stopEditing();
}

async function warnThenSend(text, found, withAttachment) {
  const choice = await privacy.ask(text, found);
  if (choice === "edit") {
    if (withAttachment) attachments.keep(withAttachment);
    question.value = text;
    question.focus({ preventScroll: true }); // pinned, always in view
    const first = found.findings[0];
    if (first) question.setSelectionRange(first.start, first.end);
    return;
  }
  question.value = "";
  replaceEdited();
  ask(choice === "masked" ? found.masked : text, { withAttachment, personal: choice });
}

async function submit(text) {
  checking = true; // one press, one question (the button stays focusable meanwhile)
  const found = await checkPersonalData(text, {
    url: config.check_url,
    csrf: csrfToken(),
    language: lang,
    masks: S.pii_masks,
    order: Object.keys(S.pii_kinds),
  });
  checking = false;
  if (found.findings.length) {
    warnThenSend(text, found, attachments.take());
    return;
  }
  question.value = "";
  replaceEdited();
  ask(text, { withAttachment: attachments.take(), checked: found.clear });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (checking) return; // pressed twice: the first press is being checked
  if (busy) {
    formError.textContent = S.busy;
    return;
  }
  if (!text) {
    formError.textContent = S.empty;
    question.focus({ preventScroll: true }); // pinned, always in view
    return;
  }
  formError.textContent = "";
  submit(text);
});

stopButton.addEventListener("click", () => {
  if (!controller) return;
  stopping = true;
  controller.abort();
});

// ---- Editing the last question ---------------------------------------------------------------

function startEditing(index) {
  if (busy || checking || !turns[index]) return;
  editing = index;
  question.value = turns[index].content;
  $("editing").hidden = false;
  question.focus({ preventScroll: true }); // pinned, always in view
}

function stopEditing() {
  editing = null;
  $("editing").hidden = true;
}

$("edit-cancel").addEventListener("click", () => {
  stopEditing();
  question.value = "";
  question.focus({ preventScroll: true }); // pinned, always in view
});

// A source number in an answer ([1]) opens that source's passage too.
turnsList.addEventListener("click", (event) => {
  const ref = event.target.closest("a.source-ref");
  const match = ref && /^#t(\d+)-source-(\d+)$/.exec(ref.getAttribute("href"));
  const turn = match && turns[Number(match[1])];
  const source = turn && (turn.sources || []).find((s) => s.n === Number(match[2]));
  if (source && source.chunk) {
    event.preventDefault();
    panel.open(source, ref);
  }
});

// ---- Attachments, examples, new conversation -------------------------------------------------

for (const example of document.querySelectorAll("button.example")) {
  example.addEventListener("click", () => {
    question.value = example.textContent.trim();
    form.requestSubmit();
  });
}

const confirmNew = $("confirm-new");
$("new-conversation").addEventListener("click", () => {
  confirmNew.returnValue = "";
  if (turns.length) confirmNew.showModal();
  else question.focus({ preventScroll: true }); // pinned, always in view
});
confirmNew.addEventListener("close", () => {
  if (confirmNew.returnValue !== "erase") {
    $("new-conversation").focus();
    return;
  }
  if (controller) controller.abort();
  tools.stopReading();
  stopEditing();
  turns = [];
  clearTurns(window.sessionStorage);
  attachments.clear();
  drawAll();
  announce(S.new_done);
  question.focus({ preventScroll: true }); // pinned, always in view
});

setupComposer({ form, question, hint: $("question-help"), S });
setupDictation({ toggle: $("dictate"), status: $("dictate-status"), question, S, lang });
setAllowance(config.remaining_percent);
drawAll();
form.dataset.ready = "true"; // wired: a submit is handled here, not posted as a form
