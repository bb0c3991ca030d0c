// The pages' colour scales and their legends: every canvas that shows numbers as colours asks this
// module for the colour of a value, and every such panel carries a legend drawn from the same
// function, so what a colour means is always written beside it.
//
// Two scales. Sequential, light to dark, for values with no sign of their own (activations, ink).
// Diverging, for signed values (weights, saliency, a nudge's change): ColorBrewer's RdBu, a palette
// made to stay readable to the colour-blind. Its two sides differ in hue along the blue-yellow axis,
// which red-green colour blindness keeps, and on each side the lightness falls steadily with the
// magnitude, so how strong a value is reads from lightness alone. The neutral middle is near-white:
// like the drawing pad, the scaled images are paper in both themes, so a colour means the same thing
// in the light and the dark theme (and in a screenshot of either).

/**
 * One colour per digit, for maps coloured by label (the atlas): Tableau 10, ten hues chosen to stay
 * apart for most colour-blind readers too. Colour is never the only cue: the atlas writes each
 * digit's label on its cluster and names a chosen point's label in text.
 */
export const DIGIT_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** The sequential scale's ends, from the lowest value (light) to the highest (dark). */
export const SEQUENTIAL = [[248, 250, 252], [15, 23, 42]];

/** The diverging scale: ColorBrewer RdBu in 9 classes, from the most negative (blue) through the neutral middle to the most positive (red). */
export const DIVERGING = {
  name: "ColorBrewer RdBu",
  stops: ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"].map(hex),
};

function hex(text) {
  const n = parseInt(text.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at t in [0, 1] along stops, interpolated linearly between neighbouring stops. */
function along(stops, t) {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, k) => Math.round(c + (stops[i + 1][k] - c) * f));
}

/** The sequential colour of value on lo (light) to hi (dark); midway when the range is empty. */
export const level = (value, lo, hi) => along(SEQUENTIAL, hi > lo ? (value - lo) / (hi - lo) : 0.5);

/** value to colour on lo..hi, light to dark. */
export const sequentialScale = (lo, hi) => (value) => level(value, lo, hi);

/**
 * value to colour on the diverging scale from -scale (blue) through 0 (the neutral middle) to scale
 * (red). With gamma below 1 small magnitudes are emphasised (|v|/scale is raised to gamma).
 */
export function divergingScale(scale, gamma = 1) {
  const s = scale > 0 ? scale : 1;
  return (value) => {
    const t = Math.min(1, Math.abs(value) / s) ** gamma;
    return along(DIVERGING.stops, 0.5 + 0.5 * Math.sign(value) * t);
  };
}

/**
 * The text colour for a number written on background rgb: black or white, whichever contrasts
 * more (WCAG relative luminance; the crossing at 0.179 keeps both above 4.5:1 on every colour).
 */
export function inkOn(rgb) {
  const linear = (c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
  return luminance > 0.179 ? "#000000" : "#ffffff";
}

/** The largest magnitude of values, never 0 (a scale needs a range). */
export const maxAbs = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);

/** A number for a legend: three significant digits, a true minus sign. */
export function formatValue(value) {
  const text = String(Number(Math.abs(value).toPrecision(3)));
  return value < 0 && text !== "0" ? `−${text}` : text;
}

const BAR_STEPS = 64;

/**
 * A legend for a colour scale: a small horizontal bar painted by the painter's own colour function
 * over lo..hi, its end values, and a one-line caption, announced as one image whose label says the
 * range and what the ends mean (text, not colour alone). data-lo and data-hi hold the exact ends.
 * low and high name the ends ("light, low", "blue, less evidence"); format writes the end values
 * (three significant digits unless a legend of counts asks for them whole).
 */
export function legend(colour, lo, hi, { caption, low, high, format = formatValue }) {
  const root = document.createElement("div");
  root.className = "legend";
  root.dataset.lo = String(lo);
  root.dataset.hi = String(hi);
  root.setAttribute("role", "img");
  root.setAttribute("aria-label", `Colour scale, ${caption}: ${format(lo)} (${low}) to ${format(hi)} (${high})`);
  const bar = document.createElement("canvas");
  bar.className = "legend-bar";
  bar.width = BAR_STEPS;
  bar.height = 1;
  const ctx = bar.getContext("2d");
  const image = ctx.createImageData(BAR_STEPS, 1);
  for (let i = 0; i < BAR_STEPS; i++) image.data.set([...colour(lo + ((hi - lo) * i) / (BAR_STEPS - 1)), 255], i * 4);
  ctx.putImageData(image, 0, 0);
  const text = (value, className) => {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = value;
    return span;
  };
  root.append(text(caption, "legend-caption"), text(format(lo), "legend-lo"), bar, text(format(hi), "legend-hi"));
  return root;
}

/** A legend of the sequential scale over lo..hi. */
export const sequentialLegend = (lo, hi, caption, low = "light", high = "dark") =>
  legend(sequentialScale(lo, hi), lo, hi, { caption, low, high });

/** A legend of the diverging scale over -scale..scale. */
export const divergingLegend = (scale, caption, { gamma = 1, low = "blue, negative", high = "red, positive" } = {}) =>
  legend(divergingScale(scale, gamma), -scale, scale, { caption, low, high });
