// The sites on a map (Leaflet, bundled): state colours, alerts pulsing as they arrive, and a
// vehicle's sightings drawn as a route with times. Tiles only where a tile server is configured;
// without one the sites stand on a plain coordinate grid.
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  const COLOURS = {UP: "#16a34a", DEGRADED: "#d97706", DOWN: "#dc2626", MAINTENANCE: "#6366f1"};
  const map = L.map(el, {preferCanvas: false, zoomSnap: 0.25});
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution || "", maxZoom: 19}).addTo(map);
  }
  const markers = new Map(); // site_id -> circle marker
  const london = new Intl.DateTimeFormat("en-GB", {timeZone: "Europe/London", day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});

  function grid(bounds) {
    // A coordinate background: lines every 0.1 degree, labelled, when no tiles are drawn.
    const s = Math.floor(bounds.getSouth() * 10) / 10, n = Math.ceil(bounds.getNorth() * 10) / 10;
    const w = Math.floor(bounds.getWest() * 10) / 10, e = Math.ceil(bounds.getEast() * 10) / 10;
    const style = {color: "#334155", weight: 1, interactive: false, className: "grid-line"};
    for (let lat = s; lat <= n + 1e-9; lat += 0.1) L.polyline([[lat, w], [lat, e]], style).addTo(map).bindTooltip(`${lat.toFixed(1)}°`, {permanent: false});
    for (let lon = w; lon <= e + 1e-9; lon += 0.1) L.polyline([[s, lon], [n, lon]], style).addTo(map);
  }

  async function loadSites(first) {
    const r = await fetch("/api/sites", {credentials: "same-origin"});
    if (!r.ok) return;
    const sites = (await r.json()).filter(s => s.lat != null && s.lon != null);
    for (const s of sites) {
      const colour = COLOURS[s.state] || "#94a3b8";
      let m = markers.get(s.site_id);
      if (!m) {
        m = L.circleMarker([s.lat, s.lon], {radius: 8, weight: 2, color: "#0f172a", fillOpacity: 0.9, className: `site-marker site-${s.site_id}`});
        m.addTo(map).bindPopup("");
        markers.set(s.site_id, m);
      }
      m.setStyle({fillColor: colour});
      m.getElement()?.setAttribute("data-state", s.state);
      m.setPopupContent(`<b>${s.site_id}</b> ${s.name}<br>${s.state} · ${s.cameras} camera(s)<br><a href="/sites/${s.site_id}">site page</a>`);
    }
    if (first && sites.length) {
      const b = L.latLngBounds(sites.map(s => [s.lat, s.lon])).pad(0.1);
      map.fitBounds(b);
      if (!el.dataset.tiles) grid(b);
    }
    el.dataset.sites = String(markers.size);
  }

  function pulse(siteId) {
    const m = markers.get(siteId);
    const node = m && m.getElement();
    if (!node) return;
    node.classList.remove("pulse"); void node.getBoundingClientRect(); node.classList.add("pulse");
  }

  async function route() {
    const vrm = el.dataset.vrm;
    if (!vrm) return;
    const q = new URLSearchParams({vrm, limit: "1000"});
    if (el.dataset.since) q.set("since", el.dataset.since);
    if (el.dataset.until) q.set("until", el.dataset.until);
    const out = document.getElementById("route-result");
    const r = await fetch(`/api/search?${q}`, {credentials: "same-origin"});
    if (!r.ok) { out.textContent = "Refused: " + (await r.json()).detail; return; }
    const seen = (await r.json()).reverse(); // oldest first
    const points = [];
    for (const s of seen) {
      const m = markers.get(s.site_id);
      if (!m) continue;
      const at = m.getLatLng();
      points.push(at);
      L.circleMarker(at, {radius: 4, color: "#38bdf8", className: "route-stop"}).addTo(map)
        .bindTooltip(`${points.length}. ${london.format(new Date(s.captured_at))}`, {permanent: true, direction: "right", className: "route-time"});
    }
    if (points.length > 1) L.polyline(points, {color: "#38bdf8", weight: 3, className: "route-line"}).addTo(map);
    out.textContent = `${seen.length} sighting(s) of ${vrm}`;
    el.dataset.route = String(points.length);
  }

  loadSites(true).then(route);
  document.addEventListener("anpr:alert", (ev) => pulse(ev.detail.site_id));
  document.addEventListener("anpr:camera", () => loadSites(false));
})();
