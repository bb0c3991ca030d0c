// "Wrong? It's a …": after an answer (or "not sure"), one tap on the right digit sends the drawing to
// POST /api/corrections with its strokes, the answer shown and the model that gave it.

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
    try {
      const body = { label, image: pad.toDataURL(), strokes: pad.strokes(), predicted: shown.digit };
      if (model()) body.model = model();
      const response = await fetch("/api/corrections", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.title || `The server answered ${response.status}.`);
      root.dataset.state = "sent";
      root.dataset.id = String(answer.id);
      status.textContent = answer.duplicate
        ? `Thanks: this drawing was sent before (#${answer.id}); it is waiting for review.`
        : `Thanks: kept as #${answer.id} for review. Draw another?`;
    } catch (e) {
      root.dataset.state = "error";
      status.textContent = e.message || "The server could not be reached; try again.";
      for (const b of buttons) b.disabled = false;
      button.removeAttribute("aria-pressed");
    } finally {
      sending = false;
    }
  }

  for (const b of buttons) b.addEventListener("click", () => send(Number(b.dataset.digit), b));
  return { offer, withdraw };
}
