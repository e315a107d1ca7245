// Dashboard charts. Each <canvas data-chart-source="ID"> is drawn from the JSON in
// <script type="application/json" id="ID"> (Django's json_script: data, never executed,
// so the page's CSP needs no inline script). The same numbers are in a <table> beside
// every chart; without JavaScript (or Chart.js) the tables are the dashboard.
//
// A chart is drawn when it comes near the screen, not as the page loads: Chart.js is
// slow to draw, and drawing every chart of a dashboard at once kept the main thread
// busy for the first seconds (Lighthouse's Total Blocking Time), for charts far below
// the fold (the figures and tables come first). Where this script's tag names Chart.js
// in data-chart-src, the library itself is loaded only when the first chart is needed;
// where the page loads Chart.js itself (window.Chart), that is used.
//
// Chart.js sizes the canvas through the CSSOM (canvas.style.height = ...), which the
// CSP's style-src does not govern. htmx must not copy the canvas's style attribute when
// it settles a swap (setAttribute("style") is an inline style the CSP blocks): base.html's
// htmx-config leaves "style" out of attributesToSettle.
(function () {
  "use strict";

  var script = document.currentScript;
  var librarySrc = script && script.dataset.chartSrc;
  var loading = null;

  function library() {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (!librarySrc) return Promise.reject(new Error("Chart.js is not on this page"));
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = librarySrc;
        tag.onload = function () {
          resolve(window.Chart);
        };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function drawOne(canvas) {
    if (!canvas.isConnected) return; // swapped out by htmx before its turn came
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
  }

  // A chart is drawn when it comes near the screen (or at once without
  // IntersectionObserver), each in a task of its own.
  var observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          function (entries) {
            entries.forEach(function (entry) {
              if (!entry.isIntersecting) return;
              observer.unobserve(entry.target);
              drawWhenReady(entry.target);
            });
          },
          { rootMargin: "200px 0px" }
        )
      : null;

  function drawWhenReady(canvas) {
    library().then(
      function () {
        drawOne(canvas);
      },
      function () {} // no Chart.js: the table beside each chart has the numbers
    );
  }

  function draw(root) {
    root.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      if (canvas.dataset.chartDrawn) return;
      if (observer) observer.observe(canvas);
      else drawWhenReady(canvas);
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
