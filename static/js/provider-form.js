// The provider form: a preset model fills in its list price; "Another model…" shows its field.
const select = document.getElementById("id_model_choice");
const other = document.getElementById("other-model");
const prices = JSON.parse(document.getElementById("preset-prices")?.textContent || "{}");
const fields = ["id_eur_input", "id_eur_output", "id_eur_cached"].map((id) => document.getElementById(id));

function showOther() {
  other.hidden = select.value !== "__other__";
}

if (select && other) {
  showOther();
  select.addEventListener("change", () => {
    showOther();
    const preset = prices[select.value];
    if (!preset) return;
    preset.forEach((value, index) => {
      if (fields[index]) fields[index].value = value;
    });
  });
}
