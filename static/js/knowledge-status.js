// Refresh the status and progress of documents being read, on the comms document list.
(function () {
  "use strict";
  var table = document.getElementById("documents");
  if (!table) { return; }
  var url = table.getAttribute("data-status-url");
  var busy = ["pending", "processing"];

  function pendingRows() {
    return Array.prototype.filter.call(table.querySelectorAll("tr[data-id]"), function (row) {
      return busy.indexOf(row.getAttribute("data-status")) !== -1;
    });
  }

  function render(row, doc) {
    var cell = row.querySelector(".status");
    cell.textContent = "";
    var label = document.createElement("span");
    label.className = "status-label status-" + doc.status;
    label.textContent = doc.status_label;
    cell.appendChild(label);
    if (busy.indexOf(doc.status) !== -1) {
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = doc.percent;
      bar.textContent = doc.percent + " %";
      cell.appendChild(bar);
      var text = document.createElement("span");
      text.className = "progress-text";
      text.textContent = " " + doc.done + " / " + doc.total;
      cell.appendChild(text);
    }
    if (doc.error) {
      var reason = document.createElement("p");
      reason.className = "error-reason";
      reason.textContent = doc.error;
      cell.appendChild(reason);
    }
    row.setAttribute("data-status", doc.status);
  }

  function poll() {
    var rows = pendingRows();
    if (!rows.length) { return; }
    var ids = rows.map(function (row) { return row.getAttribute("data-id"); }).join(",");
    fetch(url + "?ids=" + encodeURIComponent(ids), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { documents: [] }; })
      .then(function (data) {
        data.documents.forEach(function (doc) {
          var row = table.querySelector('tr[data-id="' + doc.id + '"]');
          if (row) { render(row, doc); }
        });
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function () { if (pendingRows().length) { window.setTimeout(poll, 2000); } });
  }

  window.setTimeout(poll, 1000);
})();
