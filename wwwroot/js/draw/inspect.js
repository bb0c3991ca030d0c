// Inspecting a unit: hover (mouse), tap (touch) or focus and arrow keys (keyboard) on any unit of the
// maps. Its receptive field is traced back through every layer to the input (through C3's connection
// table: an S2 map that does not feed the unit is not lit), and the inspector shows its kernels, bias,
// weighted sum and squashed output as the server computed them (the details answer's pre- and
// post-tanh activations; the kernels from GET /api/models/{id}/parameters). A click pins the unit (so
// the pointer can travel to the panel over other units), and from a C1, S2, C3 or S4 unit the panel
// opens the sliding window (slide.js) that computes the unit's whole map.
import { vocabulary } from "../vocabulary.js";
import { convKernels, kernelCanvas, loadParameters, weightLegend } from "./kernels.js";
import { slidable } from "./slide.js";
import { vectorColumns } from "../digit-canvas.js";
import { maxAbs } from "../colour-scales.js";

const { kernel: K, poolWindow: POOL, kinds, squash, squashSlope, prototypeWidth } = vocabulary;

/** [maps, height, width] of a layer's shape; vectors are [n, 1, 1]. */
const dims = (shape) => (shape.length === 3 ? shape : [shape[0], 1, 1]);

/** The input region of layer i for the region of its output: conv and pooling reach back, tanh is one to one, fc sees all. */
function reachBack(layer, input, region, parameters) {
  const [maps, height, width] = dims(input.shape);
  if (layer.kind === kinds.tanh) return region;
  if (layer.kind === kinds.fc) return { maps: new Set([...Array(maps).keys()]), r0: 0, r1: height - 1, c0: 0, c1: width - 1 };
  if (layer.kind === kinds.conv) {
    const table = parameters.get(layer.name)?.table;
    const fed = new Set();
    for (const o of region.maps) for (const m of table ? table[o] : [...Array(maps).keys()]) fed.add(m);
    return { maps: fed, r0: region.r0, r1: region.r1 + K - 1, c0: region.c0, c1: region.c1 + K - 1 };
  }
  return { maps: region.maps, r0: region.r0 * POOL, r1: region.r1 * POOL + POOL - 1, c0: region.c0 * POOL, c1: region.c1 * POOL + POOL - 1 };
}

/** Every layer's region that feeds unit (m, r, c) of layer index i, by layer name. */
function receptiveFields(layers, i, unit, parameters) {
  const regions = new Map();
  let region = { maps: new Set([unit.m]), r0: unit.r, r1: unit.r, c0: unit.c, c1: unit.c };
  regions.set(layers[i].name, { ...region, self: true });
  for (let l = i; l >= 1; l--) {
    region = reachBack(layers[l], layers[l - 1], region, parameters);
    regions.set(layers[l - 1].name, region);
  }
  return regions;
}

export function createInspector({ maps, inspector, slider }) {
  let body = null;
  let parameters = new Map();
  let current = null; // { figure, canvasIndex, r, c }
  let pinned = null; // the canvas a click pinned the inspector to: the pointer passing over other units leaves it be

  async function update(answer) {
    body = answer;
    pinned = null; // the maps are drawn anew
    parameters = await loadParameters(answer.model);
    for (const fig of maps.querySelectorAll("figure.layer")) {
      if (!inspectable(fig.dataset.layer)) continue;
      fig.classList.add("inspectable");
      fig.querySelectorAll("canvas.map").forEach((canvas, index) => {
        if (fig.dataset.layer.startsWith("f6") && index > 0) return; // the prototype is no unit
        canvas.tabIndex = 0;
        canvas.dataset.unitMap = String(index);
      });
    }
    if (current) {
      const fig = maps.querySelector(`figure[data-layer="${current.layer}"]`);
      const canvas = fig?.querySelectorAll("canvas.map")[current.index];
      if (canvas) show(canvas, current.r, current.c);
    }
  }

  function inspectable(name) {
    if (!body || !name || name === "input" || name === "rbf" || name === "output") return false;
    return body.layers.some((l) => l.name === name);
  }

  /** The unit under a canvas pixel: (map, row, column) of the layer's output. */
  function unitAt(canvas, r, c) {
    const fig = canvas.closest("figure");
    const index = Number(canvas.dataset.unitMap);
    const layer = body.layers.find((l) => l.name === fig.dataset.layer);
    const [mapCount] = dims(layer.shape);
    if (layer.shape.length === 3 && layer.shape[1] * layer.shape[2] > 1) return { layer, m: index, r, c };
    const unit = r * canvas.width + c; // a vector drawn as a grid, F6 as its bitmap
    return unit < mapCount ? { layer, m: unit, r: 0, c: 0 } : null;
  }

  function show(canvas, r, c) {
    const unit = unitAt(canvas, r, c);
    if (!unit) return;
    current = { layer: unit.layer.name, index: Number(canvas.dataset.unitMap), r, c };
    const i = body.layers.indexOf(unit.layer);
    highlight(receptiveFields(body.layers, i, unit, parameters));
    describe(unit, i);
  }

  function highlight(regions) {
    maps.querySelectorAll(".rf-box").forEach((b) => b.remove());
    maps.querySelectorAll("canvas.feeds, canvas.inspected").forEach((c) => c.classList.remove("feeds", "inspected"));
    for (const fig of maps.querySelectorAll("figure.layer")) {
      const region = regions.get(fig.dataset.layer);
      if (!region) continue;
      const layer = body.layers.find((l) => l.name === fig.dataset.layer);
      const spatial = layer.shape.length === 3 && layer.shape[1] * layer.shape[2] > 1;
      const canvases = [...fig.querySelectorAll("canvas.map")];
      if (!spatial) {
        canvases[0]?.classList.add(region.self ? "inspected" : "feeds");
        if (region.self) box(canvases[0], ...cell(canvases[0], [...region.maps][0]));
        continue;
      }
      for (const m of region.maps) {
        const canvas = canvases[m];
        if (!canvas) continue;
        canvas.classList.add(region.self ? "inspected" : "feeds");
        box(canvas, region.r0, region.c0, region.r1, region.c1);
      }
    }
  }

  // a vector's unit i is cell (row, column) of its grid
  const cell = (canvas, i) => [Math.floor(i / canvas.width), i % canvas.width, Math.floor(i / canvas.width), i % canvas.width];

  function box(canvas, r0, c0, r1, c1) {
    const b = document.createElement("span");
    b.className = "rf-box";
    const sx = canvas.clientWidth / canvas.width, sy = canvas.clientHeight / canvas.height;
    b.style.left = `${canvas.offsetLeft + c0 * sx}px`;
    b.style.top = `${canvas.offsetTop + r0 * sy}px`;
    b.style.width = `${(c1 - c0 + 1) * sx}px`;
    b.style.height = `${(r1 - r0 + 1) * sy}px`;
    canvas.parentElement.appendChild(b);
  }

  /** The inspector's text: where the unit is, what feeds it, its kernels, bias, weighted sum and output. */
  function describe(unit, i) {
    const layers = body.layers;
    const base = unit.layer.name.replace(/\.tanh$/, "");
    const weighted = layers.find((l) => l.name === base);
    const wi = layers.indexOf(weighted);
    const [, h, w] = dims(weighted.shape);
    const at = unit.m * h * w + unit.r * w + unit.c;
    const sum = weighted.activations[at];
    const out = unit.layer.activations[at];
    const source = layers[wi - 1];
    const p = parameters.get(base);
    const where = h * w > 1 ? `map ${unit.m}, row ${unit.r}, column ${unit.c}` : `unit ${unit.m}`;
    inspector.replaceChildren();
    inspector.dataset.state = "shown";
    inspector.dataset.layer = base;
    inspector.dataset.map = String(unit.m);
    const title = document.createElement("h3");
    title.textContent = `${base.toUpperCase()} ${where}`;
    inspector.appendChild(title);
    const text = (t, cls) => { const e = document.createElement("p"); e.textContent = t; if (cls) e.className = cls; inspector.appendChild(e); return e; };
    const f = (v) => v.toFixed(4);
    const squashed = unit.layer.kind === kinds.tanh;
    if (weighted.kind === kinds.conv && p) {
      const weights = p.tensors[0].values, bias = p.tensors[1].values[unit.m];
      const [inMaps, ih, iw] = dims(source.shape);
      const kernels = convKernels(p, unit.m, inMaps);
      const feeds = kernels.map((k) => k.input);
      const strip = document.createElement("div");
      strip.className = "kernel-strip";
      const scale = maxAbs(weights); // the layer's, as the kernels panel draws them
      strip.dataset.scale = String(scale);
      const terms = kernels.map(({ input: m, weights: k }) => {
        let dot = 0;
        for (let r = 0; r < K; r++) for (let c = 0; c < K; c++) dot += k[r * K + c] * source.activations[m * ih * iw + (unit.r + r) * iw + unit.c + c];
        const wrap = document.createElement("figure");
        wrap.appendChild(kernelCanvas(k, scale, `kernel on ${source.name} map ${m}`));
        const cap = document.createElement("figcaption");
        cap.textContent = `${source.name} ${m}: ${f(dot)}`;
        wrap.appendChild(cap);
        strip.appendChild(wrap);
        return dot;
      });
      text(`Sees ${feeds.length === inMaps ? `every ${source.name} map` : `${feeds.length} of the ${inMaps} ${source.name} maps`}` +
        `${p.table ? ` (${feeds.join(", ")}, the paper's Table I)` : ""}, a ${K}x${K} patch of each: one kernel per map it sees.`);
      inspector.append(strip, weightLegend(scale, `${base.toUpperCase()} weight`));
      text(`weighted sum = bias + Σ kernel · patch = ${f(bias)} + ${terms.map(f).join(" + ")} = ${f(sum)}`, "formula");
    } else if (weighted.kind === kinds.fc && p) {
      const n = dims(source.shape)[0];
      const row = p.tensors[0].values.slice(unit.m * n, (unit.m + 1) * n);
      const bias = p.tensors[1].values[unit.m];
      text(`Sees all ${n} outputs of ${source.name}, one weight each:`);
      const scale = maxAbs(p.tensors[0].values);
      inspector.append(kernelCanvas(row, scale, `${n} weights of ${base} unit ${unit.m}`, vectorColumns(n)), weightLegend(scale, `${base.toUpperCase()} weight`));
      text(`weighted sum = bias + Σ w · x = ${f(bias)} + ${f(sum - bias)} = ${f(sum)}`, "formula");
    } else if (weighted.kind === kinds.subsample && p) {
      const coefficient = p.tensors[0].values[unit.m], bias = p.tensors[1].values[unit.m];
      text(`Adds the ${POOL}x${POOL} block of ${source.name} map ${unit.m} under it, times a trained coefficient, plus a bias.`);
      text(`weighted sum = ${f(coefficient)} × Σ block + ${f(bias)} = ${f(sum)}`, "formula");
    } else if (weighted.kind === kinds.conv || weighted.kind === kinds.fc || weighted.kind === kinds.subsample) {
      text(`weighted sum = ${f(sum)}; this layer's weights are too many to show here (they are in the model file).`, "formula");
    } else {
      text(`${weighted.kind === "maxpool" ? "The largest" : "The average"} of the ${POOL}x${POOL} block of ${source.name} map ${unit.m} under it: ${f(sum)} (no weights).`, "formula");
    }
    if (squashed) text(`output = ${squash} · tanh(${squashSlope.toFixed(4)} × ${f(sum)}) = ${f(out)}`, "formula");
    if (h * w > 1 && slidable(body, parameters, base)) {
      const watch = document.createElement("button");
      watch.type = "button";
      watch.className = "btn watch";
      watch.textContent = `Watch ${weighted.kind === kinds.conv ? "the kernel" : `the ${POOL}x${POOL} window`} slide to compute ${base.toUpperCase()} map ${unit.m}`;
      watch.addEventListener("click", () => slider.open(body, parameters, base, unit.m, watch));
      inspector.appendChild(watch);
    }
    if (base === "f6" && prototypeWidth) text(`F6 unit ${unit.m} is pixel (${Math.floor(unit.m / prototypeWidth)}, ${unit.m % prototypeWidth}) of the 7x12 bitmap compared with each prototype.`, "muted");
  }

  function pointer(event) {
    const canvas = event.target.closest?.("canvas[data-unit-map]");
    if (!canvas || !body) return;
    if (event.type === "pointermove" && pinned) return;
    if (event.type === "pointerdown") pinned = event.pointerType === "mouse" && pinned !== canvas ? canvas : null; // a click pins, a second click frees
    const rect = canvas.getBoundingClientRect();
    const c = Math.min(canvas.width - 1, Math.floor(((event.clientX - rect.left) / rect.width) * canvas.width));
    const r = Math.min(canvas.height - 1, Math.floor(((event.clientY - rect.top) / rect.height) * canvas.height));
    show(canvas, Math.max(0, r), Math.max(0, c));
  }

  maps.addEventListener("pointermove", pointer);
  maps.addEventListener("pointerdown", pointer);
  maps.addEventListener("focusin", (event) => {
    const canvas = event.target.closest?.("canvas[data-unit-map]");
    if (!canvas || !body || canvas === pinned) return; // a click's focus keeps the clicked unit
    pinned = null;
    show(canvas, Math.floor(canvas.height / 2), Math.floor(canvas.width / 2));
  });
  maps.addEventListener("keydown", (event) => {
    const canvas = event.target.closest?.("canvas[data-unit-map]");
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!canvas || !current || !moves[event.key]) return;
    event.preventDefault();
    const [dr, dc] = moves[event.key];
    show(canvas, Math.min(canvas.height - 1, Math.max(0, current.r + dr)), Math.min(canvas.width - 1, Math.max(0, current.c + dc)));
  });

  return { update: async (answer) => { await update(answer); slider.update(answer, parameters); } };
}
