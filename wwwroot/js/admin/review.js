// The review page: the gallery of contributed drawings, filtered through GET /api/corrections, the
// per-digit counts, and review from the keyboard: digit keys relabel (and accept), Enter accepts,
// X rejects as not a digit, Delete removes; the arrow keys move between drawings. "Delete all rejected"
// removes every rejected drawing at once, which frees their room under the server's caps.
import { api } from "./api.js";
import { cell } from "./format.js";
import { digitCanvas } from "../digit-canvas.js";

const $ = (id) => document.getElementById(id);
const gallery = $("gallery");
const filters = $("filters");
const PAGE = 48;

let items = [];    // the drawings shown, newest first
let selected = -1; // index into items
let next = null;   // id for the next (older) page

function query(before) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const el of filters.elements) if (el.name && el.value !== "") q.set(el.name, el.value);
  if (before) q.set("before", String(before));
  return `/api/corrections?${q}`;
}

async function load(more = false) {
  try {
    const page = await api("GET", query(more ? next : null));
    items = more ? items.concat(page.items) : page.items;
    next = page.next;
    showCounts(page.counts);
    render(more ? selected : 0);
    $("review-status").textContent = page.total === 1 ? "1 drawing matches." : `${page.total} drawings match.`;
  } catch (e) {
    $("review-status").textContent = e.message;
  }
}

function showCounts(counts) {
  const body = $("counts").tBodies[0];
  body.replaceChildren();
  const rows = [["pending", (c) => c.pending], ["accepted", (c) => c.accepted], ["of which test", (c) => c.acceptedTest], ["rejected", (c) => c.rejected]];
  for (const [name, value] of rows) {
    const row = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    row.append(th);
    for (const c of counts) cell(row, String(value(c)), "num").dataset.digit = String(c.label);
    row.dataset.row = name;
  }
}

function card(item, index) {
  const li = document.createElement("li");
  li.setAttribute("role", "option");
  li.dataset.id = String(item.id);
  li.dataset.status = item.status;
  li.dataset.label = String(item.label);
  li.tabIndex = -1;
  const canvas = digitCanvas(item.pixels, `drawing ${item.id}: labelled ${item.label}, the model said ${item.predicted}`);
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = `It's a ${item.label}`;
  const said = document.createElement("span");
  said.className = "said";
  said.textContent = `${item.model} said ${item.predicted}${item.rejected ? " (not sure)" : ""}`;
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.textContent = item.status === "accepted" ? `accepted · ${item.split}` : item.status;
  li.append(canvas, label, said, badge);
  li.addEventListener("click", () => select(index, true));
  return li;
}

function render(keep) {
  gallery.replaceChildren(...items.map(card));
  gallery.dataset.count = String(items.length);
  $("empty").hidden = items.length > 0;
  $("more").hidden = !next;
  select(Math.min(Math.max(keep, 0), items.length - 1), false);
}

function select(index, focus) {
  selected = items.length ? index : -1;
  [...gallery.children].forEach((li, i) => {
    li.setAttribute("aria-selected", String(i === selected));
    li.tabIndex = i === selected ? 0 : -1;
  });
  for (const id of ["accept", "reject", "remove"]) $(id).disabled = selected < 0;
  if (focus && selected >= 0) gallery.children[selected].focus();
}

/** Applies a verdict to the chosen drawing; it leaves the gallery when it no longer matches the status filter. */
async function review(action) {
  if (selected < 0) return;
  const item = items[selected];
  try {
    let changed = null;
    if (action.kind === "delete") await api("DELETE", `/api/corrections/${item.id}`);
    else if (action.kind === "relabel") changed = await api("POST", `/api/corrections/${item.id}/relabel`, { label: action.label });
    else changed = await api("POST", `/api/corrections/${item.id}/${action.kind}`);
    const status = filters.elements.status.value, label = filters.elements.label.value;
    const stays = changed && (!status || changed.status === status) && (!label || String(changed.label) === label);
    if (stays) items[selected] = changed;
    else items.splice(selected, 1);
    $("review-status").textContent = action.kind === "delete" ? `Drawing ${item.id} removed.`
      : `Drawing ${item.id}: ${changed.status}, labelled ${changed.label}.`;
    const page = await api("GET", "/api/corrections?limit=1");
    showCounts(page.counts);
    render(stays ? selected + 1 : selected);
    if (selected >= 0) gallery.children[selected].focus();
  } catch (e) {
    $("review-status").textContent = e.message;
  }
}

/** Deletes every rejected drawing in one request, which frees their room under the server's caps on drawings and bytes. */
async function deleteRejected() {
  if (!confirm("Delete every rejected drawing for good?")) return;
  try {
    const { count } = await api("POST", "/api/corrections/bulk", { action: "delete", status: "rejected" });
    await load();
    $("review-status").textContent = count === 1 ? "1 rejected drawing deleted." : `${count} rejected drawings deleted.`;
  } catch (e) {
    $("review-status").textContent = e.message;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.target.closest("select, input, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  const columns = Math.max(1, Math.round(gallery.clientWidth / (gallery.children[0]?.offsetWidth || gallery.clientWidth)));
  const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns };
  if (event.key in moves && items.length) { event.preventDefault(); select(Math.min(items.length - 1, Math.max(0, selected + moves[event.key])), true); }
  else if (/^[0-9]$/.test(event.key)) { event.preventDefault(); review({ kind: "relabel", label: Number(event.key) }); }
  else if (event.key === "Enter" && !event.target.closest("button, a")) { event.preventDefault(); review({ kind: "accept" }); }
  else if (event.key === "x" || event.key === "X") { event.preventDefault(); review({ kind: "reject" }); }
  else if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); review({ kind: "delete" }); }
});
$("accept").addEventListener("click", () => review({ kind: "accept" }));
$("reject").addEventListener("click", () => review({ kind: "reject" }));
$("remove").addEventListener("click", () => review({ kind: "delete" }));
$("delete-rejected").addEventListener("click", deleteRejected);
$("more").addEventListener("click", () => load(true));
filters.addEventListener("change", () => load());
await load();
