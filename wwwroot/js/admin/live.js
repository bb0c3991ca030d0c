// The live panel: one run's progress, state and charts, followed through Server-Sent Events while it
// is queued or running (EventSource reconnects by itself after a reload or a server restart).
import { vocabulary } from "../vocabulary.js";
import { api, signedIn, showSignedOut } from "./api.js";
import { duration, network, num, pct } from "./format.js";
import { addEpoch, addLoss, resetCharts } from "./charts.js";
import { hideResults, loadResults } from "./results.js";

const $ = (id) => document.getElementById(id);
const live = $("live");
const ACTIVE = new Set(vocabulary.statuses.active);
const RESUMABLE = new Set(vocabulary.statuses.resumable);
const phaseText = (phase) => vocabulary.phases[phase] || vocabulary.phases.training;

export const isActive = (status) => ACTIVE.has(status);
export const isResumable = (status) => RESUMABLE.has(status);

let shownRun = null; // the run the panel shows
let source = null;   // its EventSource while it is queued or running

/** The run the panel shows, or null. */
export const shown = () => shownRun;

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

function setStatus(status) {
  live.dataset.status = status;
  $("live-status").className = "badge badge-" + status;
  $("live-status").textContent = status;
}

function showRun(run) {
  shownRun = run;
  live.dataset.run = String(run.id);
  setStatus(run.status);
  $("live-title").textContent = `Run #${run.id} · ${network(run.settings)}`;
  showProgress(run.progress, run.epoch, run.epochs, run.imagesPerSecond, run.etaSeconds);
  const last = run.history[run.history.length - 1];
  $("stat-test").textContent = last ? pct(last.testError) : "–";
  $("stat-corrections").textContent = correctionsError(last);
  $("live-note").textContent = note(run);
  $("cancel-live").hidden = !isActive(run.status);
  $("resume-live").hidden = !isResumable(run.status);
  resetCharts(run);
}

/** The error on the corrections test set, or a dash when the run has no accepted test drawings. */
function correctionsError(epoch) {
  return epoch && epoch.extraTestError != null ? pct(epoch.extraTestError) : "–";
}

/** ", 75.0% of the 4 test corrections", from the last epoch, when the run had some. */
function correctionsRight(run) {
  const last = run.history[run.history.length - 1];
  const count = run.extras && run.extras.realTest;
  return last && last.extraTestError != null && count ? `, ${pct(1 - last.extraTestError)} of the ${count} test correction(s)` : "";
}

/** What the run takes beside MNIST, in words: the corrections and the model it starts from. */
function inputsText(run) {
  const x = run.extras || {};
  const parts = [];
  if (x.correctionsWeight) parts.push(`${x.realTrain ?? "the accepted"} correction(s) x${x.correctionsWeight}`);
  if (x.realTest) parts.push(`${x.realTest} test correction(s)`);
  if (x.baseModel) parts.push(`from ${x.baseModel}`);
  return parts.length ? ` · ${parts.join(", ")}` : "";
}

function note(run) {
  const images = (run.settings.trainLimit ? `${num(run.settings.trainLimit)} training images` : "all 60,000 training images") + inputsText(run);
  switch (run.status) {
    case "queued": return `${phaseText("queued")} · ${images}.`;
    case "running": return phaseText(run.phase) + ` · ${images}, batch ${run.settings.batchSize}` + (run.trainer ? `, on ${run.trainer}.` : ".");
    case "completed": return `Finished: ${pct(run.testAccuracy)} of the test digits right${correctionsRight(run)}; model ${run.modelId}${inputsText(run)}.`;
    case "failed": return `Failed: ${run.error || "unknown error"}`;
    case "canceled": return `Canceled after ${run.completedEpochs} epoch(s); resume continues from the last checkpoint.`;
    case "interrupted": return `Interrupted (the server stopped) after ${run.completedEpochs} epoch(s); resume continues from the last checkpoint.`;
    default: return "";
  }
}

/** Follows a queued or running run; when it ends, the document gets a "run-finished" event. */
export function follow(id) {
  if (source) source.close();
  hideResults();
  source = new EventSource(`/api/training/${id}/events`);
  source.addEventListener("state", (e) => showRun(JSON.parse(e.data)));
  source.addEventListener("progress", (e) => {
    const p = JSON.parse(e.data);
    if (!shownRun || shownRun.id !== p.id) return;
    if (live.dataset.status !== "running") setStatus("running");
    showProgress(p.progress, p.epoch, p.epochs, p.imagesPerSecond, p.etaSeconds);
    $("live-note").textContent = `${phaseText(p.phase)} · epoch ${p.epoch}, batch ${p.batch} of ${p.batches}.`;
    addLoss(p.epoch - 1 + p.batch / p.batches, p.loss);
  });
  source.addEventListener("epoch", (e) => {
    const ev = JSON.parse(e.data);
    if (!shownRun || shownRun.id !== ev.id) return;
    addEpoch(ev.metrics);
    $("stat-test").textContent = pct(ev.metrics.testError);
    $("stat-corrections").textContent = correctionsError(ev.metrics);
  });
  source.addEventListener("done", (e) => {
    source.close();
    source = null;
    const run = JSON.parse(e.data);
    showRun(run);
    document.dispatchEvent(new CustomEvent("run-finished", { detail: run }));
    if (run.status === "completed") loadResults(run);
  });
  // after a network error or a server restart EventSource retries by itself, and the next 'state' or
  // 'done' catches up; a refused session (401) is not worth retrying: stop and say so
  const stream = source;
  stream.addEventListener("error", async () => {
    if (await signedIn()) return;
    stream.close();
    if (source === stream) source = null;
    showSignedOut();
  });
}

/** Shows any run: follows it while it is going, else shows its record (and its results once completed). */
export async function show(run) {
  if (isActive(run.status)) { follow(run.id); return; }
  if (source) { source.close(); source = null; }
  const full = await api("GET", `/api/training/${run.id}`);
  showRun(full);
  if (full.status === "completed") await loadResults(full); else hideResults();
}
