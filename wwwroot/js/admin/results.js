// A finished run's results: its confusion matrix on the test digits and the digits it got wrong.
import { api } from "./api.js";
import { cell, num, pct } from "./format.js";
import { digitCanvas } from "../digit-canvas.js";

const $ = (id) => document.getElementById(id);

export function hideResults() {
  $("results").hidden = true;
}

export async function loadResults(run) {
  const [confusion, mistakes] = await Promise.all([
    api("GET", `/api/training/${run.id}/confusion`),
    api("GET", `/api/training/${run.id}/mistakes?limit=48`),
  ]);
  drawConfusion(confusion.matrix);
  drawMistakes(mistakes);
  $("results-title").textContent = `Results of run #${run.id} · ${pct(run.testAccuracy)} right`;
  $("results").hidden = false;
}

function drawConfusion(matrix) {
  const table = $("confusion");
  table.replaceChildren();
  const caption = document.createElement("caption");
  caption.className = "sr-only";
  caption.textContent = "Confusion matrix: rows are the true digit, columns the predicted digit";
  table.append(caption);
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = "true \\ pred";
  corner.scope = "col";
  head.append(corner);
  for (let p = 0; p < 10; p++) { const th = document.createElement("th"); th.scope = "col"; th.textContent = p; head.append(th); }
  const body = table.createTBody();
  matrix.forEach((row, t) => {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = t;
    tr.append(th);
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) => {
      const td = cell(tr, count ? String(count) : "·");
      const share = count / total;
      if (p === t) { td.className = "hit"; td.style.setProperty("--a", (0.15 + 0.6 * share).toFixed(2)); }
      else if (count) { td.className = "miss"; td.style.setProperty("--a", Math.min(0.85, 0.12 + 8 * share).toFixed(2)); }
      td.title = `true ${t}, predicted ${p}: ${count}`;
    });
  });
}

function drawMistakes(mistakes) {
  const list = $("mistakes");
  list.replaceChildren();
  $("mistakes-caption").textContent = mistakes.total
    ? `Misclassified test digits: ${mistakes.items.length} of ${num(mistakes.total)} (true → predicted)`
    : "No test digit was misclassified.";
  for (const m of mistakes.items) {
    const li = document.createElement("li");
    const canvas = digitCanvas(m.pixels, `test digit ${m.index}: a ${m.label} read as ${m.predicted}`);
    const caption = document.createElement("span");
    caption.innerHTML = `<b>${m.label}</b> → <b class="wrong">${m.predicted}</b>`;
    li.append(canvas, caption);
    list.append(li);
  }
}
