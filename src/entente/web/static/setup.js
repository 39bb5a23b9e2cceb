(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen, outcomeTable } = window.ententeUI;
let catalog = null;
let scenario = null;

async function loadCatalog() {
  catalog = await api("GET", "/api/catalog");
  const sel = $("scenario");
  for (const s of catalog.scenarios) sel.appendChild(el("option", { value: s.ref }, s.title));
  const proto = $("protocol");
  for (const p of catalog.protocols) proto.appendChild(el("option", { value: p.name }, p.name));
  for (const n of catalog.strategies) $("strategy-names").appendChild(el("option", { value: n }));
  for (const n of catalog.mediators) $("mediator-names").appendChild(el("option", { value: n }));
  const wanted = new URLSearchParams(location.search).get("scenario");
  if (wanted && catalog.scenarios.some((s) => s.ref === wanted)) sel.value = wanted;
  await chooseScenario(sel.value);
}

function protocolInfo(name) { return catalog.protocols.find((p) => p.name === name) || { mediated: false, description: "" }; }

function showProtocol() {
  const p = protocolInfo($("protocol").value);
  $("protocol-description").textContent = p.description;
  $("mediator-box").style.display = p.mediated ? "" : "none";
}

async function chooseScenario(ref) {
  showError("");
  scenario = await api("GET", "/api/scenarios/" + encodeURIComponent(ref));
  $("description").textContent = scenario.description || "";
  const parties = clear($("parties"));
  scenario.parties.forEach((p, i) => {
    const input = el("input", { type: "radio", name: "seat", value: p.id, checked: i === scenario.parties.length - 1, onchange: showStrategies });
    parties.appendChild(el("label", {}, input, " " + p.name));
  });
  $("protocol").value = scenario.protocol;
  if ($("protocol").value !== scenario.protocol) {
    $("protocol").appendChild(el("option", { value: scenario.protocol }, scenario.protocol));
    $("protocol").value = scenario.protocol;
  }
  $("deadline").value = scenario.deadline;
  const med = clear($("mediator"));
  const m = scenario.mediators[0];
  med.appendChild(el("label", {}, (m ? m.name : "mediator") + " ",
    el("input", { type: "text", id: "mediator-spec", list: "mediator-names", value: m ? m.strategy : "hillclimb", size: 36 })));
  showStrategies();
  showProtocol();
}

function seat() {
  const c = document.querySelector("input[name=seat]:checked");
  return c ? c.value : null;
}

function showStrategies() {
  const box = clear($("strategies"));
  for (const p of scenario.parties) {
    if (p.id === seat()) continue;
    box.appendChild(el("label", {}, p.name + " ",
      el("input", { type: "text", class: "strategy", "data-party": p.id, list: "strategy-names", value: p.strategy, size: 36 })));
  }
}

async function start() {
  showError("");
  const me = seat();
  const seats = { [me]: "human" };
  for (const input of document.querySelectorAll("input.strategy")) seats[input.dataset.party] = input.value.trim();
  const settings = {
    scenario: $("scenario").value,
    protocol: $("protocol").value,
    deadline: Number($("deadline").value),
    seed: Number($("seed").value),
    seats,
    show_space: $("show-space").checked,
  };
  if (protocolInfo(settings.protocol).mediated) settings.mediator = $("mediator-spec").value.trim();
  try {
    const made = await api("POST", "/api/games", { settings });
    location.href = made.url;
  } catch (e) { showError(e.message); }
}

async function upload(ev) {
  ev.preventDefault();
  showError("");
  const files = $("upload").files;
  if (!files.length) { showError("choose a file to upload"); return; }
  const form = new FormData();
  for (const f of files) form.append("files", f);
  try {
    const got = await api("POST", "/api/uploads", form);
    $("scenario").appendChild(el("option", { value: got.scenario }, got.title + " (uploaded)"));
    $("scenario").value = got.scenario;
    await chooseScenario(got.scenario);
  } catch (e) { showError(e.message); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("scenario").addEventListener("change", (e) => chooseScenario(e.target.value).catch((x) => showError(x.message)));
  $("protocol").addEventListener("change", showProtocol);
  $("start").addEventListener("click", start);
  $("upload-form").addEventListener("submit", upload);
  loadCatalog().catch((e) => showError(e.message));
});
})();
