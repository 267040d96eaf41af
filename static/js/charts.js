/* Draws every <canvas data-chart="ID"> with Chart.js from the JSON in <script id="ID">
 * ({{ data|json_script:"ID" }}): {type: "line" | "bar" | "bar-horizontal", labels, dates?,
 * currency?, min?, max?, datasets: [{label, data}]}.
 *
 * Right-to-left pages (document.dir) get the x axis reversed, the value axis on the right and
 * RTL legends and tooltips; numbers, money and dates use the page's language. Colours are the
 * Okabe–Ito palette (told apart with colour-blindness), lines also differ by dash and point. */
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var POINTS = ["circle", "rect", "triangle", "rectRot"];

  function rightToLeft() {
    return (document.dir || document.documentElement.dir) === "rtl";
  }

  function formatter(lang, currency) {
    var options = currency ? { style: "currency", currency: currency } : { maximumFractionDigits: 1 };
    var format = new Intl.NumberFormat(lang, options);
    return function (value) { return format.format(value); };
  }

  function labelsOf(spec, lang) {
    if (!spec.dates) return spec.labels;
    var first = spec.labels[0] || "", last = spec.labels[spec.labels.length - 1] || "";
    var options = { month: "short", day: "numeric", timeZone: "UTC" };
    if (first.slice(0, 4) !== last.slice(0, 4)) options.year = "numeric";  // the year only when it changes
    var dates = new Intl.DateTimeFormat(lang, options);
    return spec.labels.map(function (day) { return dates.format(new Date(day + "T00:00:00Z")); });
  }

  function config(spec) {
    var lang = document.documentElement.lang || undefined;
    var rtl = rightToLeft();
    var format = formatter(lang, spec.currency);
    var horizontal = spec.type === "bar-horizontal";
    var line = spec.type === "line";
    var datasets = spec.datasets.map(function (dataset, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: dataset.label, data: dataset.data, borderColor: colour, backgroundColor: colour,
        borderDash: line ? DASHES[index % DASHES.length] : undefined, borderWidth: 2,
        pointStyle: POINTS[index % POINTS.length], pointRadius: line ? 3 : undefined, spanGaps: true
      };
    });
    var valueAxis = {
      beginAtZero: spec.min === undefined, min: spec.min, max: spec.max,
      ticks: { precision: spec.currency ? undefined : 0, callback: function (value) { return format(value); } }
    };
    var categoryAxis = { ticks: { autoSkip: true, maxRotation: 0 } };
    var scales = horizontal
      ? { x: Object.assign(valueAxis, { reverse: rtl }), y: Object.assign(categoryAxis, { position: rtl ? "right" : "left" }) }
      : { x: Object.assign(categoryAxis, { reverse: rtl }), y: Object.assign(valueAxis, { position: rtl ? "right" : "left" }) };
    return {
      type: line ? "line" : "bar",
      data: { labels: labelsOf(spec, lang), datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x", locale: lang, responsive: true, maintainAspectRatio: false,
        animation: false, layout: { padding: { left: 8, right: 8 } }, interaction: { mode: "index", intersect: false }, scales: scales,
        plugins: {
          legend: { display: datasets.length > 1, rtl: rtl, textDirection: rtl ? "rtl" : "ltr",
                    labels: { usePointStyle: true } },
          tooltip: {
            rtl: rtl, textDirection: rtl ? "rtl" : "ltr", usePointStyle: true,
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + ": " + (value === null ? "–" : format(value));
              }
            }
          }
        }
      }
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || window.Chart === undefined || window.Chart.getChart(canvas)) return;
    new window.Chart(canvas, config(JSON.parse(source.textContent)));
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
