// Monthly admissions, this year against last year (Chart.js, served locally).
(function () {
  "use strict";
  var data = document.getElementById("trend-data");
  var canvas = document.getElementById("trend");
  if (!data || !canvas || typeof Chart === "undefined") return;
  var d = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: d.labels,
      datasets: [
        { label: d.this_label, data: d.this_year, borderColor: "#0b5ed7", backgroundColor: "#0b5ed7", cubicInterpolationMode: "monotone" },
        { label: d.last_label, data: d.last_year, borderColor: "#adb5bd", backgroundColor: "#adb5bd", borderDash: [6, 4], cubicInterpolationMode: "monotone" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
