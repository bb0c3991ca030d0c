// The test-set page: a model's results on the 10,000 MNIST test digits (GET /api/models/{id}/test-set),
// its accuracy per digit and its confusion matrix, every cell a button that lists the cell's digits as
// thumbnails, a page at a time (GET /api/mnist/test/pixels: one request per page, not per digit), and
// every thumbnail a link that opens the digit on the drawing page (share.js's #test=INDEX&model=ID).
import { drawDigit, PIXELS } from "./digit-canvas.js";
import { legend, level } from "./colour-scales.js";
import { getJson, problemText } from "./draw/api.js";
import { testFragment } from "./draw/share.js";

/** Thumbnails shown at a time: a few rows on a phone, a screenful on a desktop, 38 KB of pixels. */
const PAGE = 48;
const DIGITS = 10;

const $ = (id) => document.getElementById(id);
const picker = $("model");
const results = $("results");
const overall = $("overall");
const perDigit = $("per-digit");
const matrix = $("matrix");
const matrixLegend = $("matrix-legend");
const cellStatus = $("cell-status");
const cellDigits = $("cell-digits");
const more = $("more");

const percent = (share) => `${(100 * share).toFixed(2)}%`;
const count = (n) => n.toLocaleString("en");
const article = (digit) => (digit === 8 ? "an" : "a");

let shown = null; // the results on the page
let loading = 0; // the latest load: answers to earlier ones are dropped
let cell = null; // { label, read, indices, next } of the cell whose digits are listed

async function load(model) {
  const asked = ++loading;
  results.dataset.state = "loading";
  overall.textContent = `Reading the 10,000 test digits with ${model}…`;
  const answer = await getJson(`/api/models/${encodeURIComponent(model)}/test-set`);
  if (asked !== loading) return;
  if (!answer.ok) {
    overall.textContent = problemText(answer);
    results.dataset.state = "error";
    return;
  }
  shown = answer.body;
  results.dataset.model = shown.model;
  showOverall(shown);
  showPerDigit(shown);
  showMatrix(shown);
  clearCell();
  results.dataset.state = "done";
  const linked = /^(\d)-(\d)$/.exec(new URLSearchParams(location.search).get("cell") ?? "");
  if (linked) chooseCell(Number(linked[1]), Number(linked[2]), { focus: false });
}

function showOverall(r) {
  const reader = r.committee ? `${r.model}, answering with ${r.committee.slice(1).join(" and ")} as a committee,` : r.model;
  overall.textContent = `${reader} reads ${count(r.count - r.errors)} of the ${count(r.count)} test digits right: ` +
    `${percent(r.accuracy)} (${count(r.errors)} mistakes).`;
}

function showPerDigit(r) {
  perDigit.replaceChildren();
  const caption = perDigit.createCaption();
  caption.className = "sr-only";
  caption.textContent = `Accuracy of ${r.model} per true digit`;
  const head = perDigit.createTHead().insertRow();
  for (const title of ["Digit", "Test digits", "Read right", "Accuracy"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const body = perDigit.createTBody();
  for (const d of r.digits) {
    const row = body.insertRow();
    row.dataset.digit = String(d.digit);
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = String(d.digit);
    row.append(th);
    for (const text of [count(d.count), count(d.correct), percent(d.accuracy)]) row.insertCell().textContent = text;
    row.lastElementChild.className = "accuracy";
  }
  perDigit.hidden = false;
}

// ---- the confusion matrix ----

/** Relative luminance of an sRGB colour (WCAG), to write each cell's count in whichever of ink or white reads better on it. */
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const INK = [15, 23, 42], WHITE = [255, 255, 255];
const contrast = (x, y) => (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
const textOn = (rgb) => (contrast(luminance(rgb), luminance(INK)) >= contrast(luminance(rgb), luminance(WHITE)) ? INK : WHITE);

function showMatrix(r) {
  const largest = Math.max(...r.confusion.flat());
  // counts span 0 to over a thousand, mistakes mostly under twenty: on a log scale a handful of mistakes still shows
  const colour = (value) => level(Math.log1p(value), 0, Math.log1p(largest));
  matrix.replaceChildren();
  const caption = matrix.createCaption();
  caption.className = "sr-only";
  caption.textContent = `Confusion matrix of ${r.model}: a row for each true label, a column for each digit read; each cell a button that lists its digits`;
  const head = matrix.createTHead().insertRow();
  const corner = document.createElement("td");
  corner.className = "corner";
  corner.innerHTML = '<span class="corner-read">read →</span><span class="corner-label">label ↓</span>';
  head.append(corner);
  for (let p = 0; p < DIGITS; p++) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = String(p);
    th.setAttribute("aria-label", `read as ${p}`);
    head.append(th);
  }
  const body = matrix.createTBody();
  r.confusion.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = String(t);
    th.setAttribute("aria-label", `labelled ${t}`);
    tr.append(th);
    row.forEach((n, p) => {
      const td = tr.insertCell();
      if (p === t) td.className = "right";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "cell";
      button.dataset.label = String(t);
      button.dataset.read = String(p);
      button.dataset.count = String(n);
      button.textContent = n ? String(n) : "·";
      button.setAttribute("aria-label", `${cellName(t, p)}: ${n} digit${n === 1 ? "" : "s"}`);
      button.setAttribute("aria-pressed", "false");
      button.tabIndex = t === 0 && p === 0 ? 0 : -1; // one tab stop: the arrow keys move within the matrix
      const background = colour(n);
      button.style.backgroundColor = `rgb(${background.join(" ")})`;
      button.style.color = `rgb(${textOn(background).join(" ")})`;
      td.append(button);
    });
  });
  matrixLegend.replaceChildren(legend(colour, 0, largest,
    { caption: "test digits in a cell (log scale)", low: "light, none", high: "dark, the most", format: count }));
}

const cellName = (t, p) => `labelled ${t}, read as ${p}`;
const cellButton = (t, p) => matrix.querySelector(`button[data-label="${t}"][data-read="${p}"]`);

matrix.addEventListener("click", (event) => {
  const button = event.target.closest("button.cell");
  if (button) chooseCell(Number(button.dataset.label), Number(button.dataset.read));
});

/** Arrow keys, Home and End move between the cells (a grid of buttons with one tab stop); Enter or Space chooses one. */
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
matrix.addEventListener("keydown", (event) => {
  const button = event.target.closest("button.cell");
  if (!button) return;
  let t = Number(button.dataset.label), p = Number(button.dataset.read);
  if (MOVES[event.key]) {
    t = Math.min(DIGITS - 1, Math.max(0, t + MOVES[event.key][0]));
    p = Math.min(DIGITS - 1, Math.max(0, p + MOVES[event.key][1]));
  } else if (event.key === "Home") p = 0;
  else if (event.key === "End") p = DIGITS - 1;
  else return;
  event.preventDefault();
  tabStop(t, p).focus();
});

/** Makes cell (t, p) the matrix's one tab stop; returns its button. */
function tabStop(t, p) {
  for (const b of matrix.querySelectorAll("button.cell[tabindex='0']")) b.tabIndex = -1;
  const button = cellButton(t, p);
  button.tabIndex = 0;
  return button;
}

// ---- the digits of a cell ----

function clearCell() {
  cell = null;
  cellDigits.replaceChildren();
  cellDigits.dataset.state = "idle";
  delete cellDigits.dataset.cell;
  cellStatus.textContent = "Choose a cell of the matrix.";
  more.hidden = true;
}

/** Lists the digits of cell (t, p); the URL names the cell, so a reload or the way back from the drawing page shows it again. */
function chooseCell(t, p, { focus = true } = {}) {
  for (const b of matrix.querySelectorAll("button.cell[aria-pressed='true']")) b.setAttribute("aria-pressed", "false");
  const button = tabStop(t, p);
  button.setAttribute("aria-pressed", "true");
  if (focus) button.focus();
  setQuery({ model: shown.model, cell: `${t}-${p}` });
  cell = { label: t, read: p, indices: shown.cells[t][p], next: 0, model: shown.model };
  cellDigits.replaceChildren();
  cellDigits.dataset.cell = `${t}-${p}`;
  showMore();
}

more.addEventListener("click", () => showMore());

async function showMore() {
  const c = cell;
  const page = c.indices.slice(c.next, c.next + PAGE);
  cellDigits.dataset.state = "busy";
  more.disabled = true;
  let pixels = new Uint8Array(0);
  if (page.length) {
    const answer = await getPixels(page);
    if (c !== cell) return; // another cell was chosen meanwhile
    more.disabled = false;
    if (!answer.ok) {
      cellStatus.textContent = problemText(answer);
      cellDigits.dataset.state = "error";
      return;
    }
    pixels = answer.pixels;
  }
  const firstNew = cellDigits.children.length;
  page.forEach((index, k) => cellDigits.append(thumbnail(index, pixels.subarray(k * PIXELS, (k + 1) * PIXELS), c)));
  c.next += page.length;
  const left = c.indices.length - c.next;
  more.hidden = left === 0;
  more.textContent = `Show ${Math.min(PAGE, left)} more (${count(left)} left)`;
  more.disabled = false;
  cellStatus.textContent = describeCell(c);
  cellDigits.dataset.state = "done";
  cellDigits.dataset.shown = String(c.next);
  // after "Show more", the keyboard carries on from the first new digit rather than the top of the page
  if (firstNew > 0 && cellDigits.children[firstNew]) cellDigits.children[firstNew].querySelector("a").focus();
}

function describeCell(c) {
  const n = c.indices.length;
  const which = c.label === c.read
    ? `Labelled ${c.label} and read as ${article(c.label)} ${c.label}, right`
    : `Labelled ${c.label} but read as ${article(c.read)} ${c.read}`;
  if (n === 0) return `${which}: no test digit.`;
  return `${which}: ${count(n)} test digit${n === 1 ? "" : "s"}${c.next < n ? `, the first ${count(c.next)} shown` : ""}. Choose one to see what the network saw.`;
}

/** 784 bytes per digit, in the order asked; { ok, pixels } or, for a failure, what problemText reads. */
async function getPixels(indices) {
  try {
    const response = await fetch(`/api/mnist/test/pixels?indices=${indices.join(",")}`);
    if (!response.ok) return { ok: false, status: response.status, body: await response.json().catch(() => ({})) };
    return { ok: true, pixels: new Uint8Array(await response.arrayBuffer()) };
  } catch {
    return { ok: false, status: 0, body: {} };
  }
}

function thumbnail(index, pixels, c) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = "/" + testFragment(index, c.model);
  link.dataset.index = String(index);
  link.setAttribute("aria-label", `Test digit ${index}, labelled ${c.label}, read as ${c.read}: see what the network saw`);
  const canvas = drawDigit(document.createElement("canvas"), pixels);
  canvas.setAttribute("aria-hidden", "true");
  const caption = document.createElement("span");
  caption.textContent = String(index);
  link.append(canvas, caption);
  li.append(link);
  return li;
}

// ---- the model ----

/** The page's URL with these query values (null drops one); replaced, not pushed: Back leaves the page. */
function setQuery(values) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  history.replaceState(null, "", url);
}

if (picker) {
  picker.addEventListener("change", () => {
    setQuery({ model: picker.value, cell: null });
    $("model-missing")?.remove();
    load(picker.value);
  });
}
if (results.dataset.model) load(results.dataset.model);
