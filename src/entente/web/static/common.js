// Shared helpers of the entente pages. Every piece of scenario or user text goes into the page
// through textContent (el / text), never parsed as HTML, so markup in a label shows as text.
(function () {
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function $(id) { return document.getElementById(id); }
function fmt(u) { return u === null || u === undefined ? "–" : Number(u).toFixed(3); }

function showError(message) {
  const box = $("error");
  if (box) box.textContent = message || "";
}

async function api(method, url, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const msg = data && data.error ? data.error : `${r.status} ${r.statusText}`;
    throw new Error(msg);
  }
  return data;
}

async function draw(node, spec) {
  clear(node);
  if (!spec) return;
  try {
    await window.vegaEmbed(node, spec, { actions: false, renderer: "svg" });
  } catch (e) {
    node.appendChild(el("p", { class: "muted" }, "chart: " + e.message));
  }
}

// Re-run `onEvent` on every server-sent event of `channel` (reconnects by itself).
function listen(channel, onEvent) {
  const source = new EventSource("/api/events/" + encodeURIComponent(channel));
  source.onmessage = (m) => {
    let ev = null;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    onEvent(ev);
  };
  return source;
}

function outcomeTable(scenario, outcome, extra) {
  const t = el("table", {}, el("tr", {}, el("th", {}, "issue"), el("th", {}, "option"), ...(extra ? [el("th", {}, extra.title)] : [])));
  for (const iss of scenario.issues) {
    const opt = iss.options.find((o) => o.id === outcome[iss.id]);
    t.appendChild(el("tr", {}, el("td", {}, iss.name), el("td", {}, opt ? opt.label : String(outcome[iss.id])),
      ...(extra ? [el("td", {}, extra.cell(iss))] : [])));
  }
  return t;
}

// One global name, so nothing clashes with the names of Vega's bundle.
window.ententeUI = { el, clear, $, fmt, showError, api, draw, listen, outcomeTable };
})();
