// Slips page: the Print button opens the browser's print dialog (no inline script: strict CSP).
const button = document.getElementById("print-slips");
if (button) button.addEventListener("click", () => window.print());
