// Why this digit (POST /api/explain: the saliency map, over the prepared digit and over the drawing),
// nudge it (POST /api/explain/nudge: the small change that makes the network read another digit) and
// the dreams (GET /api/models/{id}/dreams: what the network thinks each digit looks like), each
// with the legend of its colours.
import { vocabulary } from "../vocabulary.js";
import { digitCanvas, drawSaliency, inkLegend, PIXELS, SALIENCY_GAMMA, SIDE } from "../digit-canvas.js";
import { divergingLegend } from "../colour-scales.js";
import { getJson, postJson, problemText } from "./api.js";

const { nudge: NUDGE } = vocabulary;

/** The bounding box of the ink: of the prepared 28x28, or of the pad's pixels. */
function inkBox(values, width, height, inked) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    if (!inked(values, y * width + x)) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

export function createExplainer(elements, { model, input, showPixels }) {
  const { answerButton, runnerButton, onPad, figure, map, caption, padCanvas, padOverlay, nudgeTargets, nudge, dreams } = elements;
  let last = null; // { answer, input }
  let which = "answer";
  let asked = 0;
  let saliencyLegend = null;
  let padLegend = null; // the same legend under the drawing while the saliency is shown on it

  const saliencyLegendOn = (scale) =>
    divergingLegend(scale, "evidence gradient: less ← 0 → more", { gamma: SALIENCY_GAMMA, low: "blue, ink takes evidence away", high: "red, ink adds evidence" });

  /** The saliency map's legend, on the scale it was drawn with, replacing the last one. */
  function showSaliencyLegend(scale) {
    const next = saliencyLegendOn(scale);
    if (saliencyLegend) saliencyLegend.replaceWith(next);
    else figure.appendChild(next);
    saliencyLegend = next;
  }

  /** The overlay on the drawing is painted on the saliency map's scale: its legend goes under the pad, or goes. */
  function showPadLegend(scale) {
    padLegend?.remove();
    padLegend = null;
    if (scale === undefined) return;
    padLegend = saliencyLegendOn(scale);
    padLegend.classList.add("pad-legend");
    padCanvas.closest(".pad-frame").after(padLegend);
  }

  async function explain() {
    if (!last) return;
    const ticket = ++asked;
    const target = which === "answer" ? last.answer.digit : last.runnerUp;
    const query = new URLSearchParams({ model: last.answer.model });
    if (target !== undefined) query.set("target", String(target));
    figure.dataset.state = "busy";
    const answer = await postJson(`/api/explain?${query}`, last.input);
    if (ticket !== asked) return;
    if (!answer.ok) { figure.dataset.state = "error"; caption.textContent = problemText(answer); return; }
    const { body } = answer;
    last.runnerUp = body.runnerUp;
    if (which !== "answer" && body.target !== body.runnerUp) { explain(); return; } // the runner-up was not known yet
    runnerButton.textContent = `What would make it a ${body.runnerUp}`;
    drawSaliency(map, body.pixels, body.saliency, false);
    showSaliencyLegend(Number(map.dataset.scale));
    caption.textContent = which === "answer"
      ? `Why a ${body.digit}: red is where more ink would make it more of a ${body.digit}, blue where it would make it less (${body.elapsedMs.toFixed(2)} ms).`
      : `What would make it a ${body.target}: ink on the red pixels, less ink on the blue ones (${body.elapsedMs.toFixed(2)} ms).`;
    figure.dataset.state = "done";
    figure.dataset.target = String(body.target);
    drawOnPad(body);
  }

  /** The saliency over the drawing: the prepared digit's ink box mapped onto the drawing's ink box. */
  function drawOnPad(body) {
    padOverlay.hidden = !onPad.checked || !("image" in last.input);
    showPadLegend(padOverlay.hidden ? undefined : Number(map.dataset.scale));
    if (padOverlay.hidden) return;
    const w = padCanvas.width, h = padCanvas.height;
    const drawn = padCanvas.getContext("2d").getImageData(0, 0, w, h).data;
    const to = inkBox(drawn, w, h, (d, i) => d[i * 4 + 3] > 0);
    const from = inkBox(body.pixels, SIDE, SIDE, (p, i) => p[i] > 0);
    const ctx = padOverlay.getContext("2d");
    ctx.clearRect(0, 0, padOverlay.width, padOverlay.height);
    if (!to || !from) return;
    const small = drawSaliency(document.createElement("canvas"), body.pixels, body.saliency, true);
    ctx.imageSmoothingEnabled = false;
    const sx = padOverlay.width / w, sy = padOverlay.height / h;
    ctx.drawImage(small, from.x0, from.y0, from.x1 - from.x0, from.y1 - from.y0, to.x0 * sx, to.y0 * sy, (to.x1 - to.x0) * sx, (to.y1 - to.y0) * sy);
  }

  function choose(next) {
    which = next;
    answerButton.setAttribute("aria-pressed", String(next === "answer"));
    runnerButton.setAttribute("aria-pressed", String(next !== "answer"));
    explain();
  }
  answerButton.addEventListener("click", () => choose("answer"));
  runnerButton.addEventListener("click", () => choose("runner"));
  onPad.addEventListener("change", () => explain());

  // ---- nudge ----
  for (let d = 0; d < 10; d++) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn nudge-target";
    b.textContent = String(d);
    b.dataset.target = String(d);
    b.setAttribute("aria-label", `Nudge the drawing until the network reads ${d}`);
    b.disabled = true;
    b.addEventListener("click", () => nudgeTo(d));
    nudgeTargets.appendChild(b);
  }

  async function nudgeTo(target) {
    if (!last) return;
    nudge.dataset.state = "busy";
    nudge.replaceChildren(note(`Looking for the smallest change that makes it a ${target} ...`));
    const answer = await postJson(`/api/explain/nudge?model=${encodeURIComponent(last.answer.model)}&target=${target}`, last.input);
    if (!answer.ok) { nudge.dataset.state = "error"; nudge.replaceChildren(note(problemText(answer))); return; }
    const { body } = answer;
    const change = body.pixels.map((v, i) => v - body.original[i]);
    const row = document.createElement("div");
    row.className = "nudge-row";
    row.append(image(body.original, `before: a ${body.from}`), image(body.pixels, `after: a ${body.digit}`), changeImage(body.original, change));
    const changed = change.filter((v) => Math.abs(v) >= 1).length;
    const words = body.reached
      ? `${changed} of ${PIXELS} pixels changed, none by more than ${Math.round(body.maxChange)} of 255 levels (on average ${body.meanChange.toFixed(1)}), in ${body.steps} gradient steps: the network now reads a ${body.digit}. ` +
        "A person would still see the old digit in most of these. The network has no idea what a digit is: it follows the evidence of " +
        "its units, and a change aimed straight along the gradient moves that evidence far more than a random change of the same size would."
      : `Within ${NUDGE.steps} steps of at most ${NUDGE.budget} levels per pixel the network still reads a ${body.digit}: this drawing is a stubborn one.`;
    const scale = Number(row.querySelector(".nudge-change canvas").dataset.scale);
    const legends = document.createElement("div");
    legends.className = "legends";
    legends.append(inkLegend(), divergingLegend(scale, "change in ink levels: taken away ← 0 → added", { low: "blue, ink taken away", high: "red, ink added" }));
    nudge.replaceChildren(row, legends, note(words));
    nudge.dataset.state = body.reached ? "done" : "stuck";
    nudge.dataset.digit = String(body.digit);
    if (body.reached) showPixels(body.pixels, `nudged toward ${target}`);
  }

  function image(pixels, label) {
    const fig = document.createElement("figure");
    const canvas = digitCanvas(pixels, label);
    const cap = document.createElement("figcaption");
    cap.textContent = label;
    fig.append(canvas, cap);
    return fig;
  }

  function changeImage(original, change) {
    const fig = image(original, "the change: red ink added, blue taken away");
    fig.className = "nudge-change";
    drawSaliency(fig.querySelector("canvas"), original, change, false);
    return fig;
  }

  const note = (text) => { const p = document.createElement("p"); p.className = "nudge-note"; p.textContent = text; return p; };

  // ---- dreams ----
  let dreamt = null;
  async function loadDreams(id) {
    if (!id || dreamt === id) return;
    dreamt = id;
    dreams.dataset.state = "busy";
    dreams.replaceChildren(note("Dreaming (a few hundred gradient steps per digit) ..."));
    const answer = await getJson(`/api/models/${encodeURIComponent(id)}/dreams`);
    if (!answer.ok) { dreams.dataset.state = "error"; dreams.replaceChildren(note(problemText(answer))); return; }
    const figures = answer.body.map((dream) => {
      const fig = image(dream.pixels, `dream of ${dream.digit}`);
      fig.className = "dream";
      fig.dataset.digit = String(dream.digit);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dream-button";
      button.setAttribute("aria-label", `Show every layer for the dream of ${dream.digit}`);
      button.appendChild(fig.querySelector("canvas"));
      fig.prepend(button);
      button.addEventListener("click", () => showPixels(dream.pixels, `the dream of ${dream.digit}`));
      return { fig, dream };
    });
    dreams.replaceChildren(...figures.map((f) => f.fig));
    if (!dreams.previousElementSibling?.classList.contains("legend")) dreams.before(inkLegend());
    // each sent back to the network, as a check anyone can see
    await Promise.all(figures.map(async ({ fig, dream }) => {
      const { ok, body } = await postJson(`/api/predict?model=${encodeURIComponent(id)}`, { pixels: dream.pixels });
      fig.dataset.read = ok ? String(body.digit) : "";
      fig.querySelector("figcaption").textContent = ok ? `dream of ${dream.digit} · read as ${body.digit}` : `dream of ${dream.digit}`;
    }));
    if (dreamt === id) dreams.dataset.state = "done";
  }
  loadDreams(model());

  return {
    /** A new answer: explain it (the answer, or the runner-up when that is chosen), and allow nudges. */
    update(answer, asked) {
      last = { answer, input: asked };
      answerButton.disabled = runnerButton.disabled = false;
      nudgeTargets.querySelectorAll("button").forEach((b) => { b.disabled = b.dataset.target === String(answer.digit); });
      explain();
      loadDreams(answer.model);
    },
    clear() {
      last = null;
      answerButton.disabled = runnerButton.disabled = true;
      nudgeTargets.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      figure.dataset.state = "idle";
      map.getContext("2d").clearRect(0, 0, SIDE, SIDE);
      saliencyLegend?.remove();
      saliencyLegend = null;
      caption.textContent = "Draw a digit to see why.";
      padOverlay.hidden = true;
      showPadLegend(undefined);
    },
    modelChanged: () => loadDreams(model()),
  };
}
