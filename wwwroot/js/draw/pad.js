// The drawing pad: a canvas for mouse, touch and pen (pointer events), with undo and clear. Strokes
// are kept in pad units (0..1 of its side), so the drawing survives a resize.

export const REFERENCE_SIZE = 280; // pen widths are given for a 280 px pad and scale with it

/**
 * Wires the pad up; onChange(now) is called whenever the drawing changes (now: a stroke ended, or
 * the drawing was undone or cleared). Returns what the page needs to ask about the drawing.
 */
export function createPad({ pad, hint, undoButton, clearButton, pen, penValue }, onChange) {
  const ctx = pad.getContext("2d");
  /** Strokes in pad units, each with its pen width in the same units. */
  const strokes = [];
  let current = null;
  let version = 0;
  let began = 0; // when the drawing's first stroke began: points keep their time since then

  function changed(now) {
    version++;
    pad.dataset.version = String(version);
    onChange(now);
  }

  function resize() {
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
      t: Math.max(0, event.timeStamp - began),
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
    if (strokes.length === 0) began = event.timeStamp;
    const pointerType = ["mouse", "pen", "touch"].includes(event.pointerType) ? event.pointerType : "mouse";
    current = { id: event.pointerId, pointerType, width: Number(pen.value) / REFERENCE_SIZE, points: [point(event)] };
    strokes.push(current);
    changed(false);
    scheduleRedraw();
  });

  pad.addEventListener("pointermove", (event) => {
    if (!current || event.pointerId !== current.id) return;
    event.preventDefault();
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    for (const e of events.length ? events : [event]) current.points.push(point(e));
    changed(false);
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
  window.addEventListener("resize", resize);
  resize();

  return {
    /** Bumped on every change: an answer is for the version it was asked for. */
    get version() { return version; },
    get isEmpty() { return strokes.length === 0; },
    toDataURL: () => pad.toDataURL("image/png"),
    /** The strokes as POST /api/corrections keeps them: pointer type, pen width and [x, y, ms since the drawing began] points. */
    strokes: () => strokes.map((s) => ({
      pointerType: s.pointerType,
      width: +s.width.toFixed(4),
      points: s.points.map((p) => [+p.x.toFixed(4), +p.y.toFixed(4), +p.t.toFixed(1)]),
    })),
    /** Replaces the drawing with strokes in the form strokes() gives (a link's, whose times are 0), as if just drawn. */
    load(list) {
      strokes.length = 0;
      current = null;
      began = performance.now(); // strokes drawn after these keep their times from now
      for (const s of list) {
        strokes.push({ id: null, pointerType: s.pointerType, width: s.width, points: s.points.map(([x, y, t]) => ({ x, y, t })) });
      }
      redraw();
      changed(true);
    },
    /** The question changed without the drawing (another model): a new version, asked at once. */
    touch: () => changed(true),
  };
}
