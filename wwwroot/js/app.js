// The drawing page: a canvas for mouse, touch and pen (pointer events), undo and clear, and live,
// debounced predictions through POST /api/predict?details=true.
(function () {
  "use strict";

  const REFERENCE_SIZE = 280; // pen widths are given for a 280 px pad and scale with it
  const DEBOUNCE_MS = 180;

  const pad = document.getElementById("pad");
  const hint = document.getElementById("pad-hint");
  const undoButton = document.getElementById("undo");
  const clearButton = document.getElementById("clear");
  const pen = document.getElementById("pen");
  const penValue = document.getElementById("pen-value");
  const modelPicker = document.getElementById("model");
  const result = document.getElementById("result");
  const digitOut = document.getElementById("digit");
  const verdict = document.getElementById("verdict");
  const confidenceOut = document.getElementById("confidence");
  const timing = document.getElementById("timing");
  const seen = document.getElementById("seen");
  const maps = document.getElementById("maps");
  const prototypes = JSON.parse(maps.dataset.prototypes || "null");
  const ctx = pad.getContext("2d");

  /** Strokes in pad units (0..1 of its side), each with its pen width in the same units. */
  const strokes = [];
  let current = null;
  let version = 0;

  // ---- drawing ----

  function resizePad() {
    const side = pad.getBoundingClientRect().width;
    const ratio = window.devicePixelRatio || 1;
    const pixels = Math.max(1, Math.round(side * ratio));
    if (pad.width !== pixels || pad.height !== pixels) {
      pad.width = pixels;
      pad.height = pixels;
    }
    redraw();
  }

  function redraw() {
    ctx.clearRect(0, 0, pad.width, pad.height);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";
    ctx.fillStyle = "#111827";
    for (const stroke of strokes) drawStroke(stroke);
    hint.hidden = strokes.length > 0;
    undoButton.disabled = strokes.length === 0;
    clearButton.disabled = strokes.length === 0;
  }

  /** A smooth curve: quadratic segments through the midpoints of the recorded points. */
  function drawStroke(stroke) {
    const s = pad.width;
    const pts = stroke.points;
    ctx.lineWidth = stroke.width * s;
    if (pts.length === 1) {
      ctx.beginPath();
      ctx.arc(pts[0].x * s, pts[0].y * s, (stroke.width * s) / 2, 0, Math.PI * 2);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(pts[0].x * s, pts[0].y * s);
    for (let i = 1; i < pts.length - 1; i++) {
      const mx = (pts[i].x + pts[i + 1].x) / 2;
      const my = (pts[i].y + pts[i + 1].y) / 2;
      ctx.quadraticCurveTo(pts[i].x * s, pts[i].y * s, mx * s, my * s);
    }
    const last = pts[pts.length - 1];
    ctx.lineTo(last.x * s, last.y * s);
    ctx.stroke();
  }

  function point(event) {
    const rect = pad.getBoundingClientRect();
    return {
      x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)),
      y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)),
    };
  }

  let frame = 0;
  function scheduleRedraw() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; redraw(); });
  }

  pad.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    event.preventDefault();
    try { pad.setPointerCapture(event.pointerId); } catch { /* a synthetic pointer cannot be captured */ }
    current = { id: event.pointerId, width: Number(pen.value) / REFERENCE_SIZE, points: [point(event)] };
    strokes.push(current);
    changed();
    scheduleRedraw();
  });

  pad.addEventListener("pointermove", (event) => {
    if (!current || event.pointerId !== current.id) return;
    event.preventDefault();
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) current.points.push(point(e));
    changed();
    scheduleRedraw();
  });

  function endStroke(event) {
    if (!current || event.pointerId !== current.id) return;
    current = null;
    changed(true);
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);

  function undo() {
    if (!strokes.length) return;
    strokes.pop();
    current = null;
    redraw();
    changed(true);
  }

  function clear() {
    strokes.length = 0;
    current = null;
    redraw();
    changed(true);
  }

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);
  pen.addEventListener("input", () => { penValue.value = pen.value; });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { event.preventDefault(); undo(); }
    else if (event.key === "Escape") clear();
  });
  if (modelPicker) modelPicker.addEventListener("change", () => changed(true));
  window.addEventListener("resize", resizePad);

  // ---- predictions ----

  let timer = 0;
  let inFlight = false;
  let wanted = 0;

  /** The drawing changed: predict again once it rests for a moment (at once when a stroke ends). */
  function changed(now) {
    version++;
    pad.dataset.version = String(version);
    clearTimeout(timer);
    timer = setTimeout(predict, now ? 0 : DEBOUNCE_MS);
  }

  async function predict() {
    wanted = version;
    if (inFlight) return; // the answer in flight is followed by one for the latest drawing
    if (!strokes.length) { showIdle(version); return; }
    inFlight = true;
    const asked = version;
    result.dataset.state = "busy";
    try {
      const query = new URLSearchParams({ details: "true" });
      if (modelPicker) query.set("model", modelPicker.value);
      const response = await fetch(`/api/predict?${query}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ image: pad.toDataURL("image/png") }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) showResult(body, asked);
      else showProblem(response.status, body, asked);
    } catch (error) {
      showProblem(0, { title: "The server could not be reached; check your connection." }, asked);
    } finally {
      inFlight = false;
      if (wanted !== asked) predict();
    }
  }

  function finish(state, asked) {
    result.dataset.state = state;
    result.dataset.version = String(asked);
  }

  function showIdle(asked) {
    digitOut.textContent = "?";
    digitOut.className = "digit";
    verdict.textContent = "Draw a digit to start.";
    confidenceOut.textContent = "";
    timing.textContent = "";
    seen.getContext("2d").clearRect(0, 0, 28, 28);
    updateChart(new Array(10).fill(0), -1);
    maps.replaceChildren(placeholder("The feature maps appear when you draw."));
    finish("idle", asked);
  }

  function showResult(body, asked) {
    const sure = !body.rejected;
    digitOut.textContent = sure ? String(body.digit) : "?";
    digitOut.className = "digit " + (sure ? "sure" : "unsure");
    digitOut.dataset.digit = String(body.digit);
    const a = body.digit === 8 ? "an" : "a";
    verdict.textContent = sure ? `It's ${a} ${body.digit}.` : `Not sure this is a digit. It looks most like ${a} ${body.digit}.`;
    confidenceOut.textContent = `Confidence ${(100 * body.confidence).toFixed(1)}%`;
    timing.textContent = `${body.model} · ${body.elapsedMs.toFixed(1)} ms on the server`;
    if (body.input) window.LeNetMaps.drawInput(seen, body.input);
    updateChart(body.probabilities, body.digit);
    window.LeNetMaps.render(maps, body, prototypes);
    result.dataset.digit = String(body.digit);
    result.dataset.rejected = String(body.rejected);
    finish("done", asked);
  }

  function showProblem(status, body, asked) {
    if (status === 422) {
      digitOut.textContent = "?";
      digitOut.className = "digit";
      verdict.textContent = "Nothing to read yet: draw a bit more.";
      confidenceOut.textContent = "";
      finish("blank", asked);
      return;
    }
    verdict.textContent = body.title || `The server answered ${status}.`;
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
  function updateChart(probabilities, digit) {
    const colors = probabilities.map((_, i) => (i === digit ? "#f59e0b" : "#64748b"));
    if (!window.Chart) return;
    if (!chart) {
      chart = new window.Chart(document.getElementById("chart"), {
        type: "bar",
        data: {
          labels: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
          datasets: [{ label: "Probability", data: probabilities, backgroundColor: colors, borderRadius: 4 }],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false, // live updates: show each answer as it comes
          scales: {
            y: { min: 0, max: 1, ticks: { callback: (v) => `${Math.round(v * 100)}%` }, grid: { color: "#e2e8f0" } },
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
    chart.data.datasets[0].backgroundColor = colors;
    chart.update();
  }

  resizePad();
  updateChart(new Array(10).fill(0), -1);
})();
