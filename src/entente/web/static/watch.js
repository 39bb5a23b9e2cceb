(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen, outcomeTable } = window.ententeUI;
// Step through a stored negotiation round by round: the server draws each round's figures
// (entente.report), the page shows them; play advances one round every PERIOD ms.
const PERIOD = 900;
const watchId = location.pathname.startsWith("/watch/") ? location.pathname.split("/").filter(Boolean).pop() : null;
let info = null;
let at = 0;
let timer = null;
let drawing = false;

async function setup() {
  const cat = await api("GET", "/api/catalog");
  for (const s of cat.scenarios) $("scenario").appendChild(el("option", { value: s.ref }, s.title));
  for (const p of cat.protocols) $("protocol").appendChild(el("option", { value: p.name }, p.name));
  for (const n of cat.strategies) $("strategy-names").appendChild(el("option", { value: n }));
  await showParties();
  $("scenario").addEventListener("change", () => showParties().catch((e) => showError(e.message)));
  $("run").addEventListener("click", run);
  $("trace-form").addEventListener("submit", replayTrace);
}

async function showParties() {
  const sc = await api("GET", "/api/scenarios/" + encodeURIComponent($("scenario").value));
  const box = clear($("strategies"));
  for (const p of sc.parties) {
    box.appendChild(el("label", {}, p.name + " ", el("input", { type: "text", class: "strategy", "data-party": p.id, list: "strategy-names", value: p.strategy, size: 30 })));
  }
}

async function run() {
  showError("");
  const strategies = {};
  for (const i of document.querySelectorAll("input.strategy")) strategies[i.dataset.party] = i.value.trim();
  const body = { scenario: $("scenario").value, strategies, seed: Number($("seed").value) };
  if ($("protocol").value) body.protocol = $("protocol").value;
  if ($("deadline").value) body.deadline = Number($("deadline").value);
  try { location.href = (await api("POST", "/api/watch", body)).url; } catch (e) { showError(e.message); }
}

async function replayTrace(ev) {
  ev.preventDefault();
  showError("");
  const f = $("trace").files[0];
  if (!f) { showError("choose a trace file"); return; }
  const form = new FormData();
  form.append("scenario", $("scenario").value);
  form.append("trace", f);
  try { location.href = (await api("POST", "/api/watch", form)).url; } catch (e) { showError(e.message); }
}

async function show(n) {
  at = Math.max(0, Math.min(n, info.rounds));
  $("slider").value = at;
  $("where").textContent = `round ${at} of ${info.rounds}`;
  const moves = clear($("moves"));
  const t = el("table", { id: "move-list" }, el("tr", {}, el("th", {}, "round"), el("th", {}, "who"), el("th", {}, "move")));
  for (const m of info.moves.filter((x) => x.round <= at)) t.appendChild(el("tr", {}, el("td", {}, m.round), el("td", {}, m.actor), el("td", {}, m.type)));
  moves.appendChild(t);
  drawing = true;
  try {
    const f = await api("GET", `/api/watch/${watchId}/figures?round=${at}`);
    await draw($("chart-space"), f.space);
    await draw($("chart-offers"), f.offers);
    await draw($("chart-issues"), f.issues);
  } catch (e) { showError(e.message); } finally { drawing = false; }
}

function pause() { if (timer) { clearInterval(timer); timer = null; } $("play").textContent = "▶ play"; }
function play() {
  if (timer) { pause(); return; }
  if (at >= info.rounds) at = 0;
  $("play").textContent = "⏸ pause";
  timer = setInterval(() => {
    if (drawing) return;
    if (at >= info.rounds) { pause(); return; }
    show(at + 1);
  }, PERIOD);
}

async function openWatch() {
  $("choose").style.display = "none";
  $("player").style.display = "";
  info = await api("GET", `/api/watch/${watchId}`);
  $("title").textContent = "Watch: " + info.scenario.title;
  $("slider").max = info.rounds;
  $("slider").addEventListener("input", (e) => { pause(); show(Number(e.target.value)); });
  $("first").addEventListener("click", () => { pause(); show(0); });
  $("back").addEventListener("click", () => { pause(); show(at - 1); });
  $("step").addEventListener("click", () => { pause(); show(at + 1); });
  $("last").addEventListener("click", () => { pause(); show(info.rounds); });
  $("play").addEventListener("click", play);
  await show(info.rounds);
}

document.addEventListener("DOMContentLoaded", () => {
  (watchId ? openWatch() : setup()).catch((e) => showError(e.message));
});
})();
