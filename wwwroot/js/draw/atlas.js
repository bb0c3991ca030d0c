// The atlas: the 10,000 MNIST test digits placed by the model's own features (GET
// /api/models/{id}/atlas: UMAP of F6's outputs), coloured by their true label, the model's mistakes
// ringed, and the visitor's drawing as a large dot that moves as they draw (each details answer's
// "atlas" place). Hover or tap a point, or focus the map and move with the arrow keys, to see that
// digit, its label and the model's answer; Enter or the link opens it in the layer view.
import { getJson, problemText } from "./api.js";
import { drawDigit } from "../digit-canvas.js";
import { DIGIT_COLOURS } from "../colour-scales.js";
import { cssColor } from "../theme-colors.js";
import { testFragment } from "./share.js";

/** Blank CSS pixels around the points, so the outermost ones and the drawing's dot are drawn whole. */
export const INSET = 12;
const HOVER_RADIUS = 10; // CSS pixels: how near the pointer must be to pick a point

export function createAtlas({ root, map, key, detail, status }, { model }) {
  let atlas = null; // { model, points, bounds }
  let loading = null;
  let drawing = null; // { x, y } of the visitor's input on the map
  let selected = -1;
  const ctx = map.getContext("2d");

  key.replaceChildren(...DIGIT_COLOURS.map((colour, digit) => keyItem(colour, String(digit), "dot")),
    keyItem("", "a mistake: the model reads another digit", "ring"), keyItem("", "your drawing", "you"));

  /** Loads the map of the model (once per model); resolves true when it is ready. */
  async function load() {
    const id = model();
    if (!id) return false;
    if (atlas?.model === id) return true;
    if (loading?.model === id) return loading.promise;
    root.dataset.state = "loading";
    status.textContent = "Placing the 10,000 test digits (the first time for a model takes a few seconds)…";
    const promise = getJson(`/api/models/${encodeURIComponent(id)}/atlas`).then((answer) => {
      if (model() !== id) return false; // another model was chosen meanwhile
      loading = null;
      if (!answer.ok) {
        root.dataset.state = "error";
        status.textContent = problemText(answer);
        return false;
      }
      atlas = { model: id, points: answer.body.points, bounds: boundsOf(answer.body.points) };
      selected = -1;
      root.dataset.state = "ready";
      root.dataset.model = id;
      status.textContent = "";
      map.dataset.bounds = atlas.bounds.join(" ");
      draw();
      return true;
    });
    loading = { model: id, promise };
    return promise;
  }

  /** A details answer: its place on the map, when the map it was placed on is the one shown. */
  function update(body) {
    drawing = body.atlas && body.model === atlas?.model ? body.atlas : null;
    if (drawing) {
      root.dataset.x = String(drawing.x);
      root.dataset.y = String(drawing.y);
      const near = nearest(drawing.x, drawing.y, 5);
      map.setAttribute("aria-label", `Map of the 10,000 MNIST test digits; your drawing lies among ${describeNeighbours(near)}. Use the arrow keys to visit digits.`);
    } else {
      delete root.dataset.x;
      delete root.dataset.y;
    }
    draw();
  }

  function clear() {
    drawing = null;
    delete root.dataset.x;
    delete root.dataset.y;
    draw();
  }

  function describeNeighbours(indices) {
    const counts = new Map();
    for (const i of indices) counts.set(atlas.points[i].label, (counts.get(atlas.points[i].label) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([label, n]) => `${n} ${n === 1 ? "digit" : "digits"} labelled ${label}`).join(", ");
  }

  // ---- drawing ----

  function boundsOf(points) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of points) {
      minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
    }
    return [minX, minY, maxX, maxY];
  }

  /** Map units to CSS pixels of the canvas (y up, as on a chart), keeping the map's aspect. */
  function toScreen(x, y) {
    const [minX, minY, maxX, maxY] = atlas.bounds;
    const w = map.clientWidth, h = map.clientHeight;
    const scale = Math.min((w - 2 * INSET) / (maxX - minX || 1), (h - 2 * INSET) / (maxY - minY || 1));
    const ox = (w - scale * (maxX - minX)) / 2, oy = (h - scale * (maxY - minY)) / 2;
    return [ox + (x - minX) * scale, h - oy - (y - minY) * scale];
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const w = map.clientWidth, h = map.clientHeight;
    if (map.width !== Math.round(w * ratio) || map.height !== Math.round(h * ratio)) {
      map.width = Math.round(w * ratio);
      map.height = Math.round(h * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!atlas) return;
    const { points } = atlas;
    ctx.globalAlpha = 0.75;
    for (const p of points) {
      const [sx, sy] = toScreen(p.x, p.y);
      ctx.fillStyle = DIGIT_COLOURS[p.label];
      ctx.fillRect(sx - 1.5, sy - 1.5, 3, 3);
    }
    ctx.globalAlpha = 1;
    // each cluster's label at its median, so the colours need not be told apart
    ctx.font = "600 15px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (let digit = 0; digit < 10; digit++) {
      const own = points.filter((p) => p.label === digit && p.predicted === digit);
      if (!own.length) continue;
      const [sx, sy] = toScreen(median(own.map((p) => p.x)), median(own.map((p) => p.y)));
      ctx.lineWidth = 3;
      ctx.strokeStyle = cssColor("--panel");
      ctx.strokeText(String(digit), sx, sy);
      ctx.fillStyle = cssColor("--ink");
      ctx.fillText(String(digit), sx, sy);
    }
    ctx.strokeStyle = cssColor("--ink");
    ctx.lineWidth = 1.2;
    for (const p of points) {
      if (p.predicted === p.label) continue;
      const [sx, sy] = toScreen(p.x, p.y);
      ctx.beginPath();
      ctx.arc(sx, sy, 3.5, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (selected >= 0) {
      const [sx, sy] = toScreen(points[selected].x, points[selected].y);
      ctx.strokeStyle = cssColor("--accent");
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.arc(sx, sy, 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (drawing) {
      const [sx, sy] = toScreen(drawing.x, drawing.y);
      ctx.beginPath();
      ctx.arc(sx, sy, 8, 0, 2 * Math.PI);
      ctx.fillStyle = cssColor("--accent");
      ctx.fill();
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = cssColor("--ink");
      ctx.stroke();
    }
  }

  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];

  /** The indices of the k points nearest (x, y) on the map, nearest first. */
  function nearest(x, y, k) {
    return atlas.points.map((p, i) => [(p.x - x) ** 2 + (p.y - y) ** 2, i]).sort((a, b) => a[0] - b[0]).slice(0, k).map(([, i]) => i);
  }

  // ---- choosing a point ----

  function pick(event) {
    if (!atlas) return;
    const rect = map.getBoundingClientRect();
    const x = event.clientX - rect.left - map.clientLeft, y = event.clientY - rect.top - map.clientTop; // inside the border
    let best = -1, bestD = HOVER_RADIUS ** 2;
    atlas.points.forEach((p, i) => {
      const [sx, sy] = toScreen(p.x, p.y);
      const d = (sx - x) ** 2 + (sy - y) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    });
    if (best >= 0) select(best);
  }

  async function select(index) {
    selected = index;
    draw();
    const p = atlas.points[index];
    root.dataset.selected = String(index);
    const verdict = p.predicted === p.label ? `read as ${p.predicted}` : `read as ${p.predicted}, a mistake`;
    const canvas = detail.querySelector("canvas");
    detail.querySelector(".atlas-caption").textContent = `Test digit ${p.index}, labelled ${p.label}, ${verdict}.`;
    const link = detail.querySelector("a");
    link.href = testFragment(p.index, atlas.model);
    link.hidden = false;
    detail.hidden = false;
    const answer = await getJson(`/api/mnist/test/${p.index}`);
    if (answer.ok && selected === index) {
      drawDigit(canvas, answer.body.pixels);
      canvas.setAttribute("aria-label", `MNIST test digit ${p.index}`);
    }
  }

  /** The nearest point from the selected one whose direction is within 45 degrees of (dx, dy) on screen. */
  function step(dx, dy) {
    if (!atlas) return;
    const from = selected >= 0 ? atlas.points[selected] : null;
    if (!from) {
      const [cx, cy] = drawing ? [drawing.x, drawing.y] : [(atlas.bounds[0] + atlas.bounds[2]) / 2, (atlas.bounds[1] + atlas.bounds[3]) / 2];
      select(nearest(cx, cy, 1)[0]);
      return;
    }
    const [fx, fy] = toScreen(from.x, from.y);
    let best = -1, bestD = Infinity;
    atlas.points.forEach((p, i) => {
      if (i === selected) return;
      const [sx, sy] = toScreen(p.x, p.y);
      const along = (sx - fx) * dx + (sy - fy) * dy, across = Math.abs((sx - fx) * dy - (sy - fy) * dx);
      if (along <= 0 || across > along) return;
      const d = along + 2 * across; // prefer points straight ahead
      if (d < bestD) { bestD = d; best = i; }
    });
    if (best >= 0) select(best);
  }

  const KEYS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  map.addEventListener("keydown", (event) => {
    if (KEYS[event.key]) {
      event.preventDefault();
      step(...KEYS[event.key]);
    } else if (event.key === "Enter" && selected >= 0) {
      event.preventDefault();
      location.hash = testFragment(atlas.points[selected].index, atlas.model);
    } else if (event.key === "Escape") {
      selected = -1;
      delete root.dataset.selected;
      detail.hidden = true;
      draw();
    }
  });
  map.addEventListener("pointermove", (event) => { if (event.pointerType === "mouse") pick(event); });
  map.addEventListener("pointerdown", pick);
  new ResizeObserver(() => draw()).observe(map);
  document.addEventListener("themechange", () => draw());

  /** Another model answers now: its map loads after its first answer. */
  function modelChanged() {
    atlas = null;
    drawing = null;
    selected = -1;
    detail.hidden = true;
    root.dataset.state = "idle";
    draw();
  }

  return { load, update, clear, modelChanged, ready: () => atlas !== null && atlas.model === model() };
}

function keyItem(colour, text, kind) {
  const item = document.createElement("li");
  const mark = document.createElement("span");
  mark.className = `atlas-mark atlas-mark-${kind}`;
  if (colour) mark.style.background = colour;
  mark.setAttribute("aria-hidden", "true");
  item.append(mark, document.createTextNode(text));
  return item;
}
