(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen } = window.ententeUI;
// The teacher's dashboard: every table live (server-sent events on room:CODE), and at the end
// every agreement on the report's utility-space figure, the spread per issue, the export.
const code = location.pathname.split("/").filter(Boolean).pop();
let pending = null;
let debriefAt = -1;

function later() {  // many moves at once: one refresh
  if (pending) return;
  pending = setTimeout(() => { pending = null; refresh(); }, 400);
}

function outcomeText(outcome) {
  return Object.entries(outcome).map(([k, v]) => `${k}: ${v}`).join(", ");
}

function utilities(u) {
  return u ? Object.entries(u).map(([k, v]) => `${k} ${fmt(v)}`).join(" · ") : "–";
}

function renderTables(d) {
  const box = clear($("tables"));
  if (!d.tables.length) { box.appendChild(el("p", { class: "muted" }, "No table yet.")); return; }
  const t = el("table", { id: "tables-table" }, el("tr", {}, ...["table", "students", "round", "moves", "now", "on the table (utilities)", "end"].map((h) => el("th", {}, h))));
  for (const row of d.tables) {
    const who = el("td", { class: "players" });
    row.players.forEach((p, i) => {
      if (i) who.appendChild(document.createTextNode(" vs "));
      who.appendChild(el("span", { class: "student" }, p.name));
      who.appendChild(el("span", { class: "muted" }, ` (${p.party_name})`));
    });
    const end = row.finished
      ? (row.agreement ? "agreement: " + utilities(row.utilities) : "no agreement: " + utilities(row.utilities))
      : "";
    const tr = el("tr", { "data-table": row.table, class: row.finished ? "done" : "" },
      el("td", {}, String(row.table)), who, el("td", {}, `${row.round} / ${row.deadline}`),
      el("td", { class: "moves" }, String(row.moves)),
      el("td", {}, row.finished ? "finished" : "waiting for " + (row.turn || "–")),
      el("td", {}, utilities(row.table_utilities)), el("td", { class: "end", title: row.agreement ? outcomeText(row.agreement) : "" }, end));
    t.appendChild(tr);
  }
  box.appendChild(t);
}

function renderSpread(spread) {
  const box = clear($("spread"));
  for (const iss of spread) {
    const total = iss.options.reduce((a, o) => a + o.count, 0) + iss.no_agreement;
    const t = el("table", { class: "spread" }, el("tr", {}, el("th", { colspan: 3 }, iss.name)));
    for (const o of iss.options) {
      const bar = el("div", { class: "bar" });
      bar.style.width = total ? `${Math.round(100 * o.count / total)}%` : "0";
      t.appendChild(el("tr", {}, el("td", {}, o.label), el("td", { class: "utility" }, String(o.count)), el("td", { class: "barcell" }, bar)));
    }
    if (iss.no_agreement) t.appendChild(el("tr", {}, el("td", { class: "muted" }, "no agreement"), el("td", { class: "utility" }, String(iss.no_agreement)), el("td", {})));
    box.appendChild(t);
  }
}

async function drawDebrief(finished) {
  if (finished === debriefAt || !finished) return;  // the figure waits for a finished table
  debriefAt = finished;
  const d = await api("GET", `/api/rooms/${code}/debrief`);
  $("debrief-note").textContent = `${d.finished} table(s) finished, ${d.agreements} with an agreement.`;
  renderSpread(d.spread);
  const means = clear($("means"));
  if (Object.keys(d.mean_utility).length) means.appendChild(el("p", {}, "Mean utility: " + utilities(d.mean_utility)));
  await draw($("chart-space"), d.space);
  $("chart-space").setAttribute("data-finished", String(d.finished));
}

async function refresh() {
  let d;
  try { d = await api("GET", `/api/rooms/${code}/dashboard`); } catch (e) { showError(e.message); return; }
  document.title = "entente: " + d.title;
  $("title").textContent = d.title;
  $("code").textContent = d.code;
  $("code-big").textContent = d.code;
  $("join-url").textContent = `${location.origin}/room/${d.code}`;
  $("about").textContent = `${d.scenario}: students play ${d.party}, against ` +
    (d.opponent === "student" ? `another student (playing ${d.partner})` : d.opponent === "agent" ? "the scenario's agents" : d.opponent) +
    (d.closed ? ". The room is closed to new students." : ".");
  $("waiting").textContent = d.waiting.length ? "Waiting for a partner: " + d.waiting.join(", ") : "";
  $("counts").textContent = `${d.tables.length} table(s), ${d.finished} finished`;
  $("close").disabled = d.closed;
  $("fill").disabled = !d.waiting.length;
  renderTables(d);
  $("tables").setAttribute("data-moves", String(d.tables.reduce((a, t) => a + t.moves, 0)));
  try { await drawDebrief(d.finished); } catch (e) { showError(e.message); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("csv").href = `/api/rooms/${code}/export.csv`;
  $("parquet").href = `/api/rooms/${code}/export.parquet`;
  $("fill").addEventListener("click", () => api("POST", `/api/rooms/${code}/fill`).then(refresh, (e) => showError(e.message)));
  $("close").addEventListener("click", () => api("POST", `/api/rooms/${code}/close`).then(refresh, (e) => showError(e.message)));
  listen("room:" + code, later);
  refresh();
});
})();
