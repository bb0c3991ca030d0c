// Links to a drawing or to an MNIST test digit: the one owner of what the page's URL fragment holds.
//   #d=<base64url of deflate-raw bytes>&model=ID   a drawing's strokes (below), and the model that answered
//   #test=INDEX&model=ID                           MNIST test digit INDEX (0-9999)
// Everything stays in the fragment, which browsers never send, so a link stores nothing on the server.
//
// The drawing's bytes, version 1 (unsigned LEB128 varints; signed values zigzag-encoded first):
//   version (1 byte) · stroke count · per stroke: pointer type (0 mouse, 1 pen, 2 touch), pen width in
//   eighths of a reference pixel (pad.js's REFERENCE_SIZE), point count, then each point as the change
//   of (x, y) from the previous point (the previous stroke's last; (0, 0) first), in GRID units.
// Times are left out: a link redraws the digit, it does not replay it.
import { REFERENCE_SIZE } from "./pad.js";

const VERSION = 1;
/** Coordinates are kept in 1/GRID of the pad's side: finer than a device pixel of any pad the page lays out. */
const GRID = 4096;
const WIDTH_STEPS = 8; // pen widths in eighths of a reference pixel: the pen's whole-pixel widths come back exactly
const POINTER_TYPES = ["mouse", "pen", "touch"];
// what a link may make the page decode: far more than a drawing holds, far less than would hang it
const MAX_FRAGMENT = 64 * 1024, MAX_BYTES = 512 * 1024, MAX_STROKES = 1000, MAX_POINTS = 100_000;
export const TEST_COUNT = 10_000;

/** A link that cannot be read: the page says so and carries on without it. */
export class LinkError extends Error {}

/** The fragment of a link to the drawing (pad.strokes() form) answered by model; a promise, since compression streams. */
export async function drawingFragment(strokes, model) {
  const bytes = await squeeze(encode(strokes), new CompressionStream("deflate-raw"), Infinity);
  return fragment({ d: toBase64Url(bytes), model });
}

/** The fragment of a link to MNIST test digit index. */
export const testFragment = (index, model) => fragment({ test: String(index), model });

/**
 * What a location.hash links to: null for none; { strokes, model } for a drawing (strokes in the form
 * pad.load takes); { test, model } for a test digit. Throws LinkError for one that cannot be read.
 */
export async function readFragment(hash) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (!text) return null;
  if (text.length > MAX_FRAGMENT) throw new LinkError("too long");
  const params = new URLSearchParams(text);
  const model = params.get("model") || null;
  if (params.has("test")) {
    const raw = params.get("test");
    const index = /^\d{1,5}$/.test(raw) ? Number(raw) : -1;
    if (index < 0 || index >= TEST_COUNT) throw new LinkError(`no test digit ${raw}`);
    return { test: index, model };
  }
  if (params.has("d")) {
    let bytes;
    try {
      bytes = await squeeze(fromBase64Url(params.get("d")), new DecompressionStream("deflate-raw"), MAX_BYTES);
    } catch (error) {
      throw error instanceof LinkError ? error : new LinkError("not compressed drawing data");
    }
    return { strokes: decode(bytes), model };
  }
  return null; // a fragment of something else (an anchor): not a link of ours
}

function fragment(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return "#" + params.toString();
}

// ---- the bytes ----

function encode(strokes) {
  const out = [VERSION];
  const put = (n) => { do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); };
  const zigzag = (n) => (n < 0 ? -2 * n - 1 : 2 * n);
  const q = (v) => Math.round(Math.min(1, Math.max(0, v)) * GRID);
  put(strokes.length);
  let px = 0, py = 0;
  for (const s of strokes) {
    out.push(Math.max(0, POINTER_TYPES.indexOf(s.pointerType)));
    put(Math.round(s.width * REFERENCE_SIZE * WIDTH_STEPS));
    put(s.points.length);
    for (const [x, y] of s.points) {
      const gx = q(x), gy = q(y);
      put(zigzag(gx - px));
      put(zigzag(gy - py));
      px = gx; py = gy;
    }
  }
  return new Uint8Array(out);
}

function decode(bytes) {
  let at = 0;
  const byte = () => { if (at >= bytes.length) throw new LinkError("cut short"); return bytes[at++]; };
  const get = () => {
    let n = 0, scale = 1, b;
    do {
      b = byte();
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (scale > 2 ** 35) throw new LinkError("a number too large");
    } while (b & 0x80);
    return n;
  };
  const unzigzag = (n) => (n % 2 ? -(n + 1) / 2 : n / 2);
  const coordinate = (v) => { if (v < 0 || v > GRID) throw new LinkError("a point off the pad"); return v / GRID; };

  if (byte() !== VERSION) throw new LinkError("an unknown version");
  const count = get();
  if (count < 1 || count > MAX_STROKES) throw new LinkError("no drawing");
  const strokes = [];
  let px = 0, py = 0, total = 0;
  for (let i = 0; i < count; i++) {
    const type = POINTER_TYPES[byte()];
    if (!type) throw new LinkError("an unknown pointer type");
    const steps = get();
    if (steps < 1 || steps > 200 * WIDTH_STEPS) throw new LinkError("a pen width out of range");
    const n = get();
    total += n;
    if (n < 1 || total > MAX_POINTS) throw new LinkError("too many points");
    const points = [];
    for (let j = 0; j < n; j++) {
      px += unzigzag(get());
      py += unzigzag(get());
      points.push([coordinate(px), coordinate(py), 0]);
    }
    strokes.push({ pointerType: type, width: steps / WIDTH_STEPS / REFERENCE_SIZE, points });
  }
  if (at !== bytes.length) throw new LinkError("bytes after the drawing");
  return strokes;
}

/** The bytes through a compression stream, refusing more than max bytes out (a small link can inflate to a lot). */
async function squeeze(bytes, stream, max) {
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > max) { reader.cancel().catch(() => {}); throw new LinkError("too large"); }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function toBase64Url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new LinkError("not base64url");
  let binary;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    throw new LinkError("not base64url");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
