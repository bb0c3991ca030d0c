// The admin page: start runs, follow the live one, draw its curves, and manage the models.
import { initForm } from "./form.js";
import { cancel, loadModels, loadRuns, refreshLists, resume, showListError } from "./lists.js";
import { show, shown } from "./live.js";

const $ = (id) => document.getElementById(id);

$("cancel-live").addEventListener("click", () => shown() && cancel(shown().id));
$("resume-live").addEventListener("click", () => shown() && resume(shown().id));
document.addEventListener("run-finished", () => refreshLists());
initForm();

// at start: show the newest run, and follow it if it is still going
try {
  const [runs] = await Promise.all([loadRuns(), loadModels()]);
  if (runs.length) await show(runs[0]);
} catch (e) {
  showListError(e);
}
