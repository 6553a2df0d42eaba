/* Claims Atlas map layer. Draws the payload built by dashboard/mapview.py.
 *
 * SAFETY: every string that comes from an article (sentence, title, actor,
 * outlet, place, URL...) is hostile. It only ever reaches the page through
 * textContent / createTextNode, never innerHTML, and links are made only for
 * http(s) URLs, with rel="noopener noreferrer".
 */
(function () {
  "use strict";
  var CA = (window.ClaimsAtlas = window.ClaimsAtlas || {});

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

  function appUrl(query, eventId) {
    // The app's current URL (all filters and the map view) when reachable, else the server's filter query.
    var u;
    try {
      u = new URL(window.top.location.href);
    } catch (e) {
      u = new URL(window.location.origin + "/");
      u.search = query || "";
    }
    u.searchParams.set("event", eventId);
    u.searchParams.set("view", "reader");
    u.hash = "";
    return u.href;
  }

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
    row(t, "Article", ev.title);
    box.appendChild(t);
    var links = el("div", "ca-links");
    var reader = el("a", "ca-reader", "Read the sentence in the article ↗");
    reader.href = appUrl(data.query, ev.id);
    reader.target = "_blank"; // the map iframe may not navigate the app page; the reader opens beside it
    reader.rel = "noopener";
    links.appendChild(reader);
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

  function eventLayer(ev, data) {
    var ll = [ev.lat, ev.lon];
    var layer;
    if (ev.p >= 3) {
      // region or country only: an area, not a town pin
      layer = L.circle(ll, { radius: ev.p >= 4 ? 150000 : 40000, color: ev.color, weight: 2, dashArray: "6 4", fill: false });
    } else {
      layer = L.circleMarker(ll, { radius: 7, color: "#222", weight: 1, fillColor: ev.color, fillOpacity: ev.p === 2 ? 0.45 : 0.9 });
    }
    layer.feature = { type: "Feature", properties: { event_id: ev.id }, geometry: { type: "Point", coordinates: [ev.lon, ev.lat] } };
    layer.bindTooltip(el("span", null, ev.place + " · " + ev.outlet));
    layer.bindPopup(function () { return popupNode(ev, data); }, { maxWidth: 380, minWidth: 260 });
    return layer;
  }

  function cellLayer(cell, map) {
    var size = Math.round(22 + 8 * Math.log10(cell.n));
    var icon = L.divIcon({ className: "ca-cell", iconSize: [size, size], html: "" });
    var m = L.marker([cell.lat, cell.lon], { icon: icon });
    m.on("add", function () {
      var node = m.getElement();
      if (!node) return;
      node.textContent = String(cell.n);
      node.style.background = cell.color;
      node.style.lineHeight = size + "px";
    });
    m.bindTooltip(el("span", null, cell.n + " claims by " + cell.outlets + " outlet(s) — click to zoom in"));
    m.on("click", function () { map.setView([cell.lat, cell.lon], Math.min(map.getZoom() + 2, 18)); });
    return m;
  }

  function legend(map, data) {
    if (window.__caLegend) map.removeControl(window.__caLegend);
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      var box = el("div", "ca-legend");
      box.appendChild(el("div", "ca-legend-title", data.legend_title));
      data.legend.forEach(function (item) {
        var line = el("div", "ca-legend-item");
        var sw = el("span", "ca-swatch");
        sw.style.background = item[1];
        line.appendChild(sw);
        line.appendChild(document.createTextNode(item[0]));
        box.appendChild(line);
      });
      box.appendChild(el("div", "ca-legend-note", "● town  ◌ dashed ring: region or country only"));
      if (data.mode === "cells") box.appendChild(el("div", "ca-legend-note", "Numbers: claims per area; zoom in for details"));
      return box;
    };
    ctl.addTo(map);
    window.__caLegend = ctl;
  }

  CA.draw = function (map, group, data) {
    legend(map, data);
    if (data.mode === "cells") {
      data.cells.forEach(function (c) { group.addLayer(cellLayer(c, map)); });
      return;
    }
    var cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 40, spiderfyOnMaxZoom: true });
    var selected = null;
    data.events.forEach(function (ev) {
      var layer = eventLayer(ev, data);
      cluster.addLayer(layer);
      if (ev.id === data.selected) selected = layer;
    });
    group.addLayer(cluster);
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

  CA.basemap = function (map, url) {
    fetch(url)
      .then(function (r) { return r.json(); })
      .then(function (gj) {
        var layer = L.geoJSON(gj, {
          interactive: false,
          style: { color: "#8a8a8a", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
        });
        layer.addTo(map);
        layer.bringToBack();
      })
      .catch(function (e) { console.warn("Claims Atlas: country outlines could not load", e); });
  };
})();
