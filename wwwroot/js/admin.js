// The admin page: start runs, follow the live one through Server-Sent Events (EventSource reconnects
// by itself after a reload or a server restart), draw its curves with chart.js, and manage the models.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const antiforgery = document.querySelector("#logout-form input[name=__RequestVerificationToken]").value;
  const form = $("train-form");
  const live = $("live");
  const ACTIVE = new Set(["queued", "running"]);
  const RESUMABLE = new Set(["interrupted", "canceled", "failed"]);
  let shownRun = null;   // the run the live panel shows
  let source = null;     // its EventSource while it is queued or running

  // ---- API ----

  async function api(method, url, body) {
    const headers = { "RequestVerificationToken": antiforgery };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    if (response.status === 401) { location.href = "/login?ReturnUrl=%2Fadmin"; throw new Error("signed out"); }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error((data && data.title) || response.statusText);
      error.problem = data;
      throw error;
    }
    return data;
  }

  // ---- formatting ----

  const pct = (x) => x == null ? "–" : (100 * x).toFixed(2) + "%";
  const num = (x) => x == null ? "–" : Math.round(x).toLocaleString("en");
  function duration(s) {
    if (s == null || !isFinite(s)) return "–";
    s = Math.max(0, Math.round(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
  }
  const when = (t) => t ? new Date(t).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "–";
  const network = (s) => `${s.architecture} · ${s.pooling} · ${s.output}`;
  function cell(row, content, className) {
    const td = document.createElement("td");
    if (content instanceof Node) td.append(content); else td.textContent = content;
    if (className) td.className = className;
    row.append(td);
    return td;
  }
  function button(label, ariaLabel, onClick, disabled) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small";
    b.textContent = label;
    b.setAttribute("aria-label", ariaLabel);
    b.disabled = !!disabled;
    b.addEventListener("click", onClick);
    return b;
  }
  function badge(status) {
    const span = document.createElement("span");
    span.className = "badge badge-" + status;
    span.textContent = status;
    return span;
  }

  // ---- charts ----

  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.color = "#64748b";
  Chart.defaults.animation = false;
  const palette = ["#f59e0b", "#2563eb", "#047857", "#db2777", "#7c3aed", "#0891b2", "#b45309", "#475569"];

  function lineChart(canvas, datasets, yOptions) {
    return new Chart(canvas, {
      type: "line",
      data: { datasets },
      options: {
        responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        interaction: { mode: "nearest", intersect: false },
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 2, tension: 0.2 } },
        scales: {
          x: { type: "linear", title: { display: true, text: "epoch" }, min: 0, ticks: { precision: 0 } },
          y: yOptions,
        },
        plugins: { legend: { display: datasets.length > 1, labels: { boxWidth: 12 } } },
      },
    });
  }

  const lossChart = lineChart($("loss-chart"), [{ label: "loss", data: [], borderColor: palette[0], backgroundColor: palette[0] }],
    { title: { display: true, text: "loss" }, beginAtZero: true });
  const errorChart = lineChart($("error-chart"), [
    { label: "train", data: [], borderColor: palette[1], backgroundColor: palette[1], pointRadius: 3 },
    { label: "test", data: [], borderColor: palette[0], backgroundColor: palette[0], pointRadius: 3 },
  ], { title: { display: true, text: "error %" }, beginAtZero: true });
  const ratesChart = lineChart($("rates-chart"), [], { type: "logarithmic", title: { display: true, text: "learning rate" } });

  function setEpochs(epochs) {
    for (const chart of [lossChart, errorChart, ratesChart]) chart.options.scales.x.max = epochs;
  }

  function resetCharts(run) {
    lossChart.data.datasets[0].data = (run.lossCurve || []).map(([x, y]) => ({ x, y }));
    errorChart.data.datasets[0].data = [];
    errorChart.data.datasets[1].data = [];
    ratesChart.data.datasets = [];
    for (const e of run.history) addEpoch(e, false);
    setEpochs(run.epochs);
    updateCharts();
  }

  function addEpoch(e, update = true) {
    errorChart.data.datasets[0].data.push({ x: e.epoch, y: 100 * e.trainError });
    errorChart.data.datasets[1].data.push({ x: e.epoch, y: 100 * e.testError });
    Object.entries(e.learningRates || {}).forEach(([layer, rate]) => {
      let set = ratesChart.data.datasets.find((d) => d.label === layer);
      if (!set) {
        const color = palette[ratesChart.data.datasets.length % palette.length];
        set = { label: layer, data: [], borderColor: color, backgroundColor: color, pointRadius: 3 };
        ratesChart.data.datasets.push(set);
      }
      set.data.push({ x: e.epoch, y: rate });
    });
    if (update) updateCharts();
  }

  function updateCharts() {
    ratesChart.options.plugins.legend.display = ratesChart.data.datasets.length > 0;
    for (const [chart, id] of [[lossChart, "loss-chart"], [errorChart, "error-chart"], [ratesChart, "rates-chart"]]) {
      chart.update("none");
      $(id).dataset.points = chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
    }
  }

  // ---- the live panel ----

  function showProgress(progress, epoch, epochs, ips, eta) {
    const value = Math.round(1000 * (progress || 0)) / 10;
    const bar = $("progress");
    bar.setAttribute("aria-valuenow", String(value));
    bar.dataset.progress = String(progress || 0);
    $("progress-fill").style.width = value + "%";
    $("stat-epoch").textContent = epoch ? `${Math.min(epoch, epochs)} / ${epochs}` : "–";
    $("stat-ips").textContent = num(ips);
    $("stat-eta").textContent = duration(eta);
  }

  function showRun(run) {
    shownRun = run;
    live.dataset.status = run.status;
    live.dataset.run = String(run.id);
    $("live-title").textContent = `Run #${run.id} · ${network(run.settings)}`;
    const status = $("live-status");
    status.className = "badge badge-" + run.status;
    status.textContent = run.status;
    showProgress(run.progress, run.epoch, run.epochs, run.imagesPerSecond, run.etaSeconds);
    const last = run.history[run.history.length - 1];
    $("stat-test").textContent = last ? pct(last.testError) : "–";
    $("live-note").textContent = note(run);
    $("cancel-live").hidden = !ACTIVE.has(run.status);
    $("resume-live").hidden = !RESUMABLE.has(run.status);
    resetCharts(run);
  }

  function note(run) {
    const images = run.settings.trainLimit ? `${num(run.settings.trainLimit)} training images` : "all 60,000 training images";
    switch (run.status) {
      case "queued": return `Waiting for its turn · ${images}.`;
      case "running": return phaseText(run.phase) + ` · ${images}, batch ${run.settings.batchSize}.`;
      case "completed": return `Finished: ${pct(run.testAccuracy)} of the test digits right; model ${run.modelId}.`;
      case "failed": return `Failed: ${run.error || "unknown error"}`;
      case "canceled": return `Canceled after ${run.completedEpochs} epoch(s); resume continues from the last checkpoint.`;
      case "interrupted": return `Interrupted (the server stopped) after ${run.completedEpochs} epoch(s); resume continues from the last checkpoint.`;
      default: return "";
    }
  }

  function phaseText(phase) {
    return { loading: "Loading MNIST", evaluating: "Testing on the 10,000 test digits", saving: "Saving the model" }[phase] || "Training";
  }

  function follow(id) {
    if (source) source.close();
    $("results").hidden = true;
    source = new EventSource(`/api/training/${id}/events`);
    source.addEventListener("state", (e) => showRun(JSON.parse(e.data)));
    source.addEventListener("progress", (e) => {
      const p = JSON.parse(e.data);
      if (!shownRun || shownRun.id !== p.id) return;
      if (live.dataset.status !== "running") {
        live.dataset.status = "running";
        $("live-status").className = "badge badge-running";
        $("live-status").textContent = "running";
      }
      showProgress(p.progress, p.epoch, p.epochs, p.imagesPerSecond, p.etaSeconds);
      $("live-note").textContent = `${phaseText(p.phase)} · epoch ${p.epoch}, batch ${p.batch} of ${p.batches}.`;
      lossChart.data.datasets[0].data.push({ x: p.epoch - 1 + p.batch / p.batches, y: p.loss });
      updateCharts();
    });
    source.addEventListener("epoch", (e) => {
      const ev = JSON.parse(e.data);
      if (!shownRun || shownRun.id !== ev.id) return;
      addEpoch(ev.metrics);
      $("stat-test").textContent = pct(ev.metrics.testError);
    });
    source.addEventListener("done", (e) => {
      source.close();
      source = null;
      const run = JSON.parse(e.data);
      showRun(run);
      refreshLists();
      if (run.status === "completed") loadResults(run);
    });
    // on an error EventSource retries by itself (reload, server restart); the next 'state' or 'done' catches up
  }

  function show(run) {
    if (ACTIVE.has(run.status)) { follow(run.id); return; }
    if (source) { source.close(); source = null; }
    api("GET", `/api/training/${run.id}`).then((full) => {
      showRun(full);
      if (full.status === "completed") loadResults(full); else $("results").hidden = true;
    }).catch(showListError);
  }

  // ---- results ----

  async function loadResults(run) {
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
      const canvas = document.createElement("canvas");
      canvas.width = 28;
      canvas.height = 28;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `test digit ${m.index}: a ${m.label} read as ${m.predicted}`);
      const ctx = canvas.getContext("2d");
      const image = ctx.createImageData(28, 28);
      m.pixels.forEach((v, i) => {
        const g = 255 - v;
        image.data.set([g, g, g, 255], 4 * i);
      });
      ctx.putImageData(image, 0, 0);
      const caption = document.createElement("span");
      caption.innerHTML = `<b>${m.label}</b> → <b class="wrong">${m.predicted}</b>`;
      li.append(canvas, caption);
      list.append(li);
    }
  }

  // ---- runs and models ----

  async function refreshLists() {
    await Promise.all([loadRuns(), loadModels()]).catch(showListError);
  }

  function showListError(error) {
    $("models-error").textContent = error.message;
  }

  async function loadRuns() {
    const runs = await api("GET", "/api/training");
    const body = $("runs").tBodies[0];
    body.replaceChildren();
    if (!runs.length) { cell(body.insertRow(), "No runs yet.", "muted").colSpan = 8; }
    for (const run of runs) {
      const tr = body.insertRow();
      tr.dataset.run = run.id;
      tr.dataset.status = run.status;
      cell(tr, `#${run.id}`);
      cell(tr, when(run.startedAt || run.createdAt));
      cell(tr, network(run.settings) + (run.settings.trainLimit ? ` · ${num(run.settings.trainLimit)} images` : ""));
      cell(tr, badge(run.status));
      cell(tr, `${run.completedEpochs} / ${run.epochs}`, "num");
      const last = run.history[run.history.length - 1];
      cell(tr, last ? pct(last.testError) : "–", "num");
      cell(tr, run.modelId || "–");
      const actions = cell(tr, "", "actions");
      actions.append(button("View", `Show run ${run.id}`, () => show(run)));
      if (ACTIVE.has(run.status)) actions.append(button("Cancel", `Cancel run ${run.id}`, () => cancel(run.id)));
      if (RESUMABLE.has(run.status)) actions.append(button("Resume", `Resume run ${run.id}`, () => resume(run.id)));
    }
    return runs;
  }

  async function loadModels() {
    const models = await api("GET", "/api/models");
    const body = $("models").tBodies[0];
    body.replaceChildren();
    if (!models.length) { cell(body.insertRow(), "No models.", "muted").colSpan = 5; }
    for (const m of models) {
      const tr = body.insertRow();
      tr.dataset.model = m.id;
      const name = document.createElement("span");
      name.textContent = m.id + " ";
      if (m.active) name.append(badge("active"));
      cell(tr, name);
      cell(tr, `${m.architecture} · ${m.options.pooling} · ${m.options.output}`);
      cell(tr, m.testAccuracy == null ? "–" : pct(m.testAccuracy), "num");
      cell(tr, `${(m.sizeBytes / 1024).toFixed(0)} KB`, "num");
      const actions = cell(tr, "", "actions");
      const download = document.createElement("a");
      download.className = "btn btn-small";
      download.href = `/api/models/${encodeURIComponent(m.id)}/file`;
      download.textContent = "Download";
      download.setAttribute("aria-label", `Download ${m.id}.safetensors`);
      actions.append(download,
        button("Activate", `Make ${m.id} the active model`, () => modelAction("POST", `/api/models/${encodeURIComponent(m.id)}/activate`), m.active),
        button("Delete", `Delete model ${m.id}`, () => { if (confirm(`Delete ${m.id} and its file?`)) modelAction("DELETE", `/api/models/${encodeURIComponent(m.id)}`); }, m.active));
    }
  }

  async function modelAction(method, url) {
    $("models-error").textContent = "";
    try { await api(method, url); } catch (e) { showListError(e); }
    await loadModels();
  }

  async function cancel(id) {
    try { await api("POST", `/api/training/${id}/cancel`); } catch (e) { showListError(e); }
    await loadRuns();
  }

  async function resume(id) {
    try {
      await api("POST", `/api/training/${id}/resume`);
      follow(id);
    } catch (e) { showListError(e); }
    await loadRuns();
  }

  $("cancel-live").addEventListener("click", () => shownRun && cancel(shownRun.id));
  $("resume-live").addEventListener("click", () => shownRun && resume(shownRun.id));

  // ---- the form ----

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("form-error");
    error.textContent = "";
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const body = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") body[el.name] = el.checked;
      else if (el.value.trim() !== "") body[el.name] = el.type === "number" ? Number(el.value) : el.value;
    }
    const start = $("start");
    start.disabled = true;
    try {
      const accepted = await api("POST", "/api/training", body);
      follow(accepted.id);
      await loadRuns();
    } catch (e) {
      const errors = e.problem && e.problem.errors;
      if (errors) {
        for (const field of Object.keys(errors)) { const el = form.elements[field]; if (el) el.setAttribute("aria-invalid", "true"); }
        error.textContent = Object.values(errors).flat().join(" ");
      } else {
        error.textContent = e.message;
      }
    } finally {
      start.disabled = false;
    }
  });

  // ---- start: show the newest run, and follow it if it is still going ----

  (async function init() {
    try {
      const [runs] = await Promise.all([loadRuns(), loadModels()]);
      if (runs.length) show(runs[0]);
    } catch (e) { showListError(e); }
  })();
})();
