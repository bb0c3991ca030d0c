// The drawing page: live, debounced predictions of the pad's drawing through
// POST /api/predict?details=true, the verdict, the probability chart and every layer's maps, which
// the inspector makes explorable; the explainer adds the saliency map, nudges and dreams; the
// corrector offers "Wrong? It's a …" under the answer to a drawing. A link (share.js) opens a
// drawing or an MNIST test digit.
import { createPad } from "./pad.js";
import { render } from "./maps.js";
import { drawDigit, inkLegend, SIDE } from "../digit-canvas.js";
import { getJson, postJson, problemText } from "./api.js";
import { createInspector } from "./inspect.js";
import { createSlider } from "./slide.js";
import { renderKernels } from "./kernels.js";
import { createExplainer } from "./explain.js";
import { createCorrector } from "./correct.js";
import { chartsFollowTheme, cssColor } from "../theme-colors.js";
import { drawingFragment, readFragment, testFragment } from "./share.js";
import { createAtlas } from "./atlas.js";

const DEBOUNCE_MS = 180;

const $ = (id) => document.getElementById(id);
const modelPicker = $("model");
const result = $("result");
const digitOut = $("digit");
const verdict = $("verdict");
const confidenceOut = $("confidence");
const committeeOut = $("committee");
const timing = $("timing");
const seen = $("seen");
const maps = $("maps");
seen.parentElement.append(inkLegend()); // the 28x28 it saw, on the digits' one scale

let timer = 0;
let inFlight = false;
let wanted = 0;
let pixels = null; // 784 pixels to show instead of the drawing (a dream or a nudge), until the drawing changes
let pixelsLabel = "";
let testDigit = null; // { index, label, pixels } of the MNIST test digit shown, until something else is
let linkVersion = -1; // the drawing's version the URL's fragment describes; -1 when it describes none
let lastAnswer = null; // the details answer shown
let opening = false; // a link is being opened: its own changes to the pad do not unlink it

const pad = createPad({
  pad: $("pad"), hint: $("pad-hint"), undoButton: $("undo"), clearButton: $("clear"), pen: $("pen"), penValue: $("pen-value"),
}, changed);
const currentModel = () => (modelPicker ? modelPicker.value : $("dreams").dataset.model);
const inspector = createInspector({ maps, inspector: $("inspector"), slider: createSlider($("slide")) });
const explainer = createExplainer({
  answerButton: $("why-answer"), runnerButton: $("why-runner"), onPad: $("why-on-pad"), figure: $("saliency"), map: $("saliency-map"),
  caption: $("saliency-caption"), padCanvas: $("pad"), padOverlay: $("pad-saliency"), nudgeTargets: $("nudge-targets"), nudge: $("nudge"), dreams: $("dreams"),
}, { model: currentModel, showPixels });
const atlas = createAtlas({
  root: $("atlas"), map: $("atlas-map"), key: $("atlas-key"), detail: $("atlas-detail"), status: $("atlas-status"),
}, { model: currentModel });
const corrector = createCorrector({ root: $("correct"), status: $("correct-status") }, { pad, model: currentModel });
if (modelPicker) {
  modelPicker.addEventListener("change", () => {
    unlink(); // the link named the model it was answered by
    if (testDigit) showTestDigit(testDigit); else pad.touch();
    explainer.modelChanged();
    renderKernels($("kernels"), currentModel());
    atlas.modelChanged();
  });
}
if (currentModel()) renderKernels($("kernels"), currentModel());

/** Shows the network's answer for 784 pixels (a dream, a nudged drawing) in place of the drawing's. */
function showPixels(values, label) {
  leaveTestDigit();
  unlink();
  pixels = values;
  pixelsLabel = label;
  corrector.withdraw(); // a dream or a nudge is not the visitor's drawing
  clearTimeout(timer);
  predict();
}

/** The drawing changed: predict again once it rests for a moment (at once when a stroke ends). */
function changed(now) {
  pixels = null;
  leaveTestDigit();
  unlink();
  corrector.withdraw();
  clearTimeout(timer);
  timer = setTimeout(predict, now ? 0 : DEBOUNCE_MS);
}

async function predict() {
  wanted = pad.version;
  if (inFlight) return; // the answer in flight is followed by one for the latest drawing
  if (pad.isEmpty && !pixels) { showIdle(pad.version); return; }
  inFlight = true;
  const asked = pad.version;
  const input = pixels ? { pixels } : { image: pad.toDataURL() };
  result.dataset.state = "busy";
  try {
    const query = new URLSearchParams({ details: "true" });
    if (modelPicker) query.set("model", modelPicker.value);
    const answer = await postJson(`/api/predict?${query}`, input);
    if (answer.ok) showResult(answer.body, asked, input);
    else showProblem(answer, asked);
  } finally {
    inFlight = false;
    if (wanted !== asked) predict();
  }
}

function finish(state, asked) {
  result.dataset.state = state;
  result.dataset.version = String(asked);
}

/** When a committee answered, who voted what: the answer is the mean of their probabilities. */
function showCommittee(votes) {
  committeeOut.hidden = !votes;
  committeeOut.textContent = votes
    ? `A committee answered: ${votes.map(v => `${v.model} reads ${v.digit} (${(100 * v.confidence).toFixed(0)}%)`).join(", ")}; the answer is the mean of their probabilities.`
    : "";
}

function showIdle(asked) {
  showCommittee(null);
  digitOut.textContent = "?";
  digitOut.className = "digit";
  verdict.textContent = "Draw a digit to start.";
  confidenceOut.textContent = "";
  timing.textContent = "";
  seen.getContext("2d").clearRect(0, 0, SIDE, SIDE);
  updateChart(new Array(10).fill(0), -1);
  maps.replaceChildren(placeholder("The feature maps appear when you draw."));
  explainer.clear();
  atlas.clear();
  finish("idle", asked);
}

function showResult(body, asked, input) {
  const sure = !body.rejected;
  digitOut.textContent = sure ? String(body.digit) : "?";
  digitOut.className = "digit " + (sure ? "sure" : "unsure");
  digitOut.dataset.digit = String(body.digit);
  const a = body.digit === 8 ? "an" : "a";
  verdict.textContent = sure ? `It's ${a} ${body.digit}.` : `Not sure this is a digit. It looks most like ${a} ${body.digit}.`;
  confidenceOut.textContent = `Confidence ${(100 * body.confidence).toFixed(1)}%`;
  showCommittee(body.committee);
  timing.textContent = `${input.pixels ? pixelsLabel + " · " : ""}${body.model} · ${body.elapsedMs.toFixed(1)} ms on the server`;
  if (body.input) drawDigit(seen, body.input);
  updateChart(body.probabilities, body.digit);
  render(maps, body);
  inspector.update(body);
  explainer.update(body, input);
  lastAnswer = body;
  atlas.update(body);
  placeOnAtlas(body);
  result.dataset.digit = String(body.digit);
  result.dataset.rejected = String(body.rejected);
  if (!input.pixels && asked === pad.version) corrector.offer(body, asked);
  finish("done", asked);
}

/**
 * The atlas loads after the first answer, so that it never delays one. An answer given before the
 * model's atlas was fitted has no place on it: once the map is ready, the same input is asked again.
 */
async function placeOnAtlas(body) {
  if (atlas.ready()) return;
  if (!(await atlas.load()) || inFlight || result.dataset.state !== "done" || lastAnswer !== body) return;
  if (body.atlas) atlas.update(body); // placed on the map the server had fitted before this page asked for it
  else predict();
}

function showProblem(answer, asked) {
  showCommittee(null);
  if (answer.status === 422) {
    digitOut.textContent = "?";
    digitOut.className = "digit";
    verdict.textContent = "Nothing to read yet: draw a bit more.";
    confidenceOut.textContent = "";
    finish("blank", asked);
    return;
  }
  verdict.textContent = problemText(answer);
  confidenceOut.textContent = "";
  finish("error", asked);
}

function placeholder(text) {
  const p = document.createElement("p");
  p.className = "muted placeholder";
  p.textContent = text;
  return p;
}

// ---- the probability chart (chart.js) ----

let chart = null;
let chartDigit = -1;
/** The answer's bar in the accent, the others muted: the theme's colours (js/theme-colors.js), read when drawn. */
const barColor = (c) => cssColor(c.dataIndex === chartDigit ? "--accent" : "--muted");
function updateChart(probabilities, digit) {
  chartDigit = digit;
  if (!window.Chart) return;
  if (!chart) {
    chartsFollowTheme(window.Chart, () => [chart]);
    chart = new window.Chart($("chart"), {
      type: "bar",
      data: {
        labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        datasets: [{ label: "Probability", data: probabilities, backgroundColor: barColor, borderRadius: 4 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false, // live updates: show each answer as it comes
        scales: {
          y: { min: 0, max: 1, ticks: { callback: (v) => `${Math.round(v * 100)}%` }, grid: { color: () => cssColor("--line") } },
          x: { grid: { display: false } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (c) => `${(100 * c.parsed.y).toFixed(2)}%` } },
        },
      },
    });
    return;
  }
  chart.data.datasets[0].data = probabilities;
  chart.update();
}

updateChart(new Array(10).fill(0), -1);

// ---- links: the drawing or a test digit in the URL's fragment (its format is share.js's) ----

const shareButton = $("share");
const shareStatus = $("share-status");
const shareUrl = $("share-url");
const padDigit = $("pad-digit");
const say = (text) => { shareStatus.textContent = text; };

function updateShare() {
  shareButton.disabled = pad.isEmpty && !testDigit;
}

/** The drawing changed after a link was made or opened: the URL no longer shows it, so it loses the fragment. */
function unlink() {
  updateShare();
  if (opening || linkVersion < 0) return;
  linkVersion = -1;
  history.replaceState(null, "", location.pathname + location.search);
  shareUrl.hidden = true;
  say("");
}

function leaveTestDigit() {
  if (!testDigit) return;
  testDigit = null;
  padDigit.hidden = true;
  updateShare();
}

/** Shows MNIST test digit { index, label, pixels } on the pad and asks about its pixels, as a drawing's would be. */
function showTestDigit(digit) {
  showPixels(digit.pixels, `MNIST test digit ${digit.index}, labelled ${digit.label}`);
  testDigit = digit;
  drawDigit(padDigit, digit.pixels);
  padDigit.setAttribute("aria-label", `MNIST test digit ${digit.index}, labelled ${digit.label}`);
  padDigit.hidden = false;
  updateShare();
}

shareButton.addEventListener("click", async () => {
  const model = currentModel();
  const hash = testDigit ? testFragment(testDigit.index, model) : await drawingFragment(pad.strokes(), model);
  history.replaceState(null, "", location.pathname + location.search + hash); // a fragment: nothing reaches the server
  linkVersion = pad.version;
  shareUrl.value = location.href;
  try {
    await navigator.clipboard.writeText(location.href);
    shareUrl.hidden = true;
    say("Link copied. It holds the drawing itself; nothing is stored on the server.");
  } catch {
    // the clipboard is refused (no permission, or not a secure context): the link is selected for copying by hand
    shareUrl.hidden = false;
    shareUrl.focus();
    shareUrl.select();
    say("Copy this link: it holds the drawing itself; nothing is stored on the server.");
  }
});

/** Selects the link's model when it is here; else says which model answers instead. */
function chooseModel(id) {
  if (!id || id === currentModel()) return "";
  if (modelPicker && [...modelPicker.options].some((o) => o.value === id)) {
    modelPicker.value = id;
    explainer.modelChanged();
    renderKernels($("kernels"), id);
    atlas.modelChanged();
    return "";
  }
  return `This link's model, ${id}, is not here: ${currentModel() || "the default model"} answers.`;
}

/** Opens the drawing or test digit the URL's fragment links to; a link that cannot be read is left aside with a note. */
async function openLink() {
  let link;
  try {
    link = await readFragment(location.hash);
  } catch {
    say("This link's drawing could not be read (it may be cut short), so it was left out.");
    return;
  }
  if (!link) return;
  let digit = null;
  if (link.test !== undefined) {
    const answer = await getJson(`/api/mnist/test/${link.test}`);
    if (!answer.ok) { say(problemText(answer)); return; }
    digit = answer.body;
  }
  const note = chooseModel(link.model);
  opening = true;
  try {
    if (link.strokes) pad.load(link.strokes);
    else {
      if (!pad.isEmpty) pad.load([]);
      showTestDigit(digit);
    }
  } finally {
    opening = false;
  }
  linkVersion = pad.version;
  shareUrl.hidden = true;
  say(note);
}

window.addEventListener("hashchange", openLink); // a link pasted into this tab's address bar
updateShare();
openLink();
