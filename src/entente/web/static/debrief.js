(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen, outcomeTable } = window.ententeUI;
const gameId = location.pathname.split("/").filter(Boolean).pop();
let scenario = null;

function names(d) { const m = {}; for (const p of d.parties) m[p.id] = p.name; return m; }

function utilities(d, us) {
  const n = names(d);
  return Object.entries(us).map(([p, u]) => `${n[p] || p}: ${fmt(u)}`).join("; ");
}

function render(d) {
  $("who").textContent = "you: " + d.seat_name;
  const r = clear($("result-body"));
  r.appendChild(el("p", { class: "big", id: "debrief-outcome" }, d.agreement ? "Agreement" : "No agreement"));
  r.appendChild(el("p", {}, "Your utility: ", el("span", { class: "utility", id: "debrief-utility" }, fmt(d.yours)),
    ` after ${d.rounds} round(s). Everyone: ${utilities(d, d.utilities)}.`));
  const s = d.summary;
  if (s.nash) r.appendChild(el("p", {}, "Nash point: " + utilities(d, s.nash.utilities)));
  if (s.pareto_distance !== null && s.pareto_distance !== undefined) {
    r.appendChild(el("p", {}, "Distance of the result to the Pareto frontier: " + fmt(s.pareto_distance)));
  }
  if (d.agreement) r.appendChild(outcomeTable(scenario, d.agreement));

  const l = clear($("left-body"));
  const v = d.value_left;
  if (!v) l.appendChild(el("p", { class: "muted" }, "This space is too large to list."));
  else {
    l.appendChild(el("p", { id: "value-own" }, "What you could have had at no cost to the others: ",
      el("span", { class: "utility" }, "+" + fmt(v.own)), v.own_utilities ? ` (${utilities(d, v.own_utilities)})` : " (nothing: no outcome was better for you without costing them)"));
    l.appendChild(el("p", { id: "value-joint" }, "Joint gain missed (everyone at least as well off): ",
      el("span", { class: "utility" }, "+" + fmt(v.joint)), v.joint_utilities ? ` (${utilities(d, v.joint_utilities)})` : " (none: the result is on the frontier)"));
    if (v.own_outcome) {
      const det = el("details", {}, el("summary", {}, "The outcome that gives you more at no cost to them"));
      det.appendChild(outcomeTable(scenario, v.own_outcome));
      l.appendChild(det);
    }
  }
  const h = clear($("history-body"));
  if (!d.history) { $("history-card").style.display = "none"; }
  else {
    const x = d.history;
    h.appendChild(el("p", {}, `History: ${x.note || "the historical outcome"}${x.date ? " (" + x.date + ")" : ""}.`));
    h.appendChild(el("p", { id: "history-compare" }, `It gave you ${fmt(x.yours)}; you got ${fmt(d.yours)} (${x.difference >= 0 ? "+" : ""}${fmt(x.difference)}). ` +
      (d.agreement ? `Your agreement matches history on ${x.matched} of ${x.issues} issues. ` : "You reached no agreement to set beside it. ") +
      `History for everyone: ${utilities(d, x.utilities)}.`));
  }
  renderAgent(d);
}

function renderAgent(d) {
  const a = d.agent;
  $("agent").value = a.agent;
  const b = clear($("agent-body"));
  b.appendChild(el("p", { id: "agent-result" }, `${a.agent} in your seat, against ${Object.values(a.opponents).join(", ")}` +
    `${a.mediator ? " with mediator " + a.mediator : ""}, seed ${a.seed}: ` +
    (a.agreement ? "agreement" : "no agreement") + ` after ${a.rounds} round(s); it got `,
    el("span", { class: "utility" }, fmt(a.yours)), `, you got ${fmt(d.yours)}.`));
  if (a.agreement) {
    const det = el("details", {}, el("summary", {}, "The agent's agreement"));
    det.appendChild(outcomeTable(scenario, a.agreement));
    b.appendChild(det);
  }
}

async function load(agent) {
  showError("");
  const q = agent ? "?agent=" + encodeURIComponent(agent) : "";
  const d = await api("GET", `/api/games/${gameId}/debrief${q}`);
  if (!scenario) {
    scenario = (await api("GET", `/api/games/${gameId}`)).scenario;
    $("title").textContent = "Debrief: " + scenario.title;
  }
  render(d);
  if (!agent) {
    await draw($("chart-space"), d.figures.space);
    await draw($("chart-offers"), d.figures.offers);
    await draw($("chart-issues"), d.figures.issues);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("back").href = `/play/${gameId}`;
  try {
    const cat = await api("GET", "/api/catalog");
    for (const n of cat.strategies) $("strategy-names").appendChild(el("option", { value: n }));
  } catch (e) { showError(e.message); }
  $("agent-run").addEventListener("click", () => load($("agent").value.trim()).catch((e) => showError(e.message)));
  load(null).catch((e) => showError(e.message));
});
})();
