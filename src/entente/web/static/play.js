(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen, outcomeTable } = window.ententeUI;
// The play page: generic over the legal actions the state lists (offer, accept, reject, walk),
// so any protocol works. Every move re-fetches the state; server-sent events tell the page when
// another seat moved.
const gameId = location.pathname.split("/").filter(Boolean).pop();
let state = null;
let composed = null;   // {issue id: option id} being composed
let figuresAt = -1;    // moves count the charts were drawn for
let busy = false;

function optionLabel(iss, id) { const o = iss.options.find((x) => x.id === id); return o ? o.label : id; }

async function refresh() {
  try {
    state = await api("GET", `/api/games/${gameId}`);
  } catch (e) { showError(e.message); return; }
  render();
}

function render() {
  const sc = state.scenario;
  document.title = "entente: " + sc.title;
  $("title").textContent = sc.title;
  $("who").textContent = "you: " + state.seat_name;
  $("clock").textContent = `round ${state.round} of ${state.deadline}`;
  const status = clear($("status"));
  status.classList.toggle("turn", state.your_turn);
  if (state.finished) {
    status.appendChild(el("p", { class: "big", id: "outcome" }, state.agreement ? "Agreement reached" : "No agreement"));
    status.appendChild(el("p", {}, "Your utility: ", el("span", { class: "utility", id: "final-utility" }, fmt(state.utility)),
      ` (reservation value ${fmt(state.reservation)})`));
    status.appendChild(el("a", { href: `/debrief/${gameId}`, id: "debrief-link" }, "Go to the debrief →"));
  } else if (state.your_turn) {
    status.appendChild(el("p", { class: "big", id: "your-turn" }, "Your move"));
  } else {
    status.appendChild(el("p", { class: "big" }, "Waiting for " + (state.turn_name || "the other side") + "…"));
  }
  renderTable();
  renderActions();
  renderHistory();
  if (figuresAt !== state.moves) { figuresAt = state.moves; drawFigures(); }
}

function renderTable() {
  const sc = state.scenario;
  const box = clear($("table"));
  $("table-title").textContent = state.table_by_mediator ? "The mediator's text" : "On the table";
  if (!state.table) { box.appendChild(el("p", { class: "muted" }, "Nothing yet.")); return; }
  box.appendChild(el("p", {}, (state.table_by ? state.table_by + " proposes" : "On the table") + "; its utility to you: ",
    el("span", { class: "utility", id: "table-utility" }, fmt(state.table_utility)),
    ` (your reservation value: ${fmt(state.reservation)})`));
  box.appendChild(outcomeTable(sc, state.table));
}

function renderActions() {
  const box = clear($("actions"));
  $("actions-card").style.display = state.finished ? "none" : "";
  if (!state.your_turn) { box.appendChild(el("p", { class: "muted" }, "Not your turn.")); return; }
  const legal = state.legal;
  if (legal.includes("offer")) box.appendChild(composer());
  if (legal.includes("accept")) {
    box.appendChild(el("button", { id: "accept", disabled: !state.table, onclick: () => act({ type: "accept" }) },
      state.table_by_mediator ? "Accept the text" : "Accept what is on the table"));
  }
  if (legal.includes("reject")) box.appendChild(objector());
  if (legal.includes("walk")) {
    box.appendChild(el("div", {}, el("button", { class: "danger", id: "walk", onclick: () => act({ type: "walk" }) }, "Walk away")));
  }
}

function composer() {
  const sc = state.scenario;
  if (!composed) {
    composed = {};
    for (const iss of sc.issues) composed[iss.id] = state.table ? state.table[iss.id] : iss.options[0].id;
  }
  const wrap = el("div", { id: "composer" }, el("h3", {}, state.table ? "Or counter with an offer" : "Compose an offer"));
  const t = el("table");
  for (const iss of sc.issues) {
    const sel = el("select", { "data-issue": iss.id, onchange: (e) => { composed[iss.id] = e.target.value; updateUtility(); } });
    for (const o of iss.options) sel.appendChild(el("option", { value: o.id, selected: o.id === composed[iss.id] }, o.label));
    t.appendChild(el("tr", {}, el("td", {}, iss.name), el("td", {}, sel)));
  }
  wrap.appendChild(t);
  wrap.appendChild(el("p", {}, "Its utility to you: ", el("span", { class: "utility", id: "composed-utility" }, "…"),
    el("span", { id: "composed-note", class: "muted" })));
  wrap.appendChild(el("button", { id: "offer", onclick: () => act({ type: "offer", outcome: composed }) }, "Make this offer"));
  updateUtility();
  return wrap;
}

async function updateUtility() {
  try {
    const u = await api("POST", `/api/games/${gameId}/utility`, { outcome: composed });
    $("composed-utility").textContent = fmt(u.utility);
    $("composed-note").textContent = u.acceptable ? "" : " (crosses one of your red lines)";
  } catch (e) { showError(e.message); }
}

function objector() {
  const sc = state.scenario;
  const wrap = el("div", { id: "objector" }, el("h3", {}, "Or object to issues of what is on the table"));
  const list = el("div", { class: "row" });
  for (const iss of sc.issues) {
    list.appendChild(el("label", {}, el("input", { type: "checkbox", class: "objection", value: iss.id }), " " + iss.name));
  }
  wrap.appendChild(list);
  wrap.appendChild(el("button", { class: "secondary", id: "reject", onclick: () => {
    const issues = [...document.querySelectorAll("input.objection:checked")].map((x) => x.value);
    act({ type: "reject", issues });
  } }, "Object to the checked issues"));
  return wrap;
}

function renderHistory() {
  const box = clear($("history"));
  if (!state.history.length) { box.appendChild(el("p", { class: "muted" }, "No move yet.")); return; }
  const t = el("table", { id: "moves" }, el("tr", {}, el("th", {}, "round"), el("th", {}, "who"), el("th", {}, "move"), el("th", {}, "utility to you")));
  const sc = state.scenario;
  for (const m of state.history.slice().reverse()) {
    let what = m.type;
    if (m.type === "reject" && m.issues && m.issues.length) {
      what = "objects to " + m.issues.map((i) => (sc.issues.find((x) => x.id === i) || { name: i }).name).join(", ");
    } else if (m.type === "offer") what = state.mediated && !m.mine && m.actor === (sc.mediators[0] || {}).id ? "text" : "offer";
    t.appendChild(el("tr", { class: m.mine ? "mine" : "" }, el("td", {}, m.round), el("td", {}, m.actor_name), el("td", {}, what),
      el("td", { class: "utility" }, m.utility === undefined ? "" : fmt(m.utility))));
  }
  box.appendChild(t);
}

async function drawFigures() {
  $("space-card").style.display = state.show_space ? "" : "none";
  try {
    const f = await api("GET", `/api/games/${gameId}/figures`);
    await draw($("chart-offers"), f.offers);
    if (state.show_space) await draw($("chart-space"), f.space);
  } catch (e) { showError(e.message); }
}

async function act(action) {
  if (busy) return;
  busy = true;
  showError("");
  for (const b of document.querySelectorAll("#actions button")) b.disabled = true;
  try {
    state = await api("POST", `/api/games/${gameId}/act`, action);
    composed = null;
    render();
  } catch (e) {
    showError(e.message);
    await refresh();
  } finally { busy = false; }
}

document.addEventListener("DOMContentLoaded", () => {
  refresh();
  listen("game:" + gameId, (ev) => { if (ev.type === "move" && !busy) refresh(); });
});
})();
