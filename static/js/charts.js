// Dashboard charts. Each <canvas data-chart-source="ID"> is drawn from the JSON in
// <script type="application/json" id="ID"> (Django's json_script: data, never executed,
// so the page's CSP needs no inline script). The same numbers are in a <table> beside
// every chart; without JavaScript (or Chart.js) the tables are the dashboard.
(function () {
  "use strict";

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    root.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) return;
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (error) {
        return;
      }
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true } },
          plugins: { legend: { display: spec.datasets.length > 1 } },
        },
      });
      canvas.dataset.chartDrawn = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  // After htmx swapped the dashboard body (filters, refresh), draw its new charts.
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.detail && event.detail.elt ? event.detail.elt.ownerDocument : document);
  });
})();
