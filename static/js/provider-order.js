// Drag a provider card by its handle to change the fallback order (the arrows do the same
// without a pointer). The new order is posted, then the page reloads to show it as saved.
const list = document.getElementById("provider-cards");
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value;

function ids() {
  return [...list.querySelectorAll("li[data-id]")].map((li) => li.dataset.id).filter(Boolean);
}

if (list && csrf && window.matchMedia("(pointer: fine)").matches) {
  let dragged = null;
  for (const card of list.querySelectorAll("li[data-id]")) {
    if (!card.dataset.id) continue;
    const handle = card.querySelector(".drag-handle");
    handle?.addEventListener("mousedown", () => { card.draggable = true; });
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
    });
    card.addEventListener("dragend", () => {
      card.draggable = false;
      card.classList.remove("dragging");
    });
    card.addEventListener("dragover", (event) => {
      if (!dragged || dragged === card) return;
      event.preventDefault();
      const box = card.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? card.nextSibling : card);
    });
  }
  list.addEventListener("drop", async (event) => {
    event.preventDefault();
    if (!dragged) return;
    dragged = null;
    const body = new URLSearchParams({ ids: ids().join(",") });
    const response = await fetch(list.dataset.reorderUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf },
      body,
    });
    if (response.ok) window.location.reload();
  });
} else if (list) {
  for (const handle of list.querySelectorAll(".drag-handle")) handle.hidden = true;
}
