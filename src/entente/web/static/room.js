(function () {
"use strict";
const { el, clear, $, fmt, showError, api, draw, listen } = window.ententeUI;
// Join a room with its code and a display name; wait for a partner if need be, then go to the
// table (the play page, with this student's own seat).
const parts = location.pathname.split("/").filter(Boolean);
let code = parts[0] === "room" && parts[1] ? parts[1].toUpperCase() : "";
let source = null;

async function describe() {
  if (!code) return;
  try {
    const room = await api("GET", "/api/rooms/" + encodeURIComponent(code));
    $("title").textContent = room.title;
    $("about").textContent = `${room.scenario}: you play ${room.party}, against ` +
      (room.opponent === "student" ? "another student" : "the scenario's agents") + (room.open ? "." : ". This room is closed.");
  } catch (e) { showError(e.message); }
}

function seated(me) {
  if (me.status === "new") return false;
  if (me.status === "playing") { location.href = me.url; return true; }
  $("join-card").hidden = true;
  $("wait-card").hidden = false;
  $("waiting").textContent = `Waiting for a partner, ${me.name}…`;
  // a seat can only come with a join or the teacher's seating; the room's moves are not news here
  if (!source) source = listen("room:" + code, (ev) => { if (ev.type !== "move") check(); });
  return false;
}

async function check() {
  try { seated(await api("GET", `/api/rooms/${encodeURIComponent(code)}/me`)); } catch (e) { /* not joined yet */ }
}

async function join() {
  showError("");
  code = $("code").value.replace(/[\s-]/g, "").toUpperCase();
  try {
    const me = await api("POST", `/api/rooms/${encodeURIComponent(code)}/join`, { name: $("name").value });
    if (location.pathname !== "/room/" + code) history.replaceState(null, "", "/room/" + code);
    seated(me);
  } catch (e) { showError(e.message); }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("code").value = code;
  $("join").addEventListener("click", join);
  $("name").addEventListener("keydown", (e) => { if (e.key === "Enter") join(); });
  if (code) { await check(); await describe(); }
});
})();
