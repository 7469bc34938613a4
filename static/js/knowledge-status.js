// Refresh the status and progress of documents being read, on the comms document list.
const BUSY = ["pending", "processing"];
const table = document.getElementById("documents");

function pendingRows() {
  return [...table.querySelectorAll("tr[data-id]")].filter((row) => BUSY.includes(row.dataset.status));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(row, doc) {
  const cell = row.querySelector(".status");
  cell.replaceChildren(element("span", `status-label status-${doc.status}`, doc.status_label));
  if (BUSY.includes(doc.status)) {
    const bar = element("progress", "", `${doc.percent} %`);
    bar.max = 100;
    bar.value = doc.percent;
    cell.append(bar, element("span", "progress-text", ` ${doc.done} / ${doc.total}`));
  }
  if (doc.error) cell.append(element("p", "error-reason", doc.error));
  row.dataset.status = doc.status;
}

async function poll() {
  const rows = pendingRows();
  if (!rows.length) return;
  const ids = rows.map((row) => row.dataset.id).join(",");
  try {
    const response = await fetch(`${table.dataset.statusUrl}?ids=${encodeURIComponent(ids)}`, {
      credentials: "same-origin",
    });
    const data = response.ok ? await response.json() : { documents: [] };
    for (const doc of data.documents) {
      const row = table.querySelector(`tr[data-id="${doc.id}"]`);
      if (row) render(row, doc);
    }
  } catch {
    // The network failed: try again at the next tick.
  }
  if (pendingRows().length) window.setTimeout(poll, 2000);
}

if (table) window.setTimeout(poll, 1000);
