// Leadership dashboard: Chart.js (vendor/chartjs) draws the charts from the
// JSON named in data-src. The page works without this script: every chart
// has its table under it.
(function () {
  "use strict";
  var el = document.getElementById("dasbor-grafik");
  if (!el || typeof Chart === "undefined" || !window.fetch) return;
  var brand = "#0f4c5c", accent = "#e3b23c";
  // Charts grow into place unless the reader asked for less motion.
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Chart.defaults.animation = false;
  }

  function bar(id, series, label, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || !series || series.labels.length === 0) return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ label: label, data: series.values, backgroundColor: brand, maxBarThickness: 28 }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (d) {
      var canvas = document.getElementById("grafik-bulanan");
      if (canvas) {
        new Chart(canvas, {
          data: {
            labels: d.months.labels,
            datasets: [
              { type: "bar", label: d.labels.visits, data: d.months.values, backgroundColor: brand, yAxisID: "y", maxBarThickness: 48 },
              { type: "line", label: d.labels.participants, data: d.months.second, borderColor: accent, backgroundColor: accent, yAxisID: "y1", tension: 0.2 }
            ]
          },
          options: {
            maintainAspectRatio: false,
            interaction: { mode: "index", intersect: false },
            scales: {
              y: { beginAtZero: true, position: "left", ticks: { precision: 0 }, title: { display: true, text: d.labels.visits } },
              y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: d.labels.participants } }
            }
          }
        });
      }
      bar("grafik-jenis", d.types, d.labels.visits, true);
      bar("grafik-topik", d.topics, d.labels.visits, true);
      bar("grafik-pendamping", d.escorts, d.labels.assignments, true);
    })
    .catch(function () { /* the tables remain */ });
})();
