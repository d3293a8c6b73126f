// The emulator dashboard. It polls GET /_emulator/snapshot and draws what it holds; every
// button calls the control API (/_emulator/...) or the public API (/v2/...), the very calls
// any other client makes. Text from the emulator only ever goes in as text (no innerHTML).
"use strict";

const POLL_MS = 1000;
const WEBHOOKS_SHOWN = 200;
const TOKEN_KEY = "telnyx-emulator-control-token";

let apiKey = null; // from GET /_emulator/info
let lastText = ""; // the last snapshot drawn, to skip redrawing an unchanged one
let pollTimer = null;
let asked = 0; // snapshots asked for, and the latest one drawn: an older answer never wins
let drawn = 0;
let tokenDeclined = false;

// -- requests ------------------------------------------------------------------------------

class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The first error detail of a Telnyx error body, else the status line. */
function describe(data, response) {
  const errors = data && (data.errors || (data.detail ? [data] : null));
  const first = errors && errors[0];
  const detail = first && (first.detail || first.title);
  return `${response.status} ${detail || response.statusText}`;
}

async function request(method, path, body, bearer) {
  const init = { method, headers: {}, cache: "no-store", credentials: "omit" };
  if (bearer) init.headers.Authorization = "Bearer " + bearer;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (_) {
    data = null;
  }
  if (!response.ok) throw new RequestError(response.status, describe(data, response));
  return { data, text };
}

/** The control token: from a #token= fragment (then dropped from the address bar), kept for
 * this tab only, or asked for when the control API says it needs one. */
function takeTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
}

function askForToken() {
  if (tokenDeclined) return false;
  const token = window.prompt("This emulator needs its control token:");
  if (!token || !token.trim()) {
    tokenDeclined = true;
    document.getElementById("token-button").hidden = false;
    return false;
  }
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  return true;
}

async function control(method, path, body) {
  for (;;) {
    try {
      return await request(method, "/_emulator/" + path, body, sessionStorage.getItem(TOKEN_KEY));
    } catch (error) {
      if (error.status !== 401 || !askForToken()) throw error;
    }
  }
}

async function api(method, path, body) {
  if (apiKey === null) apiKey = (await control("GET", "info")).data.data.api_key;
  return (await request(method, "/v2" + path, body, apiKey)).data;
}

// -- drawing -------------------------------------------------------------------------------

/** An element with properties (class, data-*, or DOM properties) and children (text or nodes). */
function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "class") element.className = value;
    else if (key.startsWith("data-")) element.setAttribute(key, value);
    else element[key] = value;
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child);
  }
  return element;
}

const time = (iso) => (iso ? iso.slice(11, 19) : "");
const shortId = (id) => h("span", { class: "id", title: id }, id ? id.slice(0, 8) : "—");
const button = (label, action, data) => h("button", { type: "button", "data-action": action, ...data }, label);
const status = (text) =>
  h("span", { class: text === "completed" ? "ok" : text === "failed" ? "bad" : "pending" }, text);

function media(url) {
  if (!url || !/^https?:\/\//.test(url)) return "";
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, "download");
}

function fill(tbody, rows, columns) {
  tbody.replaceChildren(
    ...(rows.length
      ? rows
      : [h("tr", {}, h("td", { colSpan: columns, class: "muted" }, "none yet"))]),
  );
}

function draw(snap) {
  const rooms = new Map(snap.rooms.map((r) => [r.id, r]));
  const people = new Map(snap.participants.map((p) => [p.id, p]));
  const roomName = (id) => (rooms.get(id) && rooms.get(id).unique_name) || (id || "").slice(0, 8);
  document.getElementById("now").textContent = snap.now.replace("T", " ").slice(0, 19) + " UTC";

  fill(
    document.querySelector("#rooms tbody"),
    snap.rooms.map((room) =>
      h(
        "tr",
        { "data-room": room.id },
        h("td", {}, room.unique_name || h("span", { class: "muted" }, "(no name)")),
        h("td", {}, shortId(room.id)),
        h(
          "td",
          {},
          `max ${room.max_participants} · recording ${room.enable_recording ? "on" : "off"}` +
            (room.webhook_event_url ? ` · webhooks → ${room.webhook_event_url}` : ""),
        ),
        h("td", {}, room.active_session_id ? shortId(room.active_session_id) : "—"),
        h("td", {}, button("Delete", "delete-room", { "data-room": room.id })),
      ),
    ),
    5,
  );
  drawRoomChoice(snap.rooms);

  const sessions = document.getElementById("sessions");
  sessions.replaceChildren(
    ...snap.sessions
      .slice()
      .reverse()
      .map((session) => drawSession(session, roomName(session.room_id), snap.participants)),
  );
  if (!snap.sessions.length) sessions.append(h("p", { class: "muted" }, "none yet"));

  fill(
    document.querySelector("#recordings tbody"),
    snap.recordings.map((rec) =>
      h(
        "tr",
        { "data-recording": rec.id },
        h("td", {}, (people.get(rec.participant_id) || {}).context || shortId(rec.participant_id)),
        h("td", {}, rec.type),
        h("td", {}, rec.codec),
        h("td", {}, status(rec.status)),
        h("td", {}, rec.duration_secs === null ? "" : `${rec.duration_secs} s`),
        h("td", {}, rec.size_mb === null ? "" : `${rec.size_mb} MB`),
        h("td", {}, media(rec.download_url)),
      ),
    ),
    7,
  );

  fill(
    document.querySelector("#compositions tbody"),
    snap.compositions.map((comp) =>
      h(
        "tr",
        { "data-composition": comp.id },
        h("td", {}, shortId(comp.session_id)),
        h("td", {}, roomName(comp.room_id)),
        h("td", {}, status(comp.status)),
        h("td", {}, comp.resolution),
        h("td", {}, comp.duration_secs === null ? "" : `${comp.duration_secs} s`),
        h("td", {}, comp.size_mb === null ? "" : `${comp.size_mb} MB`),
        h("td", {}, media(comp.download_url)),
      ),
    ),
    7,
  );

  fill(
    document.querySelector("#webhooks tbody"),
    snap.webhooks
      .slice()
      .reverse()
      .map((d) =>
        h(
          "tr",
          { "data-event": d.event_id },
          h("td", {}, d.event_type, d.duplicate ? h("span", { class: "muted" }, " (duplicate)") : ""),
          h("td", {}, roomName(d.room_id)),
          h("td", {}, h("code", {}, d.url)),
          h("td", {}, String(d.attempt)),
          h(
            "td",
            { title: d.error || "" },
            h(
              "span",
              { class: d.outcome === "delivered" ? "ok" : "bad" },
              d.status === null ? d.outcome : `${d.status} ${d.outcome}`,
            ),
          ),
          h("td", {}, d.latency_ms === null ? "" : `${Math.round(d.latency_ms)} ms`),
          h(
            "td",
            {},
            d.signature_verified
              ? h("span", { class: "ok" }, "✔ verified")
              : h("span", { class: "bad" }, "✘ invalid"),
          ),
        ),
      ),
    7,
  );
  document.getElementById("webhooks-total").textContent =
    `(${snap.webhooks_total} in all, latest first)`;

  const active = snap.faults.active;
  document.getElementById("faults-active").textContent = Object.keys(active).length
    ? JSON.stringify(active)
    : "none";
  const stats = snap.faults.stats;
  const kinds = Object.entries(stats.by_kind).map(([kind, n]) => `${kind} ${n}`).join(", ");
  document.getElementById("fault-stats").textContent =
    `${stats.requests_seen} API requests seen, ${stats.faults_injected} faults injected` +
    (kinds ? ` (${kinds})` : "");
}

function drawSession(session, roomLabel, participants) {
  const actions = session.active
    ? [
        button("Mute all", "mute-all", { "data-session": session.id }),
        button("Unmute all", "unmute-all", { "data-session": session.id }),
        button("End session", "end", { "data-session": session.id }),
      ]
    : [button("Compose", "compose", { "data-session": session.id })];
  const rows = participants
    .filter((p) => p.session_id === session.id)
    .map((p) =>
      h(
        "tr",
        { "data-participant": p.id },
        h("td", {}, p.context || h("span", { class: "muted" }, "(no context)")),
        h("td", {}, shortId(p.id)),
        h("td", {}, time(p.joined_at)),
        h("td", {}, p.left_at ? `${time(p.left_at)} (${p.left_reason || "left"})` : "—"),
        h("td", {}, p.left_at ? "" : p.muted ? "muted" : "unmuted"),
        h(
          "td",
          {},
          p.left_at
            ? ""
            : [
                button("Leave", "leave", { "data-participant": p.id }),
                button("Kick", "kick", { "data-session": session.id, "data-participant": p.id }),
                p.muted
                  ? button("Unmute", "unmute", { "data-session": session.id, "data-participant": p.id })
                  : button("Mute", "mute", { "data-session": session.id, "data-participant": p.id }),
              ],
        ),
      ),
    );
  const table = h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ["context", "id", "joined", "left", "audio", ""].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows),
  );
  const when = session.active
    ? `active since ${time(session.created_at)}`
    : `ended ${time(session.ended_at)}, began ${time(session.created_at)}`;
  return h(
    "div",
    { class: "session", "data-session": session.id },
    h(
      "div",
      { class: "session-head" },
      h("h3", {}, `Session in ${roomLabel}`),
      shortId(session.id),
      h("span", { class: session.active ? "ok" : "muted" }, when),
      actions,
    ),
    table,
  );
}

function drawRoomChoice(rooms) {
  const select = document.getElementById("join-room");
  const wanted = rooms.map((r) => r.id).join();
  if (select.dataset.rooms === wanted) return; // unchanged: keep the choice and an open list
  const chosen = select.value;
  select.replaceChildren(...rooms.map((r) => h("option", { value: r.id }, r.unique_name || r.id)));
  if (rooms.some((r) => r.id === chosen)) select.value = chosen;
  else if (rooms.length) select.value = rooms[rooms.length - 1].id; // the newest
  select.dataset.rooms = wanted;
}

// -- the live view -------------------------------------------------------------------------

async function refresh() {
  clearTimeout(pollTimer);
  const live = document.getElementById("live");
  const ticket = ++asked;
  try {
    const { text } = await control("GET", `snapshot?webhooks=${WEBHOOKS_SHOWN}`);
    if (ticket < drawn) return; // a later snapshot was drawn meanwhile
    drawn = ticket;
    if (text !== lastText) {
      lastText = text;
      draw(JSON.parse(text).data);
    }
    live.textContent = "live";
    live.className = "badge live";
  } catch (error) {
    live.textContent = error.status === 401 ? "needs the control token" : "offline";
    live.className = "badge down";
  }
  pollTimer = setTimeout(refresh, POLL_MS);
}

// -- actions -------------------------------------------------------------------------------

function say(text, isError) {
  const line = document.getElementById("status");
  line.textContent = text;
  line.className = isError ? "error" : "";
}

/** Run an action, report how it went, and redraw at once. */
async function run(action) {
  try {
    say((await action()) || "done", false);
  } catch (error) {
    say(`✘ ${error.message}`, true);
  }
  await refresh();
}

const sessionAction = (verb, sessionId, participants) =>
  api("POST", `/room_sessions/${sessionId}/actions/${verb}`, { participants });

const ACTIONS = {
  "delete-room": async (d) => (await api("DELETE", `/rooms/${d.room}`), "✔ deleted the room"),
  leave: async (d) => (await control("POST", `participants/${d.participant}/leave`), "✔ left"),
  kick: async (d) => (await sessionAction("kick", d.session, [d.participant]), "✔ kicked"),
  mute: async (d) => (await sessionAction("mute", d.session, [d.participant]), "✔ muted"),
  unmute: async (d) => (await sessionAction("unmute", d.session, [d.participant]), "✔ unmuted"),
  "mute-all": async (d) => (await sessionAction("mute", d.session, "all"), "✔ muted everyone"),
  "unmute-all": async (d) => (await sessionAction("unmute", d.session, "all"), "✔ unmuted everyone"),
  end: async (d) => (await api("POST", `/room_sessions/${d.session}/actions/end`), "✔ ended the session"),
  compose: async (d) => {
    const composition = (await api("POST", "/room_compositions", { session_id: d.session })).data;
    return `✔ composition ${composition.id} ${composition.status}`;
  },
};

function value(id) {
  return document.getElementById(id).value.trim();
}

function onSubmit(id, action) {
  document.getElementById(id).addEventListener("submit", (event) => {
    event.preventDefault();
    run(action);
  });
}

function wire() {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("button[data-action]");
    if (target) run(() => ACTIONS[target.dataset.action](target.dataset));
  });
  onSubmit("create-room-form", async () => {
    const body = {
      max_participants: Number(value("room-max")) || 10,
      enable_recording: document.getElementById("room-recording").checked,
    };
    if (value("room-name")) body.unique_name = value("room-name");
    if (value("room-webhook")) body.webhook_event_url = value("room-webhook");
    const room = (await api("POST", "/rooms", body)).data;
    document.getElementById("room-name").value = "";
    return `✔ created room ${room.unique_name || room.id}`;
  });
  onSubmit("join-form", async () => {
    const roomId = value("join-room");
    if (!roomId) throw new Error("create a room first");
    const context = value("join-context") || undefined;
    const token = (await api("POST", `/rooms/${roomId}/actions/generate_join_client_token`, {})).data.token;
    const participant = (await control("POST", `rooms/${roomId}/join`, { token, context })).data.data;
    document.getElementById("join-context").value = "";
    return `✔ ${participant.context || participant.id} joined`;
  });
  onSubmit("advance-form", async () => {
    const seconds = Number(value("advance-seconds"));
    const now = (await control("POST", "clock/advance", { seconds })).data.data.now;
    return `✔ the clock moved ${seconds} s, to ${now}`;
  });
  onSubmit("faults-form", async () => {
    let settings;
    try {
      settings = JSON.parse(value("faults-json") || "{}");
    } catch (_) {
      throw new Error("the fault settings must be a JSON object");
    }
    await control("POST", "faults", settings);
    return "✔ faults set";
  });
  document.getElementById("faults-clear").addEventListener("click", () =>
    run(async () => (await control("POST", "faults", {}), "✔ faults cleared")),
  );
  document.getElementById("reset").addEventListener("click", () =>
    run(async () => (await control("POST", "reset"), "✔ reset: everything dropped, the clock rewound")),
  );
  document.getElementById("token-button").addEventListener("click", () => {
    tokenDeclined = false;
    document.getElementById("token-button").hidden = true;
    refresh();
  });
}

takeTokenFromFragment();
wire();
refresh();
