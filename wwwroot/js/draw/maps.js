// Draws the layers of a prediction's details: feature maps as small images, vectors as grids of
// cells, F6 as its 7x12 bitmap beside the winning class's prototype, each layer with the legend of
// the range it is drawn on. The titles, the squashing amplitude and the prototypes come from the
// server's vocabulary.
import { vocabulary } from "../vocabulary.js";
import { labelledCanvas, paintValues, vectorColumns } from "../digit-canvas.js";
import { sequentialLegend } from "../colour-scales.js";

const { squash, boundedKinds, layers: TITLES, prototypes, prototypeWidth, prototypeHeight } = vocabulary;
const PROTOTYPE = prototypeWidth * prototypeHeight;

/** Squashed layers, and averages or maxima of them, lie in [-A, A]; any other layer is drawn on its own range. */
export function drawnRange(layer) {
  if (boundedKinds.includes(layer.kind)) return [-squash, squash];
  let lo = Infinity, hi = -Infinity;
  for (const v of layer.activations) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/** One small canvas showing values (row-major, width x height) as pixels. */
const pixelCanvas = (values, offset, width, height, lo, hi, label) =>
  paintValues(labelledCanvas(label, "map"), values, offset, width, height, lo, hi);

function figure(title, subtitle, extraClass) {
  const fig = document.createElement("figure");
  fig.className = "layer " + (extraClass || "");
  const cap = document.createElement("figcaption");
  cap.innerHTML = "<strong></strong> <span></span>";
  cap.querySelector("strong").textContent = title;
  cap.querySelector("span").textContent = subtitle;
  fig.appendChild(cap);
  const body = document.createElement("div");
  body.className = "layer-body";
  fig.appendChild(body);
  return [fig, body];
}

/** The layers worth showing: each paper layer after its squashing function. */
function shownLayers(layers) {
  const names = new Set(layers.map((l) => l.name));
  return layers.filter((l) => !names.has(l.name + ".tanh"));
}

function renderLayer(layer, result) {
  const base = layer.name.replace(/\.tanh$/, "");
  const [title, subtitle] = TITLES[base] || [base.toUpperCase(), layer.kind];
  const [lo, hi] = drawnRange(layer);
  const shape = layer.shape;
  const values = layer.activations;
  // [maps, height, width] with more than one pixel a map is drawn as images; anything else is a vector
  const spatial = shape.length === 3 && shape[1] * shape[2] > 1;
  const maps = spatial ? shape[0] : 1;
  const height = spatial ? shape[1] : 1;
  const width = spatial ? shape[2] : values.length;
  const size = height * width;
  const [fig, body] = figure(title, `${subtitle} · ${shape.join("x")}`, "layer-" + base);
  fig.dataset.layer = layer.name;
  const what = layer.name === "input" ? "value" : boundedKinds.includes(layer.kind) ? "activation, squashed" : "activation";
  fig.appendChild(sequentialLegend(lo, hi, `${title} ${what}`, "light, low", "dark, high"));

  if (base === "f6" && values.length === PROTOTYPE) {
    body.classList.add("f6-pair");
    body.appendChild(labelled(pixelCanvas(values, 0, prototypeWidth, prototypeHeight, lo, hi, `F6 output as a ${prototypeWidth}x${prototypeHeight} bitmap`), "F6 output"));
    if (result.distances) { // only an RBF output compares F6 with the prototypes
      const digit = result.digit;
      body.appendChild(labelled(pixelCanvas(prototypes, digit * PROTOTYPE, prototypeWidth, prototypeHeight, -1, 1, `Prototype bitmap of ${digit}`), `prototype of ${digit}`));
      fig.appendChild(sequentialLegend(-1, 1, "prototype pixel", "light, off", "dark, on"));
    }
    return fig;
  }
  if (spatial) {
    body.classList.add("map-grid");
    for (let m = 0; m < maps; m++) body.appendChild(pixelCanvas(values, m * size, width, height, lo, hi, `${title} map ${m + 1}`));
    return fig;
  }
  // a vector: a grid of cells, ten to a row for the output, otherwise about square
  const count = values.length;
  const columns = vectorColumns(count);
  const rows = Math.ceil(count / columns);
  const padded = Array.from({ length: columns * rows }, (_, i) => (i < count ? values[i] : lo));
  body.classList.add("vector");
  body.appendChild(pixelCanvas(padded, 0, columns, rows, lo, hi, `${title}: ${count} values`));
  return fig;
}

function labelled(canvas, text) {
  const wrap = document.createElement("div");
  wrap.className = "labelled";
  wrap.appendChild(canvas);
  const span = document.createElement("span");
  span.textContent = text;
  wrap.appendChild(span);
  return wrap;
}

function renderDistances(distances, digit) {
  const [fig, body] = figure(TITLES.rbf[0], TITLES.rbf[1], "layer-rbf");
  fig.dataset.layer = "rbf";
  const max = Math.max(...distances, 1e-6);
  const list = document.createElement("ol");
  list.className = "distances";
  list.start = 0;
  distances.forEach((d, i) => {
    const item = document.createElement("li");
    item.className = i === digit ? "winner" : "";
    item.innerHTML = `<span class="d-label">${i}</span><span class="d-bar"><span></span></span><span class="d-value"></span>`;
    item.querySelector(".d-bar span").style.width = `${Math.max(2, (100 * d) / max)}%`;
    item.querySelector(".d-value").textContent = d.toFixed(1);
    list.appendChild(item);
  });
  body.appendChild(list);
  return fig;
}

/** Replaces the contents of container with the layers of a details response. */
export function render(container, result) {
  const fragment = document.createDocumentFragment();
  for (const layer of shownLayers(result.layers || [])) fragment.appendChild(renderLayer(layer, result));
  if (result.distances) fragment.appendChild(renderDistances(result.distances, result.digit));
  container.replaceChildren(fragment);
}
