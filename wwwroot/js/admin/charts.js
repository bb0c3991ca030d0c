// The run's three charts (chart.js): loss per batch, train, test and corrections test error per
// epoch, and the mean SDLM learning rate of each layer per epoch.
// Their colours are the theme's (js/theme-colors.js), read when they are drawn.
import { chartsFollowTheme, cssColor, seriesColor } from "../theme-colors.js";

const $ = (id) => document.getElementById(id);

Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.animation = false;
const grid = { color: () => cssColor("--line") };
const palette = Array.from({ length: 8 }, (_, i) => seriesColor(i));

function lineChart(canvas, datasets, yOptions) {
  return new Chart(canvas, {
    type: "line",
    data: { datasets },
    options: {
      responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
      interaction: { mode: "nearest", intersect: false },
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 2, tension: 0.2 } },
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" }, min: 0, ticks: { precision: 0 }, grid },
        y: { ...yOptions, grid },
      },
      plugins: { legend: { display: datasets.length > 1, labels: { boxWidth: 12 } } },
    },
  });
}

const lossChart = lineChart($("loss-chart"), [{ label: "loss", data: [], borderColor: palette[0], backgroundColor: palette[0] }],
  { title: { display: true, text: "loss" }, beginAtZero: true });
const errorChart = lineChart($("error-chart"), [
  { label: "train", data: [], borderColor: palette[1], backgroundColor: palette[1], pointRadius: 3 },
  { label: "test", data: [], borderColor: palette[0], backgroundColor: palette[0], pointRadius: 3 },
  { label: "corrections (test)", data: [], borderColor: palette[3], backgroundColor: palette[3], pointRadius: 3 },
], { title: { display: true, text: "error %" }, beginAtZero: true });
const ratesChart = lineChart($("rates-chart"), [], { type: "logarithmic", title: { display: true, text: "learning rate" } });
chartsFollowTheme(Chart, () => [lossChart, errorChart, ratesChart]);

/** Redraws the charts from a run's history and loss curve. */
export function resetCharts(run) {
  lossChart.data.datasets[0].data = (run.lossCurve || []).map(([x, y]) => ({ x, y }));
  errorChart.data.datasets[0].data = [];
  errorChart.data.datasets[1].data = [];
  errorChart.data.datasets[2].data = [];
  ratesChart.data.datasets = [];
  for (const e of run.history) addEpoch(e, false);
  for (const chart of [lossChart, errorChart, ratesChart]) chart.options.scales.x.max = run.epochs;
  updateCharts();
}

export function addEpoch(e, update = true) {
  errorChart.data.datasets[0].data.push({ x: e.epoch, y: 100 * e.trainError });
  errorChart.data.datasets[1].data.push({ x: e.epoch, y: 100 * e.testError });
  // only runs with accepted test drawings have a corrections error
  if (e.extraTestError != null) errorChart.data.datasets[2].data.push({ x: e.epoch, y: 100 * e.extraTestError });
  Object.entries(e.learningRates || {}).forEach(([layer, rate]) => {
    let set = ratesChart.data.datasets.find((d) => d.label === layer);
    if (!set) {
      const color = palette[ratesChart.data.datasets.length % palette.length];
      set = { label: layer, data: [], borderColor: color, backgroundColor: color, pointRadius: 3 };
      ratesChart.data.datasets.push(set);
    }
    set.data.push({ x: e.epoch, y: rate });
  });
  if (update) updateCharts();
}

export function addLoss(x, loss) {
  lossChart.data.datasets[0].data.push({ x, y: loss });
  updateCharts();
}

function updateCharts() {
  ratesChart.options.plugins.legend.display = ratesChart.data.datasets.length > 0;
  for (const [chart, id] of [[lossChart, "loss-chart"], [errorChart, "error-chart"], [ratesChart, "rates-chart"]]) {
    chart.update("none");
    $(id).dataset.points = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
  }
}
