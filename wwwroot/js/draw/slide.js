// The sliding window: a C1 or C3 map computed position by position, as the kernel slides over its
// input maps (C1's the 32x32 input, C3's the S2 maps Table I connects it to), or an S2 or S4 map as
// its 2x2 window slides. Each step shows the window on the input maps, the patch, the element-wise
// products, the running sum (after each row of the window and each input map), the bias and the
// squashing, and lights the output unit in the output map being built. Every number is computed here
// from the details answer's input activations and the model's parameters, exactly as the engine's
// layer computes it (Convolution; Pooling's average, maximum or coefficient x sum + bias), so the
// finished map is the server's own, to the 4 decimals the details answer rounds activations to (the
// browser tests hold them to it).
//
// It plays by itself when opened unless the visitor asked for reduced motion: then it waits for Step
// (or an explicit Play, which is the visitor's own choice of motion).
import { vocabulary } from "../vocabulary.js";
import { labelledCanvas, paint, paintValues } from "../digit-canvas.js";
import { divergingLegend, divergingScale, inkOn, level, maxAbs, sequentialLegend } from "../colour-scales.js";
import { convKernels, kernelCanvas, weightLegend } from "./kernels.js";
import { drawnRange } from "./maps.js";

const { kernel: K, poolWindow: POOL, kinds, squash, squashSlope, layers: TITLES } = vocabulary;
const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
const f = (v) => v.toFixed(4);
const title = (name) => (TITLES[name.replace(/\.tanh$/, "")] || [name.toUpperCase()])[0];

/** The layer that computes base's weighted sum, its input, and what the page shows of it (after tanh when there is one). */
function layersOf(body, base) {
  const i = body.layers.findIndex((l) => l.name === base);
  if (i < 1) return null;
  const weighted = body.layers[i];
  const shown = body.layers.find((l) => l.name === `${base}.tanh`) || weighted;
  return { weighted, source: body.layers[i - 1], shown };
}

/** Whether the sliding window can show base's map: a convolution with its weights, or a pooling layer (with its coefficients when it has any). */
export function slidable(body, parameters, base) {
  const l = layersOf(body, base);
  if (!l || l.weighted.shape.length !== 3 || l.source.shape.length !== 3) return false;
  if (l.weighted.kind === kinds.conv || l.weighted.kind === kinds.subsample) return parameters.has(base);
  return l.weighted.kind === "avgpool" || l.weighted.kind === "maxpool";
}

/**
 * Every position of map m of base, computed: for a convolution each input map's patch and products
 * and the running sum after each row; for pooling the block; then the weighted sum and the output.
 */
function compute(body, parameters, base, m) {
  const { weighted, source, shown } = layersOf(body, base);
  const [, h, w] = weighted.shape;
  const [inMaps, ih, iw] = source.shape;
  const x = source.activations;
  const squashed = shown !== weighted;
  const out = (z) => (squashed ? squash * Math.tanh(squashSlope * z) : z);
  const p = parameters.get(base);
  const steps = [];
  if (weighted.kind === kinds.conv) {
    const kernels = convKernels(p, m, inMaps);
    const bias = p.tensors[1].values[m];
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      let running = 0;
      const inputs = kernels.map(({ input, weights }) => {
        const patch = [], products = [], rows = [];
        for (let kr = 0; kr < K; kr++) {
          for (let kc = 0; kc < K; kc++) {
            const v = x[input * ih * iw + (r + kr) * iw + c + kc];
            patch.push(v);
            products.push(weights[kr * K + kc] * v);
            running += weights[kr * K + kc] * v;
          }
          rows.push(running);
        }
        return { patch, products, rows };
      });
      const z = running + bias;
      steps.push({ r, c, inputs, z, y: out(z) });
    }
    return { kind: "conv", weighted, source, shown, squashed, h, w, m, bias, kernels, steps, size: K, weightScale: maxAbs(p.tensors[0].values) };
  }
  const coefficient = weighted.kind === kinds.subsample ? p.tensors[0].values[m] : null;
  const bias = weighted.kind === kinds.subsample ? p.tensors[1].values[m] : null;
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    const block = [];
    for (let br = 0; br < POOL; br++) for (let bc = 0; bc < POOL; bc++) block.push(x[m * ih * iw + (POOL * r + br) * iw + POOL * c + bc]);
    const sum = block.reduce((s, v) => s + v, 0);
    // the engine's Pooling.Forward: max of the block, or coefficient x sum + bias (1/4 and 0 for the average)
    const z = weighted.kind === "maxpool" ? Math.max(...block) : weighted.kind === kinds.subsample ? coefficient * sum + bias : 0.25 * sum;
    steps.push({ r, c, inputs: [{ patch: block }], sum, z, y: out(z) });
  }
  return { kind: weighted.kind, weighted, source, shown, squashed, h, w, m, coefficient, bias, kernels: [{ input: m }], steps, size: POOL };
}

/** A box over cells (r, c) to (r + size - 1, c + size - 1) of a map drawn height x width, placed in percent so it follows the map's drawn size. */
function place(box, r, c, size, height, width) {
  box.style.left = `${(100 * c) / width}%`;
  box.style.top = `${(100 * r) / height}%`;
  box.style.width = `${(100 * size) / width}%`;
  box.style.height = `${(100 * size) / height}%`;
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A map's canvas drawn large with a box that the window's steps move. */
function framedMap(canvas) {
  const frame = element("div", "slide-frame");
  canvas.classList.add("slide-map");
  const box = element("span", "slide-box");
  frame.append(canvas, box);
  return { frame, canvas, box };
}

/** A size x size grid of numbers, each row followed by the running sum after it when withRunning. */
function numberGrid(size, caption, cellClass, withRunning) {
  const table = element("table", "slide-grid");
  table.appendChild(element("caption", "", caption));
  const cells = [], running = [];
  for (let r = 0; r < size; r++) {
    const tr = table.insertRow();
    for (let c = 0; c < size; c++) cells.push(tr.appendChild(element("td", cellClass)));
    if (withRunning) running.push(tr.appendChild(element("td", "running")));
  }
  return { table, cells, running };
}

function setNumber(cell, value, digits = 3) {
  cell.dataset.value = String(value);
  cell.textContent = value.toFixed(digits).replace("-", "−");
}

export function createSlider(root) {
  const $ = (id) => root.querySelector(`#${id}`);
  const stage = $("slide-stage"), formula = $("slide-formula"), status = $("slide-status"), heading = $("slide-title");
  const stepButton = $("slide-step"), playButton = $("slide-play"), endButton = $("slide-end"), resetButton = $("slide-reset"), speed = $("slide-speed");
  let view = null; // the plan and its elements
  let position = 0;
  let timer = 0;
  let opener = null; // the button that opened the player, focused again when it closes

  const playing = () => root.dataset.playing === "true";

  function setPlaying(on) {
    clearTimeout(timer);
    root.dataset.playing = String(on);
    playButton.textContent = on ? "Pause" : "Play";
    // each position is announced when stepped by hand; while it plays the live region keeps quiet
    status.setAttribute("aria-live", on ? "off" : "polite");
    if (on) schedule();
  }

  function schedule() {
    timer = setTimeout(() => {
      if (!view || position >= view.plan.steps.length - 1) { setPlaying(false); return; }
      show(position + 1);
      schedule();
    }, Number(speed.value));
  }

  /** Builds the player's panels for a plan: input maps with their windows, patches, kernels, products, the formula and the output map. */
  function build(plan) {
    const { source, shown, kind } = plan;
    const [, ih, iw] = source.shape;
    const [lo, hi] = drawnRange(source);
    const [outLo, outHi] = drawnRange(shown);
    stage.replaceChildren();
    const inputs = plan.kernels.map(({ input, weights }) => {
      const fig = element("figure", "slide-input");
      fig.dataset.inputMap = String(input);
      const name = `${title(source.name)} map ${input}`;
      fig.appendChild(element("figcaption", "", name));
      const map = framedMap(paintValues(labelledCanvas(`${name}, with the window`), source.activations, input * ih * iw, iw, ih, lo, hi));
      const row = element("div", "slide-row");
      const patch = labelledCanvas(`the ${plan.size}x${plan.size} patch of ${name} under the window`, "slide-patch");
      row.append(map.frame, patch);
      let grid;
      if (kind === "conv") {
        row.append(element("span", "slide-op", "×"), kernelCanvas(weights, plan.weightScale, `kernel on ${name}`), element("span", "slide-op", "="));
        grid = numberGrid(K, "products kernel × patch; last column: the running sum after each row", "product", true);
      } else {
        grid = numberGrid(POOL, `the ${POOL}x${POOL} block`, "block", false);
      }
      fig.append(row, grid.table);
      stage.appendChild(fig);
      return { map, patch, grid };
    });
    const legends = element("div", "legends");
    legends.appendChild(sequentialLegend(lo, hi, `${title(source.name)} value`, "light, low", "dark, high"));
    let productColour = null;
    if (kind === "conv") {
      // the products on one scale for the whole map, so a colour means the same at every position
      const scale = maxAbs(plan.steps.flatMap((s) => s.inputs.flatMap((i) => i.products.map(Math.abs))));
      productColour = divergingScale(scale);
      legends.append(weightLegend(plan.weightScale, `${title(plan.weighted.name)} weight`),
        divergingLegend(scale, "product: negative ← 0 → positive"));
    }
    stage.appendChild(legends);
    const output = $("slide-output");
    output.replaceChildren();
    const outName = `${title(shown.name)} map ${plan.m}`;
    const outMap = framedMap(labelledCanvas(`${outName}, built position by position`)); // painted by show()
    outMap.frame.classList.add("slide-built");
    outMap.canvas.id = "slide-output-map";
    output.append(element("figcaption", "", `${outName}, built so far`), outMap.frame,
      sequentialLegend(outLo, outHi, `${title(shown.name)} ${plan.squashed ? "activation, squashed" : "activation"}`, "light, low", "dark, high"));
    return { plan, inputs, outMap, productColour, range: [lo, hi], outRange: [outLo, outHi] };
  }

  /** Shows position p: the windows, patches, products, running sums, formula, and the output map up to p. */
  function show(p) {
    position = p;
    const { plan, inputs, outMap, productColour, range, outRange } = view;
    const step = plan.steps[p];
    root.dataset.position = String(p);
    root.dataset.row = String(step.r);
    root.dataset.column = String(step.c);
    const stride = plan.kind === "conv" ? 1 : POOL;
    inputs.forEach(({ map, patch, grid }, j) => {
      const [, ih, iw] = plan.source.shape;
      place(map.box, step.r * stride, step.c * stride, plan.size, ih, iw);
      const values = step.inputs[j];
      paintValues(patch, values.patch, 0, plan.size, plan.size, ...range);
      const shownValues = plan.kind === "conv" ? values.products : values.patch;
      grid.cells.forEach((cell, k) => {
        setNumber(cell, shownValues[k]);
        cell.title = plan.kind === "conv" ? `${f(plan.kernels[j].weights[k])} × ${f(values.patch[k])}` : "";
        if (productColour) {
          const rgb = productColour(shownValues[k]);
          cell.style.background = `rgb(${rgb.join(",")})`;
          cell.style.color = inkOn(rgb);
        }
      });
      grid.running.forEach((cell, k) => setNumber(cell, values.rows[k]));
    });
    writeFormula(plan, step);
    // the output map: the positions computed so far, the rest left open
    const [lo, hi] = outRange;
    paint(outMap.canvas, plan.w, plan.h, (i) => (i <= p ? [...level(plan.steps[i].y, lo, hi), 255] : [0, 0, 0, 0]));
    outMap.canvas.dataset.built = String(p + 1);
    place(outMap.box, step.r, step.c, 1, plan.h, plan.w);
    status.textContent = `Position ${p + 1} of ${plan.steps.length}: row ${step.r}, column ${step.c}; output ${f(step.y)}.`;
    // at the last position Step and To the end have nothing left to do; they stay focusable (aria-disabled)
    const last = p >= plan.steps.length - 1;
    for (const b of [stepButton, endButton]) b.setAttribute("aria-disabled", String(last));
    if (last && playing()) setPlaying(false);
  }

  function writeFormula(plan, step) {
    formula.replaceChildren();
    const line = (text, id, value) => {
      const e = formula.appendChild(element("p", "formula", text));
      if (id) { e.id = id; e.dataset.value = String(value); }
      return e;
    };
    const name = title(plan.source.name);
    if (plan.kind === "conv") {
      let before = 0;
      plan.kernels.forEach(({ input }, j) => {
        const total = step.inputs[j].rows[K - 1];
        line(`${name} map ${input}: Σ kernel × patch = ${f(total - before)}; running sum ${f(total)}`);
        before = total;
      });
      line(`+ bias ${f(plan.bias)} = weighted sum ${f(step.z)}`, "slide-sum", step.z);
    } else if (plan.kind === "maxpool") {
      line(`the largest of the 4 = ${f(step.z)}`, "slide-sum", step.z);
    } else {
      line(`Σ block = ${step.inputs[0].patch.map(f).join(" + ")} = ${f(step.sum)}`, "slide-block-sum", step.sum);
      line(plan.kind === kinds.subsample
        ? `coefficient ${f(plan.coefficient)} × ${f(step.sum)} + bias ${f(plan.bias)} = weighted sum ${f(step.z)}`
        : `average = ${f(step.sum)} / ${POOL * POOL} = ${f(step.z)} (no weights)`, "slide-sum", step.z);
    }
    if (plan.squashed) line(`output = ${squash} · tanh(${squashSlope.toFixed(4)} × ${f(step.z)}) = ${f(step.y)}`, "slide-out", step.y);
    else line(`output = ${f(step.y)}`, "slide-out", step.y);
  }

  /** Opens the player on map m of layer base (its weighted name: c1, s2, c3, s4), from the details answer and the model's parameters. */
  function open(body, parameters, base, m, from) {
    if (!slidable(body, parameters, base)) return;
    opener = from || opener;
    const plan = compute(body, parameters, base, m);
    root.hidden = false;
    root.dataset.state = "open";
    root.dataset.layer = base;
    root.dataset.map = String(m);
    root.dataset.kind = plan.kind;
    root.dataset.inputs = plan.kernels.map((k) => k.input).join(",");
    root.dataset.positions = String(plan.steps.length);
    const what = plan.kind === "conv"
      ? `The ${K}x${K} kernel slides over ${plan.kernels.length === 1 ? `the ${title(plan.source.name)} map` : `${title(plan.source.name)} maps ${plan.kernels.map((k) => k.input).join(", ")} (the maps Table I connects to this one)`}, one position at a time.`
      : `The ${POOL}x${POOL} window slides over ${title(plan.source.name)} map ${m} in steps of ${POOL}.`;
    heading.textContent = `${title(plan.shown.name)} map ${m}, computed`;
    $("slide-what").textContent = what;
    view = build(plan);
    setPlaying(false);
    show(0);
    heading.focus();
    if (!reducedMotion.matches) setPlaying(true);
  }

  /** A new answer (a new drawing, another model): the open player follows it at the same position, or closes when the layer is gone. */
  function update(body, parameters) {
    if (!view) return;
    const base = root.dataset.layer, m = Number(root.dataset.map);
    if (!slidable(body, parameters, base)) { close(); return; }
    const wasPlaying = playing();
    const at = position;
    view = build(compute(body, parameters, base, m));
    show(Math.min(at, view.plan.steps.length - 1));
    if (wasPlaying) setPlaying(true);
  }

  function close() {
    setPlaying(false);
    view = null;
    root.hidden = true;
    root.dataset.state = "closed";
    stage.replaceChildren();
    if (opener?.isConnected) opener.focus();
  }

  stepButton.addEventListener("click", () => {
    if (!view) return;
    setPlaying(false);
    show(Math.min(position + 1, view.plan.steps.length - 1));
  });
  playButton.addEventListener("click", () => {
    if (!view) return;
    if (!playing() && position >= view.plan.steps.length - 1) show(0); // Play at the end plays it again
    setPlaying(!playing());
  });
  endButton.addEventListener("click", () => {
    if (!view) return;
    setPlaying(false);
    show(view.plan.steps.length - 1);
  });
  resetButton.addEventListener("click", () => {
    if (!view) return;
    setPlaying(false);
    show(0);
  });
  $("slide-close").addEventListener("click", close);
  speed.addEventListener("change", () => { if (playing()) setPlaying(true); });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  return { open, update, close };
}
