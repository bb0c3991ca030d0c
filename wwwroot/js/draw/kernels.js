// The model's weights (GET /api/models/{id}/parameters, fetched once per model) and their images:
// kernels as small images on the diverging scale (red positive, blue negative), each layer's with its
// legend; C3's laid out as the paper's Table I.
import { vocabulary } from "../vocabulary.js";
import { labelledCanvas, paint } from "../digit-canvas.js";
import { divergingLegend, divergingScale, maxAbs } from "../colour-scales.js";
import { getJson } from "./api.js";

const { kernel: K } = vocabulary;
const cache = new Map();

/** The layers with parameters of a model, by name: { kind, tensors: [{ name, shape, values }], table }. */
export function loadParameters(model) {
  if (!cache.has(model)) {
    cache.set(model, getJson(`/api/models/${encodeURIComponent(model)}/parameters`).then(({ ok, status, body }) => {
      if (status === 0) cache.delete(model); // out of reach: asked again next time
      if (!ok) return new Map();
      // a layer too large for one answer comes without its values (named in 'omitted'): left out here
      return new Map(body.layers.filter((l) => !body.omitted?.includes(l.name)).map((l) => [l.name, l]));
    }));
  }
  return cache.get(model);
}

/**
 * The kernels of output map m of convolution layer p (as loadParameters gives it), one per input map
 * it sees: every one of inputMaps, or C3's through its connection table (the paper's Table I), whose
 * kernels are stored map after map in the table's order.
 */
export function convKernels(p, m, inputMaps) {
  const feeds = p.table ? p.table[m] : [...Array(inputMaps).keys()];
  const first = p.table ? p.table.slice(0, m).reduce((n, row) => n + row.length, 0) : m * inputMaps;
  const weights = p.tensors[0].values;
  return feeds.map((input, j) => ({ input, weights: weights.slice((first + j) * K * K, (first + j + 1) * K * K) }));
}

/** Weights as a width-wide image on a diverging scale [-scale, scale]. */
export function kernelCanvas(values, scale, label, width = K) {
  const canvas = labelledCanvas(label, "kernel");
  canvas.title = label;
  const colour = divergingScale(scale);
  return paint(canvas, width, Math.ceil(values.length / width), (i) => {
    if (i >= values.length) return [0, 0, 0, 0]; // the last row's cells past the end
    return [...colour(values[i]), 255];
  });
}

/** The legend of weights drawn on [-scale, scale]. */
export const weightLegend = (scale, what) =>
  divergingLegend(scale, `${what}: negative ← 0 → positive`, { low: "blue, negative", high: "red, positive" });

/** C1's kernels in a row, then C3's as Table I: a column per C3 map, a row per S2 map, blank where unconnected. */
export async function renderKernels(container, model) {
  const parameters = await loadParameters(model);
  const c1 = parameters.get("c1"), c3 = parameters.get("c3");
  container.replaceChildren();
  if (!c1 || !c3) return;
  container.dataset.model = model;
  const c1Weights = c1.tensors[0].values;
  const row = document.createElement("div");
  row.className = "kernel-row";
  row.innerHTML = "<h3>C1: 6 kernels over the input</h3>";
  const c1Scale = maxAbs(c1Weights);
  row.dataset.scale = String(c1Scale);
  for (let m = 0; m < 6; m++) row.appendChild(kernelCanvas(c1Weights.slice(m * K * K, (m + 1) * K * K), c1Scale, `C1 kernel ${m}`));
  row.appendChild(weightLegend(c1Scale, "C1 weight"));
  container.appendChild(row);

  const weights = c3.tensors[0].values, scale = maxAbs(weights), table = c3.table;
  const inputs = Math.max(...table.flat()) + 1;
  const grid = document.createElement("div");
  grid.className = "table-one";
  grid.id = "table-one";
  grid.dataset.scale = String(scale);
  grid.style.gridTemplateColumns = `auto repeat(${table.length}, minmax(0, 1fr))`;
  const head = (text) => { const e = document.createElement("span"); e.className = "t-head"; e.textContent = text; grid.appendChild(e); };
  head("S2 \\ C3");
  table.forEach((_, o) => head(String(o)));
  const start = [];
  table.reduce((k, feeds, o) => { start[o] = k; return k + feeds.length; }, 0);
  for (let i = 0; i < inputs; i++) {
    head(String(i));
    table.forEach((feeds, o) => {
      const j = feeds.indexOf(i);
      const cell = document.createElement("span");
      cell.className = "t-cell";
      if (j >= 0) {
        const k = start[o] + j;
        cell.appendChild(kernelCanvas(weights.slice(k * K * K, (k + 1) * K * K), scale, `C3 map ${o} kernel on S2 map ${i}`));
        cell.dataset.connected = "true";
      }
      grid.appendChild(cell);
    });
  }
  const title = document.createElement("h3");
  title.textContent = `C3: ${weights.length / (K * K)} kernels, as the paper's Table I`;
  container.append(title, weightLegend(scale, "C3 weight"), grid);
}
