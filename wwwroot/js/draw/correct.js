// "Wrong? It's a …": after an answer (or "not sure"), one tap on the right digit sends the drawing to
// POST /api/corrections with its strokes, the answer shown and the model that gave it.
import { postJson, problemText } from "./api.js";

/** Wires the offer up; returns what the page calls as answers come and go. Does nothing when the page has no offer (Corrections:Enabled off). */
export function createCorrector({ root, status }, { pad, model }) {
  if (!root) return { offer() {}, withdraw() {} };
  const buttons = [...root.querySelectorAll(".correct-digit")];
  let shown = null; // the answer on screen: { digit, version }
  let sending = false;

  function offer(answer, version) {
    shown = { digit: answer.digit, version };
    root.hidden = false;
    root.dataset.state = "offered";
    status.textContent = "";
    for (const b of buttons) { b.disabled = false; b.removeAttribute("aria-pressed"); }
  }

  function withdraw() {
    shown = null;
    root.hidden = true;
    root.dataset.state = "idle";
  }

  async function send(label, button) {
    if (!shown || sending || shown.version !== pad.version) return;
    sending = true;
    for (const b of buttons) b.disabled = true;
    button.setAttribute("aria-pressed", "true");
    status.textContent = "Sending…";
    const drawing = { label, image: pad.toDataURL(), strokes: pad.strokes(), predicted: shown.digit };
    if (model()) drawing.model = model();
    const answer = await postJson("/api/corrections", drawing);
    sending = false;
    if (!answer.ok) {
      root.dataset.state = "error";
      status.textContent = problemText(answer);
      for (const b of buttons) b.disabled = false;
      button.removeAttribute("aria-pressed");
      return;
    }
    const { id, duplicate } = answer.body;
    root.dataset.state = "sent";
    root.dataset.id = String(id);
    status.textContent = duplicate
      ? `Thanks: this drawing was sent before (#${id}); it is waiting for review.`
      : `Thanks: kept as #${id} for review. Draw another?`;
  }

  for (const b of buttons) b.addEventListener("click", () => send(Number(b.dataset.digit), b));
  return { offer, withdraw };
}
