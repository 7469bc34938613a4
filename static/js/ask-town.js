// "Ask the town hall": shows exactly what the town hall will receive (personal data checked by
// the server), asks the resident to confirm, then sends it. Pages include the dialog with
// {% townhall_ask_town %} (templates/townhall/_ask_town.html); the chat calls offerTownHall().

/** Whether an answer should offer to ask the town hall, from the chat's `done` event: the
 * answer does not rest on the town's documents (`grounded` false: the offline answerer's
 * "not covered", or a language model's general answer), or a confidence, when one is sent,
 * is below `threshold` (config.low_confidence). */
export function shouldOffer(done, threshold) {
  if (!done) return false;
  if (done.grounded === false) return true;
  return typeof done.confidence === "number" && done.confidence < threshold;
}

/** The JSON body of a preview or a send; `choice` is "mask", "keep" or empty. */
export function requestBody({ question, answer, include }, choice) {
  const withAnswer = Boolean(include && answer);
  const body = { question, answer: withAnswer ? answer : "", include_answer: withAnswer };
  if (choice) body.personal_data = choice;
  return body;
}

/** The text a preview shows for one part: masked when personal data was found. */
export function shownText(part) {
  if (!part) return "";
  return part.findings && part.findings.length ? part.masked : part.text;
}

const $ = (id) => document.getElementById(id);
let widget = null;

function readConfig() {
  const node = typeof document === "undefined" ? null : $("townhall-config");
  return node ? JSON.parse(node.textContent) : null;
}

function show(step) {
  for (const node of widget.dialog.querySelectorAll(".ask-town-step")) node.hidden = node !== step;
}

async function post(url, body) {
  const token = widget.form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data;
  try {
    data = await response.json();
  } catch {
    // Not our JSON: a 403 is the page's security token gone stale (reload), else the network.
    data = { message: response.status === 403 ? widget.S.reload : widget.S.network };
  }
  return { status: response.status, data };
}

function renderPreview(preview) {
  const found = preview.kinds.length > 0;
  $("ask-town-warning").textContent = preview.warning;
  $("ask-town-warning").hidden = !found;
  $("ask-town-sent-question").textContent = shownText(preview.question);
  $("ask-town-sent-answer-box").hidden = !preview.answer;
  $("ask-town-sent-answer").textContent = shownText(preview.answer);
  $("ask-town-send").hidden = found;
  $("ask-town-mask").hidden = !found;
  $("ask-town-keep").hidden = !found;
  $("ask-town-keep-note").hidden = !found;
  $("ask-town-send-error").textContent = "";
  show($("ask-town-confirm"));
  $("ask-town-confirm-title").focus();
}

function current() {
  return {
    question: $("ask-town-question").value.trim(),
    answer: widget.answer,
    include: !$("ask-town-answer-box").hidden && $("ask-town-include").checked,
  };
}

async function check(event) {
  event.preventDefault();
  const error = $("ask-town-error");
  const state = current();
  if (!state.question) {
    error.textContent = widget.S.empty;
    $("ask-town-question").focus();
    return;
  }
  error.textContent = widget.S.checking;
  try {
    const { status, data } = await post(widget.config.preview_url, requestBody(state));
    if (status !== 200) {
      error.textContent = data.message || widget.S.network;
      return;
    }
    error.textContent = "";
    renderPreview(data);
  } catch {
    error.textContent = widget.S.network;
  }
}

async function send(choice) {
  const error = $("ask-town-send-error");
  error.textContent = widget.S.sending;
  for (const button of widget.dialog.querySelectorAll("#ask-town-confirm button")) button.disabled = true;
  try {
    const { status, data } = await post(widget.config.send_url, requestBody(current(), choice));
    if (status === 201) {
      widget.sent = true;
      $("ask-town-done-text").textContent = data.message;
      show($("ask-town-done"));
      $("ask-town-done-title").focus();
      return;
    }
    error.textContent = data.message || widget.S.network;
  } catch {
    error.textContent = widget.S.network;
  } finally {
    for (const button of widget.dialog.querySelectorAll("#ask-town-confirm button")) button.disabled = false;
  }
}

function closed() {
  const opener = widget.opener;
  widget.opener = null;
  // On "My requests", the new request belongs in the list at once.
  if (widget.sent && window.location.pathname === widget.config.mine_url) {
    window.location.reload();
    return;
  }
  if (opener && document.contains(opener)) opener.focus();
}

function setup() {
  const config = readConfig();
  const dialog = typeof document === "undefined" ? null : $("ask-town");
  if (!config || !dialog) return null;
  widget = { config, S: config.strings, dialog, form: $("ask-town-form"), answer: "", opener: null };
  widget.form.addEventListener("submit", check);
  $("ask-town-send").addEventListener("click", () => send(""));
  $("ask-town-mask").addEventListener("click", () => send("mask"));
  $("ask-town-keep").addEventListener("click", () => send("keep"));
  $("ask-town-edit").addEventListener("click", () => {
    show(widget.form);
    $("ask-town-question").focus();
  });
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("close", closed);
  for (const button of document.querySelectorAll("[data-ask-town]")) {
    button.addEventListener("click", () => openAskTown({}, button));
  }
  return widget;
}

/** Open the dialog with the question (editable) and, when given, the assistant's answer
 * the resident may add; focus returns to `opener` when it closes. */
export function openAskTown({ question = "", answer = "" } = {}, opener = null) {
  if (!widget) return false;
  widget.answer = answer;
  widget.sent = false;
  widget.opener = opener || document.activeElement;
  $("ask-town-question").value = question;
  $("ask-town-answer").textContent = answer;
  $("ask-town-answer-box").hidden = !answer;
  $("ask-town-include").checked = Boolean(answer);
  $("ask-town-error").textContent = "";
  show(widget.form);
  widget.dialog.showModal();
  $("ask-town-question").focus();
  return true;
}

/** Add, once, under an answer (`container`), a short sentence and a button that opens the
 * dialog with that question and answer. Returns the button (null without the dialog). */
export function offerTownHall(container, { question = "", answer = "" } = {}) {
  if (!widget || !container) return null;
  const existing = container.querySelector(".ask-town-offer button");
  if (existing) return existing;
  const box = document.createElement("p");
  box.className = "ask-town-offer";
  box.append(`${widget.S.offer_help} `);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = widget.S.offer;
  button.addEventListener("click", () => openAskTown({ question, answer }, button));
  box.appendChild(button);
  container.appendChild(box);
  return button;
}

setup();
