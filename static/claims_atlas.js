/* Claims Atlas map layer. Draws the payload built by dashboard/mapview.py.
 *
 * SAFETY: every string that comes from an article (sentence, title, actor,
 * outlet, place, URL...) is hostile. It only ever reaches the page through
 * textContent / createTextNode / setAttribute, never innerHTML, and links are
 * made only for http(s) URLs, with rel="noopener noreferrer".
 */
(function () {
  "use strict";
  var CA = (window.ClaimsAtlas = window.ClaimsAtlas || {});
  var MAP_TITLE = "Map of claims: each point is one outlet's claim at a place";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function httpUrl(u) {
    if (typeof u !== "string" || !u) return null;
    try {
      var p = new URL(u);
      return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
    } catch (e) {
      return null;
    }
  }
  CA.httpUrl = httpUrl;

  function appUrl(query, eventId, view) {
    // The app's current URL (all filters and the map view) when reachable, else the server's filter query.
    // The Compare view gets no filters: it shows every outlet's account of the event.
    var u;
    try {
      u = new URL(window.top.location.href);
    } catch (e) {
      u = new URL(window.location.origin + "/");
      u.search = query || "";
    }
    if (view === "compare") u.search = "";
    u.searchParams.set("event", eventId);
    u.searchParams.set("view", view || "reader");
    u.hash = "";
    return u.href;
  }

  /* ---------- the page around the map: iframe title, scroll wheel ---------- */

  function titleFrame(map) {
    map.getContainer().setAttribute("aria-label", MAP_TITLE);
    try {
      if (window.frameElement) window.frameElement.setAttribute("title", MAP_TITLE);
    } catch (e) { /* cross-origin parent: the container keeps its own label */ }
  }

  function wheelGate(map) {
    // The page scrolls over the map; the wheel zooms only after a click into the map, or with Ctrl/Cmd.
    var c = map.getContainer();
    var hint = el("div", "ca-wheel-hint", "Click the map to zoom with the wheel, or hold Ctrl (⌘) while scrolling");
    c.appendChild(hint);
    var timer = null;
    map.scrollWheelZoom.disable();
    c.addEventListener("mousedown", function () { map.scrollWheelZoom.enable(); hint.classList.remove("ca-show"); });
    c.addEventListener("mouseleave", function () { map.scrollWheelZoom.disable(); });
    c.addEventListener("wheel", function (e) {
      if (map.scrollWheelZoom.enabled()) return;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        var z = map.getZoom() + (e.deltaY < 0 ? 1 : -1);
        map.setZoomAround(map.mouseEventToContainerPoint(e), z);
        return;
      }
      hint.classList.add("ca-show");
      clearTimeout(timer);
      timer = setTimeout(function () { hint.classList.remove("ca-show"); }, 1500);
    }, { passive: false });
  }

  /* ---------- basemaps: street, satellite, offline outlines with labels ---------- */

  function labelLayer(map, url) {
    // Town labels under the claims (own pane), shown from their zoom, greedy de-cluttered on screen.
    if (!map.getPane("ca-labels")) map.createPane("ca-labels").style.zIndex = 350;
    var group = L.layerGroup();
    var labels = [];
    function fits(taken, p, w) {
      for (var i = 0; i < taken.length; i++) {
        var t = taken[i];
        if (p.x < t.x + t.w + 8 && p.x + w + 8 > t.x && Math.abs(p.y - t.y) < 16) return false;
      }
      return true;
    }
    function refresh() {
      if (!map.hasLayer(group)) return;
      group.clearLayers();
      var z = map.getZoom(), b = map.getBounds().pad(0.1), taken = [];
      for (var i = 0; i < labels.length && taken.length < 300; i++) {
        var lab = labels[i];
        if (lab[3] > z || !b.contains([lab[1], lab[2]])) continue;
        var p = map.latLngToContainerPoint([lab[1], lab[2]]), w = 6.5 * String(lab[0]).length;
        if (!fits(taken, p, w)) continue;
        taken.push({ x: p.x, y: p.y, w: w });
        var icon = L.divIcon({ className: "ca-label ca-label-" + Math.min(lab[3], 7), html: el("span", null, lab[0]), iconSize: null });
        group.addLayer(L.marker([lab[1], lab[2]], { icon: icon, interactive: false, keyboard: false, pane: "ca-labels" }));
      }
    }
    fetch(url)
      .then(function (r) { return r.json(); })
      .then(function (rows) { labels = rows.sort(function (a, b) { return a[3] - b[3]; }); refresh(); })
      .catch(function (e) { console.warn("Claims Atlas: place labels could not load", e); });
    map.on("zoomend moveend", refresh);
    group.on("add", refresh);
    return group;
  }

  function offlineLayer(map, opts) {
    if (!map.getPane("ca-land")) map.createPane("ca-land").style.zIndex = 250; // under labels and claims
    var group = L.layerGroup();
    fetch(opts.outlines)
      .then(function (r) { return r.json(); })
      .then(function (gj) {
        var layer = L.geoJSON(gj, {
          interactive: false,
          pane: "ca-land",
          style: { color: "#8a8a8a", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
        });
        group.addLayer(layer);
        layer.bringToBack();
      })
      .catch(function (e) { console.warn("Claims Atlas: country outlines could not load", e); });
    group.addLayer(labelLayer(map, opts.labels));
    return group;
  }

  function notice(map, text) {
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () { return el("div", "ca-notice", text); };
    ctl.addTo(map);
  }

  function fallBackOnTileErrors(map, tiles, offline) {
    // Tiles that cannot load (no network, blocked host) switch the map to the offline basemap once.
    var loaded = 0, failed = 0, done = false;
    function fallBack() {
      if (done) return;
      done = true;
      tiles.forEach(function (t) { if (map.hasLayer(t)) map.removeLayer(t); });
      offline.addTo(map);
      CA.basemapUsed = "offline";
      notice(map, "Map tiles could not load: showing the offline basemap");
    }
    tiles.forEach(function (t) {
      t.on("tileload", function () { loaded++; });
      t.on("tileerror", function () {
        failed++;
        if (failed >= 2 && loaded === 0) fallBack();
      });
    });
  }

  CA.setup = function (map, opts) {
    titleFrame(map);
    wheelGate(map);
    var offline = offlineLayer(map, opts);
    var layers = {};
    if (opts.offline || !opts.street) {
      offline.addTo(map);
      CA.basemapUsed = "offline";
      layers["Offline outlines and towns"] = offline;
    } else {
      var street = L.tileLayer(opts.street.url, { attribution: opts.street.attribution, maxZoom: 19 });
      var sat = L.tileLayer(opts.satellite.url, { attribution: opts.satellite.attribution, maxZoom: 18 });
      layers["Street map (OpenStreetMap)"] = street;
      layers["Satellite (Esri World Imagery)"] = sat;
      layers["Offline outlines and towns"] = offline;
      street.addTo(map);
      CA.basemapUsed = "street";
      fallBackOnTileErrors(map, [street, sat], offline);
    }
    L.control.layers(layers, null, { position: "topright", collapsed: true }).addTo(map);
    map.on("baselayerchange", function (e) { CA.basemapUsed = e.layer === offline ? "offline" : "tiles"; });
  };

  /* ---------- claims: markers, clusters, popups, legend, counts ---------- */

  function sentenceNode(ev) {
    var p = el("p", "ca-sentence");
    var s = String(ev.sentence || "");
    var pos = 0;
    (ev.spans || []).forEach(function (span) {
      if (span[0] < pos || span[1] > s.length) return;
      p.appendChild(document.createTextNode(s.slice(pos, span[0])));
      p.appendChild(el("mark", "ca-" + (span[2] === "trigger" ? "trigger" : "place"), s.slice(span[0], span[1])));
      pos = span[1];
    });
    p.appendChild(document.createTextNode(s.slice(pos)));
    return p;
  }

  function row(table, label, value) {
    if (value === undefined || value === null || value === "") return;
    var tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }

  function popupNode(ev, data) {
    var box = el("div", "ca-popup");
    box.appendChild(el("div", "ca-claim", "Claim by " + ev.outlet));
    box.appendChild(sentenceNode(ev));
    var t = el("table", "ca-facts");
    row(t, "Date", ev.date);
    row(t, "Place", ev.place + " — " + ev.precision);
    row(t, "Actor", ev.actor);
    row(t, "As written", ev.actor_text);
    row(t, "Event", ev.type);
    row(t, "According to", ev.source);
    row(t, "Claim status", ev.status);
    row(t, "Killed (claimed)", ev.fatalities);
    row(t, "Mentions", ev.mentions);
    row(t, "Article", ev.title);
    box.appendChild(t);
    var links = el("div", "ca-links");
    var reader = el("a", "ca-reader", "Read the sentence in the article ↗");
    reader.href = appUrl(data.query, ev.id);
    reader.target = "_blank"; // the map iframe may not navigate the app page; the reader opens beside it
    reader.rel = "noopener";
    links.appendChild(reader);
    if (ev.others > 0) {
      var cmp = el("a", "ca-compare", ev.others + " other outlet" + (ev.others === 1 ? " reports" : "s report") + " this event: compare ↗");
      cmp.href = appUrl(data.query, ev.id, "compare");
      cmp.target = "_blank";
      cmp.rel = "noopener";
      box.insertBefore(cmp, t.nextSibling);
    }
    var orig = httpUrl(ev.url);
    if (orig) {
      var a = el("a", "ca-original", "Original article");
      a.href = orig;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(a);
    }
    box.appendChild(links);
    return box;
  }

  function eventName(ev) {
    return ev.outlet + ": " + (ev.etype || ev.type) + " at " + ev.place + " (" + ev.status + ")";
  }

  function markerStyle(ev) {
    var style = { radius: 7, color: "#222", weight: 1, fillColor: ev.color, fillOpacity: ev.p === 2 ? 0.55 : 0.95 };
    if (ev.p >= 3) {
      // region or country only: a faint area, not a town pin
      // only its outline takes clicks, so town markers inside stay clickable
      style = { radius: ev.p >= 4 ? 150000 : 40000, color: ev.color, weight: 1.5, fillColor: ev.color, fillOpacity: 0.06,
        className: "ca-area" };
    }
    if (ev.status === "alleged") {
      style.dashArray = "3 3";
      style.weight = 2.5;
      style.color = "#222";
    } else if (ev.status === "denied") {
      style.fillColor = "#ffffff";
      style.fillOpacity = 0.95;
      style.color = ev.color;
      style.weight = 3.5;
    }
    return style;
  }

  function popupOptions(map) {
    var w = map.getSize().x;
    var max = Math.max(180, Math.min(360, w - 70));
    // keep the popup clear of the zoom buttons, the in-view count and the layer switch
    return { maxWidth: max, minWidth: Math.min(240, max), autoPanPaddingTopLeft: [12, 96], autoPanPaddingBottomRight: [12, 12],
      keepInView: true };
  }

  function eventLayer(map, ev, data) {
    var ll = [ev.lat, ev.lon];
    var layer = ev.p >= 3 ? L.circle(ll, markerStyle(ev)) : L.circleMarker(ll, markerStyle(ev));
    layer.feature = { type: "Feature", properties: { event_id: ev.id }, geometry: { type: "Point", coordinates: [ev.lon, ev.lat] } };
    layer.caEvent = ev;
    layer.bindTooltip(el("span", null, ev.place + " · " + ev.outlet + " · " + ev.status));
    layer.bindPopup(function () { return popupNode(ev, data); }, popupOptions(map));
    layer.on("add", function () {
      var node = layer.getElement();
      if (!node) return;
      node.setAttribute("role", "button");
      node.setAttribute("tabindex", "0");
      node.setAttribute("aria-label", eventName(ev));
      node.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") layer.openPopup(); });
    });
    return layer;
  }

  var LabelledIcon = L.DivIcon.extend({
    createIcon: function (old) {
      var node = L.DivIcon.prototype.createIcon.call(this, old);
      node.setAttribute("role", "button");
      node.setAttribute("tabindex", "0");
      node.setAttribute("aria-label", this.options.label || "");
      return node;
    },
  });

  function tally(values, limit) {
    var counts = {};
    values.forEach(function (v) { if (v) counts[v] = (counts[v] || 0) + 1; });
    return Object.keys(counts)
      .sort(function (a, b) { return counts[b] - counts[a]; })
      .slice(0, limit)
      .map(function (k) { return k + " " + counts[k]; })
      .join(", ");
  }

  function clusterName(cluster) {
    var evs = cluster.getAllChildMarkers().map(function (m) { return m.caEvent || {}; });
    return evs.length + " claims. Outlets: " + tally(evs.map(function (e) { return e.outlet; }), 4) +
      ". Event types: " + tally(evs.map(function (e) { return e.etype; }), 3) +
      ". Places: " + tally(evs.map(function (e) { return e.place; }), 4) + ". Click to zoom in.";
  }

  function clusterIcon(cluster) {
    // neutral (white, dark ring): a cluster never takes a legend colour
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : 44;
    return new LabelledIcon({ html: el("span", null, n), className: "ca-cluster", iconSize: [size, size], label: clusterName(cluster) });
  }

  function cellLayer(cell, map) {
    var size = Math.round(22 + 8 * Math.log10(cell.n));
    var label = cell.n + " claims by " + cell.outlets + " outlet(s) in this area, mostly " + (cell.top || "not stated") + ". Click to zoom in.";
    var icon = new LabelledIcon({ className: "ca-cell", iconSize: [size, size], html: el("span", null, cell.n), label: label });
    var m = L.marker([cell.lat, cell.lon], { icon: icon });
    m.caCount = cell.n;
    m.on("add", function () {
      var node = m.getElement();
      if (!node) return;
      node.style.background = cell.color;
      node.style.lineHeight = size - 4 + "px";
    });
    m.bindTooltip(el("span", null, label));
    m.on("click", function () { map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, 18)); });
    return m;
  }

  function swatch(item) {
    var sw = el("span", "ca-swatch");
    sw.style.background = item[1];
    return sw;
  }

  function statusKey(box) {
    box.appendChild(el("div", "ca-legend-title", "Claim status"));
    [["asserted / reported", "ca-st-solid"], ["alleged (hedged)", "ca-st-dashed"], ["denied", "ca-st-hollow"]].forEach(function (s) {
      var line = el("div", "ca-legend-item");
      line.appendChild(el("span", "ca-swatch " + s[1]));
      line.appendChild(document.createTextNode(s[0]));
      box.appendChild(line);
    });
  }

  function legend(map, data) {
    if (window.__caLegend) map.removeControl(window.__caLegend);
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      var details = el("details", "ca-legend");
      if (window.__caLegendOpen === undefined) window.__caLegendOpen = map.getSize().x >= 600;
      details.open = window.__caLegendOpen;
      details.addEventListener("toggle", function () { window.__caLegendOpen = details.open; });
      details.appendChild(el("summary", "ca-legend-summary", "Legend"));
      var box = el("div", "ca-legend-body");
      box.appendChild(el("div", "ca-legend-title", data.legend_title));
      data.legend.forEach(function (item) {
        var line = el("div", "ca-legend-item");
        line.appendChild(swatch(item));
        line.appendChild(document.createTextNode(item[0]));
        box.appendChild(line);
      });
      statusKey(box);
      box.appendChild(el("div", "ca-legend-note", "Pale dot: near a place · large shaded circle: region or country only"));
      box.appendChild(el("div", "ca-legend-note", data.mode === "cells" ? "Coloured numbers: claims per area, in the colour of the most common entry; zoom in for details"
        : "White numbered circles: groups of nearby claims"));
      details.appendChild(box);
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      return details;
    };
    ctl.addTo(map);
    window.__caLegend = ctl;
  }

  function inView(map, layers) {
    var b = map.getBounds(), n = 0;
    layers.forEach(function (l) {
      var ll = l.getLatLng();
      var w = L.latLng(ll.lat, ll.lng + 360), e = L.latLng(ll.lat, ll.lng - 360);
      if (b.contains(ll) || b.contains(w) || b.contains(e)) n += l.caCount || 1;
    });
    return n;
  }

  function counter(map, data, layers) {
    if (window.__caCounter) map.removeControl(window.__caCounter);
    if (window.__caCounterUpdate) map.off("moveend", window.__caCounterUpdate);
    var ctl = L.control({ position: "topleft" });
    var box = el("div", "ca-count");
    ctl.onAdd = function () { return box; };
    function update() {
      var n = inView(map, layers);
      box.textContent = n.toLocaleString("en") + " claim" + (n === 1 ? "" : "s") + " in view of " + data.total.toLocaleString("en") + " matching";
      CA.inView = n;
    }
    ctl.addTo(map);
    map.on("moveend", update);
    window.__caCounter = ctl;
    window.__caCounterUpdate = update;
    update();
  }

  /* ---------- the view: kept in the page URL, and the map fetches its own data ---------- */

  function wrapLon(x) { return (((x + 180) % 360) + 360) % 360 - 180; }
  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  function viewAt(map, center, zoom) {
    // The view the map shows (or will show, during a zoom animation) at this centre and zoom.
    var size = map.getSize(), pc = map.project(center, zoom);
    var sw = map.unproject(pc.add([-size.x / 2, size.y / 2]), zoom), ne = map.unproject(pc.add([size.x / 2, -size.y / 2]), zoom);
    return { lat: clamp(center.lat, -85, 85).toFixed(4), lon: wrapLon(center.lng).toFixed(4), zoom: zoom,
      south: clamp(sw.lat, -90, 90), west: clamp(sw.lng, -720, 720), north: clamp(ne.lat, -90, 90), east: clamp(ne.lng, -720, 720) };
  }

  function viewOf(map) { return viewAt(map, map.getCenter(), map.getZoom()); }

  function recordUrl(v) {
    // The page URL keeps the view for sharing and reload, replaced in place: a pan adds no history entry.
    // lat, lon and zoom are the last parameters, as the app writes them, so the app's next write matches.
    try {
      var loc = window.top.location;
      var parts = loc.search.replace(/^\?/, "").split("&").filter(function (p) { return p && !/^(lat|lon|zoom)=/.test(p); });
      parts.push("lat=" + v.lat, "lon=" + v.lon, "zoom=" + v.zoom);
      var url = loc.pathname + "?" + parts.join("&") + loc.hash;
      CA.recorded = (CA.recorded || []).concat([v.lat + "," + v.lon + "," + v.zoom]).slice(-20);
      if (url !== loc.pathname + loc.search + loc.hash) window.top.history.replaceState(window.top.history.state, "", url);
      CA.urlWrites = (CA.urlWrites || 0) + 1;
    } catch (e) { /* a cross-origin parent: the app keeps the view itself */ }
  }

  function covered(data, v) {
    // Whether the drawn data is complete for this view (no fetch needed).
    if (!data) return false;
    if (data.mode === "cells" && data.zoom !== v.zoom) return false;
    var c = data.covers;
    if (!c) return true;
    if (v.south < c[0] || v.north > c[2]) return false;
    if (c[3] - c[1] >= 360) return true;
    var shift = Math.floor((v.west - c[1]) / 360) * 360;
    return v.east - shift <= c[3];
  }

  function requestUrl(api, data, v, want) {
    var q = ["south=" + v.south.toFixed(5), "west=" + v.west.toFixed(5), "north=" + v.north.toFixed(5),
      "east=" + v.east.toFixed(5), "zoom=" + v.zoom, "lat=" + v.lat, "lon=" + v.lon,
      "token=" + encodeURIComponent(api.token || "")];
    if (!want) q.push("data=0");
    return new URL(api.url, document.baseURI).href + "?" + (data.query ? data.query + "&" : "") + q.join("&");
  }

  // One fetch at a time is the one that counts (a newer view supersedes it). A zoom starts its fetch when
  // the animation starts, so the answer and the animation overlap; the layer is swapped once the map stops.
  var fetchSeq = 0, latest = null;

  function apply(map, rec) {
    var st = CA.state;
    if (rec.applied || rec.seq !== fetchSeq || !st || st.map !== map) return;
    if (!covered(rec.json, viewOf(map))) { request(map, viewOf(map)); return; } // the map moved on meanwhile
    rec.applied = true;
    rec.json.api = rec.api;
    rec.json.query = rec.query;
    rec.json.selected = null;
    CA.fetches = (CA.fetches || 0) + 1;
    st.group.clearLayers();
    CA.draw(map, st.group, rec.json);
    rec.timing.drawn = Date.now();
    CA.lastFetch = rec.timing; // when it was asked, answered and drawn (the browser benchmark reads it)
  }

  function request(map, v) {
    var st = CA.state, api = st.data.api;
    var rec = { v: v, seq: ++fetchSeq, api: api, query: st.data.query, json: null, timing: { asked: Date.now() } };
    latest = rec;
    CA.fetching = (CA.fetching || 0) + 1;
    fetch(requestUrl(api, st.data, v, true), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("map endpoint answered " + r.status);
        return r.json();
      })
      .then(function (json) {
        rec.json = json;
        rec.timing.answered = Date.now();
        if (!map._animatingZoom) apply(map, rec); // else at the animation's moveend
      })
      .catch(function (e) { console.warn("Claims Atlas: the map could not fetch this view", e); })
      .then(function () { CA.fetching -= 1; });
  }

  function report(st, v) {
    // a view the drawn data already covers: only tell the app where the map is (for its next URL write)
    fetch(requestUrl(st.data.api, st.data, v, false), { credentials: "same-origin", cache: "no-store" })
      .catch(function (e) { console.warn("Claims Atlas: the map could not report its view", e); });
  }

  function sync(map) {
    var st = CA.state;
    if (!st || st.map !== map) return;
    var v = viewOf(map);
    recordUrl(v);
    if (!st.data.api || !st.data.api.url) return; // no endpoint: the app reruns on the map's reported view
    if (covered(st.data, v)) { report(st, v); return; }
    var rec = latest;
    if (rec && rec.seq === fetchSeq && !rec.applied && rec.v.zoom === v.zoom) {
      if (rec.v.lat !== v.lat || rec.v.lon !== v.lon) report(st, v);
      if (rec.json) apply(map, rec); // answered during the animation: swap now
      else if (Math.abs(rec.v.south - v.south) + Math.abs(rec.v.west - v.west) < 1e-6 * (1 + v.east - v.west)) return;
      else request(map, v);
      return;
    }
    request(map, v);
  }
  CA.sync = sync;

  function viewParams(search) {
    var m = {};
    search.replace(/^\?/, "").split("&").forEach(function (p) {
      var kv = p.split("=");
      if (kv[0] === "lat" || kv[0] === "lon" || kv[0] === "zoom") m[kv[0]] = kv[1];
    });
    return m.lat + "," + m.lon + "," + m.zoom;
  }

  function reassert(map) {
    // The app writes the URL at the end of a rerun with the view it last heard of. A pan it had not heard of
    // yet (a popup's auto-pan right after the click that started the rerun) would be lost: when the app writes
    // a view this map showed before and has since left, the map's own view is put back (and reported).
    var h;
    try { h = window.top.history; } catch (e) { return; }
    function alive() { return window.frameElement && window.frameElement.isConnected && CA.state && CA.state.map === map; }
    ["pushState", "replaceState"].forEach(function (name) {
      var original = h[name];
      h[name] = function () {
        var result = original.apply(h, arguments);
        try {
          if (alive()) {
            var written = viewParams(window.top.location.search), v = viewOf(map), now = v.lat + "," + v.lon + "," + v.zoom;
            if (written !== now && (CA.recorded || []).indexOf(written) >= 0) setTimeout(function () { if (alive()) sync(map); }, 0);
          }
        } catch (e) { /* the map's frame is gone: nothing to put back */ }
        return result;
      };
    });
  }

  function watch(map) {
    if (map.__caWatched) return;
    map.__caWatched = true;
    reassert(map);
    map.on("moveend", function () { sync(map); });
    map.on("zoomanim", function (e) {
      var st = CA.state;
      if (!st || !st.data.api || !st.data.api.url) return;
      var v = viewAt(map, e.center, e.zoom);
      if (!covered(st.data, v)) request(map, v);
    });
    map.on("popupopen", function () { map.getContainer().classList.add("ca-popup-open"); });
    map.on("popupclose", function () { map.getContainer().classList.remove("ca-popup-open"); });
  }

  CA.draw = function (map, group, data) {
    CA.lastData = data; // what is drawn now (tests and the browser benchmark read it)
    CA.drawCount = (CA.drawCount || 0) + 1;
    CA.drawnAt = Date.now();
    CA.state = { map: map, group: group, data: data };
    watch(map);
    legend(map, data);
    // the app draws its layer for its estimate of the view, and a fetch may come back after the map moved
    // on: when what is drawn falls short of the view, fetch it at once
    setTimeout(function () {
      if (CA.state.data === data && data.api && data.api.url && !(CA.fetching > 0) && !covered(data, viewOf(map))) sync(map);
    }, 0);
    if (data.mode === "cells") {
      var cells = data.cells.map(function (c) { return cellLayer(c, map); });
      cells.forEach(function (m) { group.addLayer(m); });
      counter(map, data, cells);
      return;
    }
    var cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 40, spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon });
    var selected = null;
    var layers = [];
    data.events.forEach(function (ev) {
      var layer = eventLayer(map, ev, data);
      layers.push(layer);
      cluster.addLayer(layer);
      if (ev.id === data.selected) selected = layer;
    });
    group.addLayer(cluster);
    counter(map, data, layers);
    var reopen = null;
    data.events.forEach(function (ev) { if (ev.id === window.__caOpenPopup) reopen = ev.id; });
    cluster.on("popupopen", function (e) { window.__caOpenPopup = e.layer.feature.properties.event_id; });
    cluster.on("popupclose", function (e) {
      if (window.__caOpenPopup === e.layer.feature.properties.event_id) window.__caOpenPopup = null;
    });
    // the group is put on the map after this script; open popups once it is there
    setTimeout(function () {
      if (selected && window.__caOpened !== data.selected) {
        window.__caOpened = data.selected;
        cluster.zoomToShowLayer(selected, function () { selected.openPopup(); });
      } else if (reopen) {
        cluster.eachLayer(function (l) {
          if (l.feature.properties.event_id === reopen && cluster.getVisibleParent(l) === l) l.openPopup();
        });
      }
    }, 0);
  };
})();
