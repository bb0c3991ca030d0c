// The tables of runs and of models, with their actions (view, cancel, resume; download, activate, delete).
import { api } from "./api.js";
import { badge, button, cell, link, network, num, pct, when } from "./format.js";
import { follow, isActive, isResumable, show } from "./live.js";

const $ = (id) => document.getElementById(id);

export function showListError(error) {
  $("models-error").textContent = error.message;
}

export async function refreshLists() {
  await Promise.all([loadRuns(), loadModels()]).catch(showListError);
}

export async function loadRuns() {
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
    actions.append(button("View", `View run ${run.id}`, () => show(run).catch(showListError)));
    if (isActive(run.status)) actions.append(button("Cancel", `Cancel run ${run.id}`, () => cancel(run.id)));
    if (isResumable(run.status)) actions.append(button("Resume", `Resume run ${run.id}`, () => resume(run.id)));
  }
  return runs;
}

export async function loadModels() {
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
    const file = `/api/models/${encodeURIComponent(m.id)}/file`;
    actions.append(link("Download", file, `Download ${m.id}.safetensors`), link("Download ONNX", `${file}?format=onnx`, `Download ONNX: ${m.id}.onnx`),
      button("Activate", `Activate ${m.id} as the active model`, () => modelAction("POST", `/api/models/${encodeURIComponent(m.id)}/activate`), m.active),
      button("Delete", `Delete model ${m.id}`, () => { if (confirm(`Delete ${m.id} and its file?`)) modelAction("DELETE", `/api/models/${encodeURIComponent(m.id)}`); }, m.active));
  }
}

async function modelAction(method, url) {
  $("models-error").textContent = "";
  try { await api(method, url); } catch (e) { showListError(e); }
  await loadModels();
}

export async function cancel(id) {
  try { await api("POST", `/api/training/${id}/cancel`); } catch (e) { showListError(e); }
  await loadRuns();
}

export async function resume(id) {
  try {
    await api("POST", `/api/training/${id}/resume`);
    follow(id);
  } catch (e) { showListError(e); }
  await loadRuns();
}
