// Values as pixels on a canvas: the one painter of the 28x28 digits (the drawing page's input, nudges,
// dreams and saliency maps; the admin pages' test digits and drawings) and of the feature maps and
// vectors, which are grids of values on the same light-to-dark scale. The colours are colour-scales.js's.
import { divergingScale, level, maxAbs, sequentialLegend } from "./colour-scales.js";

/** The side of a digit as the network reads it (MNIST's format), and its number of pixels. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

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
/** The legend of a 28x28 digit's pixels, on drawDigit's scale. */
export const inkLegend = () => sequentialLegend(0, 255, "pixel ink", "light, none", "dark, full");

export const digitCanvas = (pixels, label, className) => drawDigit(labelledCanvas(label, className), pixels);

/** Saliency is shown with small magnitudes emphasised: most of a map's gradient is far below its peak. */
export const SALIENCY_GAMMA = 0.7;

/**
 * A saliency map on a 28x28 canvas, on the diverging scale from minus to plus its largest magnitude
 * (red where more ink adds evidence, blue where it takes some away), the digit's ink darkening it; with
 * alphaOnly just the colours on transparency, to lay over a drawing. The scale is kept in data-scale,
 * for the legend beside it.
 */
export function drawSaliency(canvas, pixels, saliency, alphaOnly) {
  const peak = maxAbs(saliency);
  const colour = divergingScale(peak, SALIENCY_GAMMA);
  canvas.dataset.scale = String(peak);
  return paint(canvas, SIDE, SIDE, (i) => {
    const rgb = colour(saliency[i]);
    if (alphaOnly) return [...rgb, Math.round(200 * Math.min(1, Math.abs(saliency[i]) / peak) ** SALIENCY_GAMMA)];
    const ink = 1 - (0.55 * pixels[i]) / 255; // the digit in grey under the colours
    return [...rgb.map((c) => Math.round(c * ink)), 255];
  });
}
