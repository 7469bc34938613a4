// Chat page: checks for personal data, sends the question, streams the answer, keeps the tab's history.
import { prepareAttachment } from "./attach.js";
import { findPersonalData, kindsOf, maskPersonalData } from "./pii.js";
import { renderMarkdown } from "./render.js";
import { readEvents } from "./sse.js";
import { clearTurns, historyForRequest, loadTurns, saveTurns } from "./store.js";

const config = JSON.parse(document.getElementById("chat-config").textContent);
const S = config.strings;
const $ = (id) => document.getElementById(id);
const form = $("ask-form");
const question = $("question");
const turnsList = $("turns");
const live = $("live");
const formError = $("form-error");
const piiPanel = $("pii-warning");
const fileInput = $("attachment");

let turns = loadTurns(window.sessionStorage, config.conversation);
let busy = false;
let controller = null;
let attachment = null; // {kind, name, data} waiting to be sent
const attachmentsOf = new WeakMap(); // question turn -> its attachment, in memory only (retry)
let pendingText = "";

// Strings come from gettext with Python-style escapes: "%s" is the value, "%%" a percent sign.
const fmt = (template, value) => template.replace("%s", value).replace("%%", "%");
const save = () => saveTurns(window.sessionStorage, turns, config.conversation);

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

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function setNotice(generated) {
  if (generated === undefined) return;
  $("notice").textContent = generated ? S.notice_ai : S.notice_offline;
}

function setAllowance(percent) {
  const box = $("allowance");
  if (typeof percent !== "number") {
    box.hidden = true;
    return;
  }
  box.textContent = fmt(S.allowance, String(Math.max(0, Math.round(percent))));
  box.hidden = false;
}

// ---- Drawing the conversation --------------------------------------------------------------

function renderSources(view, turn) {
  view.sources.replaceChildren();
  if (!turn.sources || !turn.sources.length) {
    view.sources.hidden = true;
    return;
  }
  view.sources.hidden = false;
  view.sources.appendChild(el("h3", "", S.sources));
  const list = el("ol", "source-list");
  for (const source of turn.sources) {
    const item = el("li");
    item.id = `t${view.index}-source-${source.n}`;
    item.value = source.n;
    const label = source.page ? `${source.title}, ${fmt(S.page, source.page)}` : source.title;
    const href = safeSourceHref(source.url);
    const target = href ? el("a", "source-link", label) : el("span", "", label);
    if (href) target.href = href;
    item.appendChild(target);
    list.appendChild(item);
  }
  view.sources.appendChild(list);
}

function safeSourceHref(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return ["http:", "https:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderAnswer(view, turn) {
  renderMarkdown(view.answer, turn.content, {
    idPrefix: `t${view.index}-source-`,
    refLabel: S.ref,
  });
  view.answer.setAttribute("aria-busy", String(turn.status === "streaming"));
  view.writing.hidden = turn.status !== "streaming";
  view.notice.textContent = turn.notice || "";
  view.notice.hidden = !turn.notice;
  renderSources(view, turn);
  view.error.replaceChildren();
  view.error.hidden = !turn.error;
  if (turn.error) {
    view.error.appendChild(el("span", "", turn.error));
    if (turn.content && turn.status === "error") view.error.appendChild(el("span", "", ` ${S.kept}`));
    if (turn.retry) {
      const retry = el("button", "retry", S.retry);
      retry.type = "button";
      retry.addEventListener("click", () => retryTurn(view.index));
      view.error.append(" ", retry);
    }
    if (turn.redirect) {
      const link = el("a", "", S.signin);
      link.href = turn.redirect;
      view.error.append(" ", link);
    }
  }
}

function drawTurn(turn, index) {
  const item = el("li", `turn turn-${turn.role}`);
  item.appendChild(el("h3", "turn-label", turn.role === "user" ? S.you : S.assistant));
  if (turn.role === "user") {
    item.appendChild(el("p", "user-text", turn.content));
    if (turn.attachmentName) item.appendChild(el("p", "help", fmt(S.you_attached, turn.attachmentName)));
    turnsList.appendChild(item);
    return null;
  }
  const view = {
    index,
    item,
    answer: el("div", "answer"),
    writing: el("p", "writing", S.writing),
    notice: el("p", "turn-notice"),
    sources: el("section", "sources"),
    error: el("p", "turn-error"),
  };
  view.error.setAttribute("role", "alert");
  item.append(view.notice, view.answer, view.writing, view.sources, view.error);
  turnsList.appendChild(item);
  renderAnswer(view, turn);
  return view;
}

function drawAll() {
  turnsList.replaceChildren();
  $("welcome").hidden = turns.length > 0;
  turns.forEach((turn, index) => {
    if (turn.status === "streaming") Object.assign(turn, { status: "error", error: S.network, retry: true });
    drawTurn(turn, index);
  });
}

// ---- Asking ------------------------------------------------------------------------------

function csrfToken() {
  return form.querySelector("input[name=csrfmiddlewaretoken]").value;
}

async function ask(text, withAttachment) {
  busy = true;
  formError.textContent = "";
  const history = historyForRequest(turns, { maxTurns: config.history_turns });
  const questionTurn = { role: "user", content: text, attachmentName: withAttachment ? withAttachment.name : "" };
  if (withAttachment) attachmentsOf.set(questionTurn, withAttachment);
  turns.push(questionTurn);
  const turn = { role: "assistant", content: "", status: "streaming" };
  turns.push(turn);
  save();
  $("welcome").hidden = true;
  drawTurn(turns[turns.length - 2], turns.length - 2);
  const view = drawTurn(turn, turns.length - 1);
  view.item.scrollIntoView({ block: "nearest" });
  announce(S.writing);
  controller = new AbortController();
  let frame = 0;
  const redraw = () => {
    frame = 0;
    renderAnswer(view, turn);
  };
  const fail = (message, extra = {}) => {
    Object.assign(turn, { status: "error", error: message, retry: true, ...extra });
  };
  try {
    const response = await fetch(config.ask_url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        message: text,
        history,
        language: document.documentElement.lang,
        attachment: withAttachment ? { kind: withAttachment.kind, data: withAttachment.data } : null,
      }),
      signal: controller.signal,
      credentials: "same-origin",
    });
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
      let body = {};
      try {
        body = await response.json();
      } catch {
        // Not our JSON: a 403 is the page's security token gone stale (reload), else the network.
        body = { message: response.status === 403 ? S.reload : S.network };
      }
      const retry = ["rate_limited", "bad_request", "unavailable"].includes(body.error) || response.status >= 500;
      if (typeof body.remaining_percent === "number") setAllowance(body.remaining_percent);
      fail(body.message || S.network, { retry, code: body.error, redirect: body.redirect || "" });
      // Refused before any answer and no "Try again": give the question back to edit or resend.
      if (!retry && !question.value.trim()) question.value = text;
    } else {
      await readEvents(response, (event, data) => {
        if (event === "chunk") {
          turn.content += data.text || "";
          if (!frame) frame = window.requestAnimationFrame(redraw);
        } else if (event === "notice") {
          turn.notice = data.message || "";
          if (!frame) frame = window.requestAnimationFrame(redraw);
        } else if (event === "sources") {
          turn.sources = Array.isArray(data.sources) ? data.sources : [];
          turn.generated = data.generated;
          setNotice(data.generated);
        } else if (event === "done") {
          turn.status = "done";
          setAllowance(data.remaining_percent);
          setNotice(data.generated);
        } else if (event === "error") {
          fail(data.message || S.network, { retry: data.retry !== false });
        }
      });
      if (turn.status === "streaming") fail(S.network);
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    fail(S.network);
  } finally {
    if (frame) window.cancelAnimationFrame(frame);
    busy = false;
    controller = null;
    if (turns.includes(turn)) {
      save();
      renderAnswer(view, turn);
      if (turn.status === "done") announce(`${S.complete} ${view.answer.textContent}`);
      else announce(turn.error || S.network);
    }
  }
}

function retryTurn(index) {
  if (busy) return;
  const questionTurn = turns[index - 1];
  if (!questionTurn || questionTurn.role !== "user") return;
  const file = attachmentsOf.get(questionTurn) || null;
  if (questionTurn.attachmentName && !file) {
    // The page was reloaded since: the file is not kept. Give the question back, ask for the file.
    question.value = questionTurn.content;
    formError.textContent = fmt(S.reattach, questionTurn.attachmentName);
    question.focus();
    return;
  }
  turns.splice(index - 1, 2);
  save();
  drawAll();
  ask(questionTurn.content, file);
}

function send(text) {
  const file = attachment;
  question.value = "";
  clearAttachment();
  ask(text, file);
}

// ---- Personal-data guard -------------------------------------------------------------------

function joinKinds(kinds) {
  const words = kinds.map((kind) => S.pii_kinds[kind]);
  return words.length > 1 ? `${words.slice(0, -1).join(", ")}${S.and}${words[words.length - 1]}` : words[0];
}

function showPiiWarning(text, findings) {
  pendingText = text;
  $("pii-text").textContent = `${fmt(S.pii_intro, joinKinds(kindsOf(findings)))} ${S.pii_advice}`;
  piiPanel.hidden = false;
  piiPanel.focus();
}

function closePiiWarning() {
  piiPanel.hidden = true;
}

$("pii-mask").addEventListener("click", () => {
  closePiiWarning();
  send(maskPersonalData(pendingText, findPersonalData(pendingText), S.pii_masks));
  question.focus();
});
$("pii-send").addEventListener("click", () => {
  closePiiWarning();
  send(pendingText);
  question.focus();
});
$("pii-edit").addEventListener("click", () => {
  closePiiWarning();
  question.focus();
});

// ---- Form, attachments, new conversation ---------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = question.value.trim();
  if (busy) {
    formError.textContent = S.busy;
    return;
  }
  if (!text) {
    formError.textContent = S.empty;
    question.focus();
    return;
  }
  formError.textContent = "";
  const findings = findPersonalData(text);
  if (findings.length) showPiiWarning(text, findings);
  else send(text);
});

question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit();
  }
});

for (const example of document.querySelectorAll("button.example")) {
  example.addEventListener("click", () => {
    question.value = example.textContent.trim();
    form.requestSubmit();
  });
}

function clearAttachment() {
  attachment = null;
  if (!fileInput) return;
  fileInput.value = "";
  $("attachment-status").textContent = "";
  $("attachment-remove").hidden = true;
}

if (fileInput) {
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    attachment = null;
    if (!file) return;
    try {
      attachment = await prepareAttachment(file, config);
      $("attachment-status").textContent = fmt(S.attached, file.name);
      $("attachment-remove").hidden = false;
    } catch (error) {
      fileInput.value = "";
      $("attachment-status").textContent = S[error.message] || S.unreadable;
    }
  });
  $("attachment-remove").addEventListener("click", () => {
    clearAttachment();
    fileInput.focus();
  });
}

$("new-conversation").addEventListener("click", () => {
  if (controller) controller.abort();
  busy = false;
  turns = [];
  clearTurns(window.sessionStorage);
  closePiiWarning();
  clearAttachment();
  drawAll();
  announce(S.new_done);
  question.focus();
});

setAllowance(config.remaining_percent);
drawAll();
form.dataset.ready = "true"; // wired: a submit is handled here, not posted as a form
