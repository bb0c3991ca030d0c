// The theme's colours for what CSS cannot colour (chart.js canvases): read from site.css's custom
// properties when drawn, so they follow the theme (js/theme.js) and change with it.

const probe = document.createElement("span");
probe.hidden = true;
const cache = new Map();
let cachedScheme = "";

/** The colour a custom property of the page holds now, as rgb(): cssColor("--muted"). */
export function cssColor(name) {
  const scheme = document.documentElement.dataset.scheme ?? "";
  if (scheme !== cachedScheme) {
    cache.clear();
    cachedScheme = scheme;
  }
  if (!cache.has(name)) {
    if (!probe.isConnected) document.body.append(probe);
    probe.style.color = `var(${name})`; // light-dark() is resolved in the computed colour
    cache.set(name, getComputedStyle(probe).color);
  }
  return cache.get(name);
}

/** Chart.js text and grid lines in the theme's colours, now and on every theme change, when charts() are redrawn. */
export function chartsFollowTheme(Chart, charts) {
  const apply = () => {
    Chart.defaults.color = cssColor("--muted");
    Chart.defaults.borderColor = cssColor("--line");
  };
  apply();
  document.addEventListener("themechange", () => {
    apply();
    for (const chart of charts()) chart?.update("none");
  });
}

/** The colour of the index-th chart series (--series-1 to --series-8), as a scriptable chart.js option. */
export const seriesColor = (index) => () => cssColor(`--series-${(index % 8) + 1}`);
