// The upload form: once one file is chosen, its title and kind are read on the server and
// filled in for the comms team to check before pressing "Add" (nothing is saved before).
const form = document.getElementById("upload-form");
const note = document.getElementById("guess-note");
const files = document.getElementById("id_files");
const title = document.getElementById("id_title");
const kind = document.getElementById("id_kind");
let filled = "";

async function guessFrom(file) {
  const body = new FormData();
  body.append("file", file);
  body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
  const response = await fetch(form.dataset.guessUrl, { method: "POST", body, credentials: "same-origin" });
  const data = await response.json();
  if (!response.ok) {
    note.textContent = data.error || "";
    return;
  }
  if (!title.value || title.value === filled) {
    title.value = data.title;
    filled = data.title;
  }
  kind.value = data.kind;
  note.textContent = data.from_file ? note.dataset.found : note.dataset.nameOnly;
}

if (form && note && files && title && kind) {
  files.addEventListener("change", () => {
    note.textContent = "";
    if (files.files.length === 1) {
      guessFrom(files.files[0]).catch(() => { note.textContent = ""; });
    } else if (files.files.length > 1) {
      note.textContent = note.dataset.several;
    }
  });
}
