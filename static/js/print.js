// Slips page: the Print button opens the browser's print dialog (no inline script: strict CSP).
(function () {
  "use strict";
  var button = document.getElementById("print-slips");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
