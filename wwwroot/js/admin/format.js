// Numbers, times and table cells as the admin page shows them.
export const pct = (x) => x == null ? "–" : (100 * x).toFixed(2) + "%";
export const num = (x) => x == null ? "–" : Math.round(x).toLocaleString("en");
export const when = (t) => t ? new Date(t).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "–";
export const network = (s) => `${s.architecture} · ${s.pooling} · ${s.output}`;

export function duration(s) {
  if (s == null || !isFinite(s)) return "–";
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}

export function cell(row, content, className) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content); else td.textContent = content;
  if (className) td.className = className;
  row.append(td);
  return td;
}

/** A link styled as a small button (downloads). */
export function link(label, href, ariaLabel) {
  const a = document.createElement("a");
  a.className = "btn btn-small";
  a.href = href;
  a.textContent = label;
  a.setAttribute("aria-label", ariaLabel);
  return a;
}

export function button(label, ariaLabel, onClick, disabled) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "btn btn-small";
  b.textContent = label;
  b.setAttribute("aria-label", ariaLabel);
  b.disabled = !!disabled;
  b.addEventListener("click", onClick);
  return b;
}

export function badge(status) {
  const span = document.createElement("span");
  span.className = "badge badge-" + status;
  span.textContent = status;
  return span;
}
