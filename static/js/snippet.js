// The staff's embedding page: the preview button in the chosen colours (set through the
// CSSOM: the strict CSP forbids style attributes), and a button that copies the snippet.
const preview = document.querySelector(".preview-button");
if (preview) {
  preview.style.backgroundColor = preview.dataset.background;
  preview.style.color = preview.dataset.color;
}

const copy = document.getElementById("copy-snippet");
const snippet = document.getElementById("snippet");
if (copy && snippet && navigator.clipboard) {
  copy.hidden = false;
  copy.addEventListener("click", async () => {
    const status = document.getElementById("copy-status");
    try {
      await navigator.clipboard.writeText(snippet.value);
      status.textContent = copy.dataset.done;
    } catch {
      snippet.select(); // the browser refused: the code is selected for Ctrl+C
    }
  });
}
