// The console's live side: one shared alert queue (every console sees every state change), the
// banner, tab-title count, desktop notification and sound on every page, and the forms that talk
// to the JSON API. Cards show what the server answered, never a guess.
(function () {
  "use strict";
  const body = document.body;
  const list = document.getElementById("alerts");
  const board = document.querySelector(".board");
  const dispositions = list ? list.dataset.dispositions.split(",") : [];
  const canReopen = list ? list.dataset.canReopen === "1" : false;
  const known = new Map(); // alert_id -> alert, as the server last told it
  const baseTitle = document.title;

  function esc(s) { return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c])); }
  const londonTime = new Intl.DateTimeFormat("en-GB", {timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"});
  function local(iso) { const d = new Date(iso); return isNaN(d) ? esc(iso) : londonTime.format(d); }

  // -- the session -------------------------------------------------------------------------
  function toLogin() { location.assign("/login?expired=1"); }

  async function post(url, payload) { return send("POST", url, payload); }
  async function send(method, url, payload) {
    const r = await fetch(url, {method, headers: {"Content-Type": "application/json"}, body: payload ? JSON.stringify(payload) : null, credentials: "same-origin"});
    if (r.status === 401) { toLogin(); throw new Error("session ended"); }
    let data = null;
    try { data = await r.json(); } catch (e) { data = {detail: r.statusText}; }
    return {status: r.status, ok: r.ok, data};
  }

  // -- alert cards ---------------------------------------------------------------------------
  function stateText(a) {
    if (a.state === "closed") {
      let t = `closed: ${a.disposition} by ${a.disposed_by}`;
      if (a.incident_ref) t += ` · ref ${a.incident_ref}`;
      return t;
    }
    if (a.state === "acknowledged") return `acknowledged by ${a.acknowledged_by}`;
    return "new";
  }

  function controls(a) {
    if (a.state === "closed") {
      return `<span class="state">${esc(stateText(a))}</span>${a.disposition_note ? `<span class="note">${esc(a.disposition_note)}</span>` : ""}${canReopen ? `<button data-reopen="${a.alert_id}">Reopen</button>` : ""}`;
    }
    const opts = dispositions.map(d => `<option value="${d}">${d.replace("_", " ")}</option>`).join("");
    return `<span class="state">${esc(stateText(a))}</span>${a.state === "new" ? `<button data-ack="${a.alert_id}">Acknowledge</button>` : ""}
      <select data-disposition-for="${a.alert_id}" aria-label="Disposition"><option value="">choose a disposition…</option>${opts}</select>
      <input data-ref-for="${a.alert_id}" aria-label="Incident or log number" placeholder="incident / log no." maxlength="64">
      <input data-note-for="${a.alert_id}" aria-label="Note" placeholder="note" maxlength="2000">
      <button data-dispose="${a.alert_id}" disabled>Record</button>`;
  }

  function card(a) {
    const vrm = [...a.vrm_read].map((ch, i) => a.differing_positions.includes(i) ? `<span class="diff">${esc(ch)}</span>` : esc(ch)).join("");
    const markers = a.warning_markers.map(m => ` <span class="badge warn">${esc(m)}</span>`).join("");
    const v = a.vehicle || {};
    const vehicle = [v.colour, v.make, v.model].filter(Boolean).join(" ");
    const el = document.createElement("article");
    el.className = `alert card p${a.priority} ${a.match_type} ${a.state}`;
    el.dataset.alertId = a.alert_id; el.dataset.priority = a.priority; el.dataset.state = a.state;
    el.dataset.list = a.list_name; el.dataset.site = a.site_id; el.tabIndex = 0;
    if (a.list_colour) el.style.borderLeftColor = a.list_colour;  // the list's own colour
    el.innerHTML = `<div class="images"><img src="/api/reads/${a.read_id}/plate.jpg" alt="plate patch" class="patch">
      <button class="overview-btn" data-enlarge aria-label="Enlarge the overview"><img src="/api/reads/${a.read_id}/overview.jpg" alt="overview" class="overview"></button></div>
      <div class="body"><h2><span class="vrm">${vrm}</span> <span class="badge ${a.match_type}">${a.match_type === "exact" ? "EXACT" : "POSSIBLE — verify"}</span>
      <span class="badge prio">P${a.priority}</span>${a.repeats ? ` <span class="badge repeats" title="seen again while this alert is open">seen ${a.repeats + 1} times, last ${a.last_hit_at ? local(a.last_hit_at) : ""}</span>` : ""}</h2>
      ${a.match_type !== "exact" ? `<p>Listed as <b>${esc(a.vrm_listed)}</b></p>` : ""}
      <p class="vehicle">Listed vehicle: <b>${esc(vehicle || "not given")}</b></p>
      <p class="action"><b>${esc(a.action || "No action given")}</b>${markers}</p>
      <p>${esc(a.list_name)} rev ${a.list_revision}${a.reason ? " · " + esc(a.reason) : ""}</p>
      <p class="where">${esc(a.site_id)} ${esc(a.site_name)}${a.site_area ? " (" + esc(a.site_area) + ")" : ""} · camera ${esc(a.camera_id)}${a.lane != null ? " · lane " + a.lane : ""} · ${esc(a.direction)}</p>
      <p class="muted"><time datetime="${esc(a.captured_at)}">${local(a.captured_at)}</time> · confidence ${Math.round(a.confidence * 100)} % · <a href="/search?vrm=${encodeURIComponent(a.vrm_read)}">where else has it been</a></p>
      <div class="controls">${controls(a)}</div><p class="msg" role="status"></p></div>`;
    return el;
  }

  function place(el) {
    // Highest priority (lowest number) first; among equals the newest first.
    const p = Number(el.dataset.priority);
    const after = [...list.querySelectorAll("article.alert")].find(x => Number(x.dataset.priority) >= p);
    list.insertBefore(el, after || null);
  }

  function upsert(a, message) {
    known.set(a.alert_id, a);
    updateTitle();
    if (!list) return;
    const el = card(a);
    const old = list.querySelector(`[data-alert-id="${a.alert_id}"]`);
    if (old) old.replaceWith(el); else place(el);
    if (message) el.querySelector(".msg").textContent = message;
    applyFilters();
  }

  const filters = document.getElementById("alert-filters");
  function applyFilters() {
    if (!list) return;
    const f = filters ? Object.fromEntries(new FormData(filters)) : {state: "", priority: "9", list: "", site: ""};
    let shown = 0;
    for (const el of list.querySelectorAll("article.alert")) {
      const st = el.dataset.state;
      const ok = (f.state === "" || (f.state === "open" ? st !== "closed" : st === f.state))
        && Number(el.dataset.priority) <= Number(f.priority || 9)
        && (!f.list || el.dataset.list.toLowerCase().includes(f.list.toLowerCase()))
        && (!f.site || el.dataset.site.toLowerCase().includes(f.site.toLowerCase()));
      el.hidden = !ok;
      if (ok) shown++;
    }
    const none = document.getElementById("none");
    if (none) none.hidden = shown > 0;
  }
  if (filters) filters.addEventListener("input", applyFilters);

  function updateTitle() {
    const n = [...known.values()].filter(a => a.state === "new").length;
    document.title = n ? `(${n}) ${baseTitle}` : baseTitle;
  }

  async function act(t, url, payload) {
    const art = t.closest(".alert");
    const r = await post(url, payload);
    if (r.data && r.data.alert) upsert(r.data.alert, r.ok ? "" : r.data.detail);
    else if (art) art.querySelector(".msg").textContent = "Refused: " + (typeof r.data.detail === "string" ? r.data.detail : JSON.stringify(r.data.detail));
  }

  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.dataset.dispositionFor) {
      const btn = document.querySelector(`button[data-dispose="${t.dataset.dispositionFor}"]`);
      if (btn) btn.disabled = !t.value;
    }
  });

  document.addEventListener("click", async (ev) => {
    const t = ev.target.closest("button");
    if (!t) return;
    if (t.dataset.ack) {
      await act(t, `/api/alerts/${t.dataset.ack}/ack`);
    } else if (t.dataset.dispose) {
      const id = t.dataset.dispose;
      const sel = document.querySelector(`select[data-disposition-for="${id}"]`);
      if (!sel.value) return;
      await act(t, `/api/alerts/${id}/disposition`, {
        disposition: sel.value,
        incident_ref: document.querySelector(`input[data-ref-for="${id}"]`).value,
        note: document.querySelector(`input[data-note-for="${id}"]`).value,
      });
    } else if (t.dataset.reopen) {
      await act(t, `/api/alerts/${t.dataset.reopen}/reopen`);
    } else if (t.dataset.rollback) {
      if (!confirm(`Load revision ${t.dataset.rollback} of ${t.dataset.list} again as its newest revision?`)) return;
      const r = await post(`/api/hotlists/${encodeURIComponent(t.dataset.list)}/rollback?revision=${t.dataset.rollback}`);
      document.getElementById("rollback-result").textContent = r.ok ? `Revision ${r.data.revision} now holds revision ${r.data.entries_of}'s entries.` : "Refused: " + JSON.stringify(r.data.detail);
      if (r.ok) setTimeout(() => location.reload(), 800);
    } else if (t.hasAttribute("data-enlarge")) {
      t.classList.toggle("enlarged");
    }
  });

  // -- telling the operator wherever they are -------------------------------------------------
  const banner = document.getElementById("banner");
  function announce(text, cls) {
    if (!banner) return;
    const p = document.createElement("p");
    p.className = `banner-item ${cls}`;
    p.innerHTML = `<span>${text}</span> <button type="button" aria-label="Dismiss">×</button>`;
    p.querySelector("button").addEventListener("click", () => p.remove());
    banner.prepend(p);
    while (banner.children.length > 5) banner.lastElementChild.remove();
  }

  let audio = null;
  const soundBtn = document.getElementById("sound");
  function soundWanted() { return localStorage.getItem("anpr.sound") === "on"; }
  function showSoundState() {
    if (!soundBtn) return;
    const on = soundWanted() && audio && audio.state === "running";
    soundBtn.textContent = on ? "Sound on" : "Enable sound";
    soundBtn.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function startAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume().then(showSoundState, showSoundState);
    } catch (e) { audio = null; }
    showSoundState();
  }
  if (soundBtn) {
    // After a reload the browser keeps audio suspended until a click: the button says so.
    if (soundWanted()) startAudio(); else showSoundState();
    soundBtn.addEventListener("click", () => {
      const on = soundWanted() && audio && audio.state === "running";
      localStorage.setItem("anpr.sound", on ? "off" : "on");
      if (!on) startAudio(); else showSoundState();
    });
  }
  // Each list's sound: a beep, a rising chime, a two-tone siren, or none.
  const SOUNDS = {beep: [[880, 0.25]], chime: [[660, 0.15], [990, 0.3]], siren: [[960, 0.3], [640, 0.3], [960, 0.3], [640, 0.3]], none: []};
  function beep(kind) {
    if (!soundWanted() || !audio || audio.state !== "running") return;
    let at = audio.currentTime;
    for (const [hz, s] of SOUNDS[kind] || SOUNDS.beep) {
      const o = audio.createOscillator(); o.frequency.value = hz; o.connect(audio.destination);
      o.start(at); o.stop(at + s); at += s;
    }
  }

  const notifyBtn = document.getElementById("notify");
  function showNotifyState() {
    if (!notifyBtn) return;
    notifyBtn.hidden = !("Notification" in window) || Notification.permission !== "default";
  }
  if (notifyBtn) {
    showNotifyState();
    notifyBtn.addEventListener("click", async () => { await Notification.requestPermission(); showNotifyState(); });
  }
  function notify(a) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try { new Notification(`P${a.priority} ${a.vrm_read} at ${a.site_id}`, {body: a.action || a.list_name, tag: a.alert_id}); } catch (e) { /* some browsers allow it from a service worker only */ }
  }

  function arrived(a) {
    const fresh = !known.has(a.alert_id);
    upsert(a);
    if (fresh && a.state === "new" && a.priority <= 2) {
      // On the alerts page the card itself flashes; elsewhere a banner says it.
      if (!list) announce(`<a href="/alerts">P${a.priority} ${esc(a.vrm_read)}</a> at ${esc(a.site_id)} ${esc(a.site_name)}: ${esc(a.action || a.list_name)}`, "p" + a.priority);
      notify(a);
      beep(a.list_sound);
    }
  }

  // -- the live stream, on every page of a user who receives alerts ---------------------------
  const initial = document.getElementById("alerts-data");
  if (initial) for (const a of JSON.parse(initial.textContent)) upsert(a);
  if (list) applyFilters();
  if (body.dataset.alerts === "1") {
    if (!initial) fetch("/api/alerts?state=new&limit=500", {credentials: "same-origin"}).then(r => r.ok ? r.json() : []).then(xs => xs.forEach(a => { known.set(a.alert_id, a); }), () => {}).then(updateTitle);
    const es = new EventSource("/api/alerts/stream");
    const live = document.getElementById("live");
    es.onopen = () => { if (live) live.textContent = "live"; };
    es.onerror = () => {
      if (live) live.textContent = "reconnecting…";
      // A stream refused at connect is a session that ended while the browser was away.
      fetch("/api/me", {credentials: "same-origin"}).then(r => { if (r.status === 401) { es.close(); toLogin(); } }, () => {});
    };
    es.addEventListener("alert", (ev) => {
      const a = JSON.parse(ev.data);
      arrived(a);
      document.dispatchEvent(new CustomEvent("anpr:alert", {detail: a}));  // the map listens
    });
    es.addEventListener("logout", () => { es.close(); toLogin(); });
    // This tab's own Log out: its stream must not race the logout's redirect.
    document.querySelector("form.who")?.addEventListener("submit", () => es.close());
    es.addEventListener("camera", (ev) => {
      const c = JSON.parse(ev.data);
      document.dispatchEvent(new CustomEvent("anpr:camera", {detail: c}));
      if (c.state === "DOWN") announce(`Camera ${esc(c.camera_id)} is DOWN`, "down");
      if (board) { clearTimeout(window._r); window._r = setTimeout(() => location.reload(), 500); }
    });
  }

  // -- hotlist upload --------------------------------------------------------------------------
  const upload = document.getElementById("upload");
  if (upload) {
    const pick = upload.elements.list;
    const fresh = document.getElementById("new-list");
    const shown = document.getElementById("list-settings");
    const sync = () => {
      const o = pick.selectedOptions[0];
      fresh.hidden = pick.value !== "";
      shown.textContent = pick.value ? `This upload replaces the entries of ${o.textContent}; it keeps the list's settings: P${o.dataset.priority}, ${o.dataset.mode} match, owner ${o.dataset.owner || "not set"}.` : "";
    };
    pick.addEventListener("change", sync);
    sync();
    upload.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const out = document.getElementById("upload-result");
      let url;
      if (pick.value) {
        url = `/api/hotlists/${encodeURIComponent(pick.value)}`;
      } else {
        const name = upload.elements.name.value.trim();
        if (!name) { out.textContent = "Give the new list a name."; return; }
        if (!confirm(`Create a new list "${name}" at P${upload.elements.priority.value}?`)) return;
        url = `/api/hotlists/${encodeURIComponent(name)}?create=true&priority=${upload.elements.priority.value}&match_mode=${upload.elements.match_mode.value}&owner=${encodeURIComponent(upload.elements.owner.value)}`;
      }
      const f = upload.elements.file.files[0];
      const r = await fetch(url, {method: "POST", body: await f.text(), credentials: "same-origin"});
      if (r.status === 401) return toLogin();
      out.textContent = r.ok ? "Loaded: " + JSON.stringify(await r.json()) : "Rejected: " + await r.text();
      if (r.ok) setTimeout(() => location.reload(), 800);
    });
  }

  // -- evidence: a read's page, preservation, extended access ---------------------------------
  for (const t of document.querySelectorAll("time.local")) t.textContent = local(t.getAttribute("datetime"));
  const boxed = document.querySelector(".overview-box");
  if (boxed) {
    const img = boxed.querySelector("img"), mark = boxed.querySelector(".plate-box");
    const [x1, y1, x2, y2] = boxed.dataset.box.split(",").map(Number);
    const draw = () => {
      const w = img.naturalWidth, h = img.naturalHeight;
      if (!w || !h) return;
      const pct = (v, n) => `${Math.min(100, Math.max(0, 100 * v / n))}%`;
      Object.assign(mark.style, {left: pct(x1, w), top: pct(y1, h), width: pct(Math.min(x2, w) - x1, w), height: pct(Math.min(y2, h) - y1, h)});
      mark.hidden = false;
    };
    if (img.complete) draw(); else img.addEventListener("load", draw);
  }
  const preserve = document.getElementById("preserve");
  if (preserve) preserve.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ref = preserve.elements.case_ref.value;
    const r = await post(`/api/reads/${preserve.dataset.read}/preserve?case_ref=${encodeURIComponent(ref)}`);
    document.getElementById("preserve-result").textContent = r.ok ? "Preserved." : "Refused: " + JSON.stringify(r.data.detail);
    if (r.ok) document.getElementById("preserved").textContent = `for ${ref} (just now)`;
  });
  const ask = document.getElementById("access-request");
  if (ask) ask.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await post("/api/authorisation-requests", {reason: ask.elements.reason.value, case_ref: ask.elements.case_ref.value});
    document.getElementById("request-result").textContent = r.ok ? `Request ${r.data.request_id} sent.` : "Refused: " + JSON.stringify(r.data.detail);
    if (r.ok) setTimeout(() => location.reload(), 600);
  });
  for (const form of document.querySelectorAll("form.decide")) form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const grant = ev.submitter && ev.submitter.value === "1";
    const days = Number(form.elements.days.value || 7);
    const r = await post(`/api/authorisation-requests/${form.dataset.request}/decision`, grant
      ? {grant: true, authoriser: form.elements.authoriser.value, expires_at: new Date(Date.now() + days * 86400e3).toISOString()}
      : {grant: false});
    const cell = form.closest("tr").querySelector(".state");
    cell.textContent = r.ok ? r.data.state : "Refused: " + JSON.stringify(r.data.detail);
    if (r.ok) setTimeout(() => location.reload(), 600);
  });

  // -- a list's settings, changed on their own -------------------------------------------------
  const edit = document.getElementById("list-edit");
  if (edit) {
    const pick = edit.elements.list;
    const fill = () => {
      const o = pick.selectedOptions[0];
      if (!o) return;
      edit.elements.priority.value = o.dataset.priority;
      edit.elements.match_mode.value = o.dataset.mode;
      edit.elements.owner.value = o.dataset.owner;
      edit.elements.colour.value = o.dataset.colour || "#dc2626";
      edit.elements.sound.value = o.dataset.sound || "beep";
    };
    pick.addEventListener("change", fill);
    fill();
    edit.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const out = document.getElementById("edit-result");
      const r = await send("PUT", `/api/hotlists/${encodeURIComponent(pick.value)}/settings`,
        {priority: Number(edit.elements.priority.value), match_mode: edit.elements.match_mode.value, owner: edit.elements.owner.value, colour: edit.elements.colour.value, sound: edit.elements.sound.value});
      out.textContent = r.ok ? "Saved." : "Refused: " + JSON.stringify(r.data.detail);
      if (r.ok) setTimeout(() => location.reload(), 800);
    });
  }
})();
