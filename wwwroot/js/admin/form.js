// The settings form. Every field left empty takes the network's recipe: the placeholders show the
// recipe of the chosen architecture, output and pooling (among the poolings the architecture tells
// apart), from the server's vocabulary.
import { vocabulary } from "../vocabulary.js";
import { api } from "./api.js";
import { follow } from "./live.js";
import { loadRuns } from "./lists.js";

const $ = (id) => document.getElementById(id);
const form = $("train-form");

function showRecipe() {
  const architecture = form.elements.architecture.value, output = form.elements.output.value;
  const poolings = vocabulary.poolings[architecture];
  const pooling = poolings.includes(form.elements.pooling.value) ? form.elements.pooling.value : poolings[0];
  const recipe = vocabulary.recipes.find((r) => r.architecture === architecture && r.output === output && r.pooling === pooling);
  if (!recipe) return;
  for (const input of form.querySelectorAll("[data-recipe]")) input.placeholder = String(recipe[input.dataset.recipe]);
}

/** The form as a request body: the fields filled in, every checkbox. */
function settings() {
  const body = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") body[el.name] = el.checked;
    else if (el.value.trim() !== "") body[el.name] = el.type === "number" ? Number(el.value) : el.value;
  }
  return body;
}

async function submit(event) {
  event.preventDefault();
  const error = $("form-error");
  error.textContent = "";
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const start = $("start");
  start.disabled = true;
  try {
    const accepted = await api("POST", "/api/training", settings());
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
}

export function initForm() {
  form.elements.architecture.addEventListener("change", showRecipe);
  form.elements.output.addEventListener("change", showRecipe);
  form.elements.pooling.addEventListener("change", showRecipe);
  form.addEventListener("submit", submit);
  showRecipe();
}
