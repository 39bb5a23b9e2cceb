(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen } = window.ententeUI;
// Open a room: the scenario, the party students play, who sits across, the rules.
let scenario = null;

async function chooseScenario(ref) {
  scenario = await api("GET", "/api/scenarios/" + encodeURIComponent(ref));
  $("description").textContent = scenario.description || "";
  for (const id of ["party", "partner"]) {
    const sel = clear($(id));
    for (const p of scenario.parties) sel.appendChild(el("option", { value: p.id }, p.name));
  }
  $("party").value = scenario.parties[scenario.parties.length - 1].id;
  $("partner").value = scenario.parties[0].id;
  $("deadline").value = scenario.deadline;
}

async function openRoom() {
  showError("");
  const kind = document.querySelector("input[name=opponent]:checked").value;
  const body = {
    scenario: $("scenario").value,
    party: $("party").value,
    opponent: kind === "spec" ? $("spec").value.trim() : kind,
    deadline: Number($("deadline").value) || null,
    seed: Number($("seed").value) || 0,
    show_space: $("show-space").checked,
    title: $("title").value.trim(),
  };
  if (kind === "student") body.partner = $("partner").value;
  try {
    const room = await api("POST", "/api/rooms", body);
    location.href = room.url;
  } catch (e) { showError(e.message); }
}

document.addEventListener("DOMContentLoaded", async () => {
  try {
    const catalog = await api("GET", "/api/catalog");
    for (const s of catalog.scenarios) $("scenario").appendChild(el("option", { value: s.ref }, s.title));
    for (const n of catalog.strategies) $("strategy-names").appendChild(el("option", { value: n }));
    $("scenario").addEventListener("change", () => chooseScenario($("scenario").value).catch((e) => showError(e.message)));
    await chooseScenario($("scenario").value);
  } catch (e) { showError(e.message); }
  $("open").addEventListener("click", openRoom);
});
})();
