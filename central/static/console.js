// Live alerts and camera states over server-sent events; acknowledgement and disposition.
(function () {
  "use strict";
  const list = document.getElementById("alerts");
  const dispositions = list ? list.dataset.dispositions.split(",") : [];

  function esc(s) { return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c])); }

  function card(a) {
    const vrm = [...a.vrm_read].map((ch, i) => a.differing_positions.includes(i) ? `<span class="diff">${esc(ch)}</span>` : esc(ch)).join("");
    const markers = a.warning_markers.map(m => ` <span class="badge warn">${esc(m)}</span>`).join("");
    const opts = dispositions.map(d => `<option value="${d}">${d.replace("_", " ")}</option>`).join("");
    const el = document.createElement("article");
    el.className = `alert card p${a.priority} ${a.match_type} ${a.state || "new"}`;
    el.dataset.alertId = a.alert_id; el.dataset.priority = a.priority; el.tabIndex = 0;
    el.innerHTML = `<div class="images"><img src="/api/reads/${a.read_id}/plate.jpg" alt="plate patch" class="patch">
      <img src="/api/reads/${a.read_id}/overview.jpg" alt="overview" class="overview"></div>
      <div class="body"><h2><span class="vrm">${vrm}</span> <span class="badge ${a.match_type}">${a.match_type === "exact" ? "EXACT" : "POSSIBLE — verify"}</span>
      <span class="badge prio">P${a.priority}</span></h2>
      ${a.match_type !== "exact" ? `<p>Listed as <b>${esc(a.vrm_listed)}</b></p>` : ""}
      <p class="action"><b>${esc(a.action || "No action given")}</b>${markers}</p>
      <p>${esc(a.list_name)} rev ${a.list_revision}${a.reason ? " · " + esc(a.reason) : ""}</p>
      <p class="muted">${esc(a.site_id)} / ${esc(a.camera_id)}${a.lane != null ? " lane " + a.lane : ""} · ${esc(a.direction)} · ${esc(a.captured_at)} · confidence ${Math.round(a.confidence * 100)} %</p>
      <div class="controls"><span class="state">new</span><button data-ack="${a.alert_id}">Acknowledge</button>
      <select data-disposition-for="${a.alert_id}" aria-label="Disposition">${opts}</select><button data-dispose="${a.alert_id}">Record</button></div></div>`;
    return el;
  }

  function place(el) {
    // Highest priority (lowest number) first; among equals the newest first.
    const p = Number(el.dataset.priority);
    const after = [...list.querySelectorAll("article.alert")].find(x => Number(x.dataset.priority) >= p);
    list.insertBefore(el, after || null);
  }

  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator(); o.frequency.value = 880; o.connect(ctx.destination);
      o.start(); o.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio device: colour still shows it */ }
  }

  async function post(url, body) {
    const r = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"}, body: body ? JSON.stringify(body) : null, credentials: "same-origin"});
    if (!r.ok) throw new Error(await r.text());
    return r.json();
  }

  document.addEventListener("click", async (ev) => {
    const t = ev.target;
    if (t.dataset.ack) {
      await post(`/api/alerts/${t.dataset.ack}/ack`);
      t.closest(".alert").querySelector(".state").textContent = "acknowledged";
      t.remove();
    } else if (t.dataset.dispose) {
      const sel = document.querySelector(`select[data-disposition-for="${t.dataset.dispose}"]`);
      await post(`/api/alerts/${t.dataset.dispose}/disposition`, {disposition: sel.value});
      const art = t.closest(".alert");
      art.classList.add("closed");
      art.querySelector(".state").textContent = `closed: ${sel.value}`;
    }
  });

  const upload = document.getElementById("upload");
  if (upload) upload.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = upload.file.files[0];
    const r = await fetch(`/api/hotlists/${encodeURIComponent(upload.name.value)}?priority=${upload.priority.value}`, {method: "POST", body: await f.text(), credentials: "same-origin"});
    document.getElementById("upload-result").textContent = r.ok ? "Loaded: " + JSON.stringify(await r.json()) : "Rejected: " + await r.text();
    if (r.ok) setTimeout(() => location.reload(), 800);
  });

  const board = document.querySelector(".board");
  if (list || board) {
    const es = new EventSource("/api/alerts/stream");
    const live = document.getElementById("live");
    es.onopen = () => { if (live) live.textContent = "live"; };
    es.onerror = () => { if (live) live.textContent = "reconnecting…"; };
    es.addEventListener("alert", (ev) => {
      if (!list) return;
      const a = JSON.parse(ev.data);
      if (list.querySelector(`[data-alert-id="${a.alert_id}"]`)) return;
      document.getElementById("none")?.remove();
      place(card(a));
      if (a.priority <= 2) beep();
    });
    es.addEventListener("camera", () => { if (board) { clearTimeout(window._r); window._r = setTimeout(() => location.reload(), 500); } });
  }
})();
