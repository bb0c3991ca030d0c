// Values as pixels on a canvas: the one painter of the 28x28 digits (the drawing page's input, nudges,
// dreams and saliency maps; the admin pages' test digits and drawings) and of the feature maps and
// vectors, which are grids of values on the same light-to-dark scale.

/** The side of a digit as the network reads it (MNIST's format), and its number of pixels. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

const LIGHT = [248, 250, 252];
const DARK = [15, 23, 42];

/** The colour of value on a light (lo) to dark (hi) scale; midway when the range is empty. */
export function level(value, lo, hi) {
  const t = hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 0.5;
  return [0, 1, 2].map((i) => Math.round(LIGHT[i] + (DARK[i] - LIGHT[i]) * t));
}

/** Columns of the grid a vector of count values is drawn as: a row when short, 12x10 for 120, otherwise about square. */
export const vectorColumns = (count) => (count <= 10 ? count : count === 120 ? 12 : Math.ceil(Math.sqrt(count)));

/** Fills the canvas, sized width x height, with rgba(i) = [r, g, b, a] of each pixel, row-major. */
export function paint(canvas, width, height, rgba) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; i++) image.data.set(rgba(i), i * 4);
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** A new canvas that is announced as an image with the label. */
export function labelledCanvas(label, className) {
  const canvas = document.createElement("canvas");
  if (className) canvas.className = className;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  return canvas;
}

/** Values (row-major, width x height, from offset) on the light-to-dark scale from lo to hi. */
export const paintValues = (canvas, values, offset, width, height, lo, hi) =>
  paint(canvas, width, height, (i) => [...level(values[offset + i], lo, hi), 255]);

/** Draws 784 pixels (0 background, 255 ink) on a 28x28 canvas, ink dark on light. */
export const drawDigit = (canvas, pixels) => paintValues(canvas, pixels, 0, SIDE, SIDE, 0, 255);

/** A new labelled 28x28 canvas of 784 pixels. */
export const digitCanvas = (pixels, label, className) => drawDigit(labelledCanvas(label, className), pixels);

/**
 * A saliency map on a 28x28 canvas: red where more ink adds evidence, blue where it takes some away,
 * over the digit in grey; with alphaOnly just the colours on transparency, to lay over a drawing.
 */
export function drawSaliency(canvas, pixels, saliency, alphaOnly) {
  const peak = saliency.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
  return paint(canvas, SIDE, SIDE, (i) => {
    const t = Math.min(1, Math.abs(saliency[i]) / peak) ** 0.7;
    const grey = 255 - 0.55 * pixels[i];
    const [r, g, b] = saliency[i] >= 0 ? [220, 38, 38] : [37, 99, 235];
    const mix = (c) => Math.round(grey + (c - grey) * t);
    return alphaOnly ? [r, g, b, Math.round(200 * t)] : [mix(r), mix(g), mix(b), 255];
  });
}
