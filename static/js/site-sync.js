// Web site sync page: refreshes the run's progress, buttons and report while a sync is under way.
export const POLL_MS = 1500; // a page takes about a second at the polite rate
export const IDLE_POLL_MS = 10000; // paused or interrupted: only someone else can move it on
export const MAX_POLL_MS = 30000;

/** Milliseconds before the next poll, or null to stop: while the run is active, slower when
 * it waits on the team, backing off after failed requests (server restarting, offline). */
export function nextPoll(state, failures = 0) {
  if (!state) return Math.min(POLL_MS * 2 ** failures, MAX_POLL_MS);
  if (!state.active) return null;
  const base = ["paused", "interrupted"].includes(state.status) ? IDLE_POLL_MS : POLL_MS;
  return Math.min(base * 2 ** failures, MAX_POLL_MS);
}

/** The cells of a report row: what happened, to which page (its path), why. */
export function reportCells(line) {
  return [line.label, line.path || line.url || "—", line.reason || ""];
}

function show(element, visible) {
  if (element) element.hidden = !visible;
}

function setText(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

function renderReport(lines) {
  const table = document.getElementById("report");
  const body = table.querySelector("tbody");
  const rows = lines.map((line) => {
    const row = document.createElement("tr");
    reportCells(line).forEach((text, index) => {
      const cell = document.createElement("td");
      if (index === 0) {
        const label = document.createElement("span");
        label.className = `status-label line-${line.kind}`;
        label.textContent = text;
        cell.appendChild(label);
      } else if (index === 1 && line.url) {
        const link = document.createElement("a");
        link.href = line.url;
        link.rel = "noopener noreferrer";
        link.textContent = text;
        cell.appendChild(link);
        cell.className = "url";
      } else {
        cell.textContent = text;
      }
      row.appendChild(cell);
    });
    return row;
  });
  body.replaceChildren(...rows);
  show(table, lines.length > 0);
  show(document.getElementById("report-empty"), lines.length === 0);
}

function renderSite(state, wasActive) {
  setText("site-synced", String(state.synced));
  setText("pages-title", state.known);
  setText("report-more", state.more || "");
  show(document.getElementById("report-more"), Boolean(state.more));
  // The list of pages is drawn with the page: once a run ends, offer it afresh.
  if (wasActive && !state.active) show(document.getElementById("pages-stale"), true);
}

function render(panel, state) {
  panel.dataset.status = state.status;
  const status = document.getElementById("run-status");
  status.textContent = state.status_label;
  status.className = `status-label status-${state.status}`;
  setText("run-when", state.when ? `· ${state.when}` : "");
  show(document.getElementById("run-details"), state.status !== "none");
  const bar = document.getElementById("run-progress");
  bar.value = state.percent || 0;
  bar.textContent = `${state.percent || 0} %`;
  setText("run-pages", state.pages || "");
  const current = document.getElementById("run-current");
  current.querySelector("span").textContent = state.current_path || "";
  show(current, Boolean(state.current_url));
  setText("run-counts", state.counts || "");
  setText("run-stop", state.stop_reason || "");
  show(document.getElementById("run-stop"), Boolean(state.stop_reason));
  for (const form of panel.querySelectorAll("form[data-button]")) {
    show(form, state.buttons.includes(form.dataset.button));
  }
  renderReport(state.lines);
}

function start() {
  const panel = document.getElementById("run-panel");
  const configNode = document.getElementById("site-sync-config");
  if (!panel || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  let failures = 0;
  let wasActive = config.active;
  const tick = async () => {
    let state = null;
    try {
      const response = await fetch(config.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
      failures = 0;
      render(panel, state);
      renderSite(state, wasActive);
      wasActive = state.active;
    } catch {
      failures += 1; // keep the last figures on screen and try again a little later
    }
    const delay = nextPoll(state, failures);
    if (delay !== null) window.setTimeout(tick, delay);
  };
  const first = nextPoll({ active: config.active, status: config.status });
  if (first !== null) window.setTimeout(tick, first);
}

if (typeof document !== "undefined") start();
