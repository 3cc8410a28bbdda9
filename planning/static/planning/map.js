/* The citizens' planning map: zones by land-use group, parcels, units, search and lookup.
   Everything it loads comes from this site: Leaflet and VectorGrid are vendored, the layers
   are this app's vector tiles, and an outside base map is used only when configured. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("planning-config").textContent);
  // The map fills the window below the site's top bar, whatever its height.
  var shell = document.getElementById("planning");
  var bar = document.querySelector("header.top");
  function fit() {
    shell.style.top = (bar ? bar.getBoundingClientRect().bottom : 0) + "px";
  }
  fit();
  var L_ = config.labels;
  var lang = document.documentElement.lang || "vi";
  var number = function (value, digits) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: digits === undefined ? 1 : digits }).format(value);
  };
  var escape = function (text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  // --- state in the URL: centre, zoom and the selected parcel ---------------------------
  var params = new URLSearchParams(window.location.search);
  var startLat = parseFloat(params.get("lat"));
  var startLon = parseFloat(params.get("lon"));
  var startZoom = parseInt(params.get("z"), 10);
  var selected = params.get("parcel");

  var map = L.map("planning-map", {
    center: isFinite(startLat) && isFinite(startLon) ? [startLat, startLon] : config.centre,
    zoom: isFinite(startZoom) ? startZoom : config.zoom,
    minZoom: 10,
    maxZoom: 20,
    zoomControl: true,
  });
  window.planningMap = map;
  window.addEventListener("resize", function () { fit(); map.invalidateSize(); });
  L.control.scale({ imperial: false }).addTo(map);

  function saveState() {
    var c = map.getCenter();
    var q = new URLSearchParams();
    q.set("lat", c.lat.toFixed(6));
    q.set("lon", c.lng.toFixed(6));
    q.set("z", String(map.getZoom()));
    if (selected) q.set("parcel", selected);
    window.history.replaceState(null, "", window.location.pathname + "?" + q.toString());
  }
  map.on("moveend", saveState);

  // --- layers ------------------------------------------------------------------------------
  [["zones", 350], ["roads", 380], ["parcels", 390], ["units", 400], ["selection", 450]].forEach(function (p) {
    map.createPane(p[0]).style.zIndex = p[1];
  });
  map.getPane("selection").style.pointerEvents = "none";

  if (config.basemap) {
    L.tileLayer(config.basemap, { maxZoom: 20, attribution: config.basemapAttribution }).addTo(map);
  }

  function vector(url, styles, options) {
    return L.vectorGrid.protobuf(url, Object.assign({
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: false,
      maxNativeZoom: 18,
      maxZoom: 20,
    }, options));
  }

  vector(config.tiles.plan_zones, {
    plan_zones: function (p) {
      return {
        fill: true, fillColor: config.colours[p.zone_group] || config.colours.other,
        fillOpacity: 0.62, color: "#ffffff", weight: 0.7, opacity: 0.9,
      };
    },
  }, { pane: "zones", minZoom: 10 }).addTo(map);

  vector(config.tiles.road_boundaries, {
    road_boundaries: { fill: true, fillColor: "#c0262d", fillOpacity: 0.1, color: "#c0262d", weight: 1.2, dashArray: "5 4" },
  }, { pane: "roads", minZoom: 14 }).addTo(map);

  vector(config.tiles.parcels, {
    parcels: { fill: false, color: "#374151", weight: 0.6, opacity: 0.8 },
    parcels_clusters: [],
  }, { pane: "parcels", minZoom: 16 }).addTo(map);

  vector(config.tiles.units, {
    units: function (p) {
      if (p.level === "district") return { fill: false, color: "#1e3a8a", weight: 3, opacity: 0.9 };
      if (p.level === "city") return [];
      return { fill: false, color: "#1d4ed8", weight: 1.5, dashArray: "6 4", opacity: 0.9 };
    },
  }, { pane: "units", minZoom: 10 }).addTo(map);

  var selection = L.layerGroup().addTo(map);

  // Room for the answer panel: on the right on a wide screen, at the bottom on a phone.
  function fitOptions() {
    var narrow = window.innerWidth <= 640;
    var pad = narrow ? [0, Math.round(window.innerHeight * 0.55)] : [Math.min(400, window.innerWidth / 2), 0];
    return { maxZoom: 19, paddingTopLeft: [20, 60], paddingBottomRight: pad };
  }

  // --- the answer panel --------------------------------------------------------------------
  var panel = document.getElementById("planning-panel");

  function showMessage(text) {
    panel.hidden = false;
    panel.innerHTML = '<button type="button" class="close" aria-label="' + escape(L_.close) + '">×</button><p>' + escape(text) + "</p>";
  }

  function limitRows(limits) {
    var rows = [
      [L_.floors, limits.max_floors, ""],
      [L_.height, limits.max_height_m, " " + L_.unit_m],
      [L_.coverage, limits.max_coverage_pct, " %"],
      [L_.far, limits.max_far, ""],
      [L_.setback, limits.setback_m, " " + L_.unit_m],
    ];
    return rows.map(function (r) {
      var value = r[1] === null || r[1] === undefined ? L_.none : number(r[1], 2) + r[2];
      return "<dt>" + escape(r[0]) + "</dt><dd>" + escape(value) + "</dd>";
    }).join("");
  }

  function decisionText(d) {
    if (!d) return "";
    return escape(L_.decision) + " " + escape(d.number) + " (" + escape(d.decided_on) + ", " + escape(d.kind_label) +
      " " + escape(d.scale_label) + ", " + escape(d.authority) + ") – " + escape(d.status_label);
  }

  function render(answer) {
    panel.hidden = false;
    var html = ['<button type="button" class="close" aria-label="' + escape(L_.close) + '">×</button>'];
    if (!answer.covered) {
      html.push("<p>" + escape(answer.message) + "</p>");
      panel.innerHTML = html.join("");
      return;
    }
    var p = answer.parcel;
    var units = [answer.ward && answer.ward.name, answer.district && answer.district.name].filter(Boolean).join(", ");
    if (p) {
      html.push("<h2>" + escape(L_.parcel) + " " + escape(p.key) + "</h2>");
      // An address usually ends with its ward ("183 Đỗ Xuân Hợp, Phường 25"): not twice.
      var address = (p.address || "").toLocaleLowerCase("vi");
      var beyond = [answer.ward && answer.ward.name, answer.district && answer.district.name].filter(function (name) {
        return name && address.indexOf(name.toLocaleLowerCase("vi")) < 0;
      }).join(", ");
      html.push('<p class="units">' + escape([p.address, beyond].filter(Boolean).join(", ")) + "</p>");
      html.push("<dl><dt>" + escape(L_.area) + "</dt><dd>" + number(p.area_m2) + " m²</dd>" +
        "<dt>" + escape(L_.landUse) + "</dt><dd>" + escape(p.land_use) + (p.land_use_name ? " – " + escape(p.land_use_name) : "") + "</dd></dl>");
    } else {
      html.push("<h2>" + escape(L_.noParcel) + "</h2>");
      html.push('<p class="units">' + escape(units) + "</p>");
    }
    html.push("<h3>" + escape(L_.zones) + "</h3>");
    if (!answer.zones.length) html.push('<p class="muted">' + escape(L_.noZone) + "</p>");
    answer.zones.forEach(function (z) {
      html.push('<div class="zone" style="border-color:' + escape(config.colours[z.group] || "#ccc") + '">' +
        (z.share_pct !== null ? '<span class="share" title="' + escape(L_.share) + '">' + number(z.share_pct) + " %</span>" : "") +
        "<strong>" + escape(z.code) + "</strong> " + escape(z.name) +
        '<br><span class="muted">' + escape(L_.zone) + " " + escape(z.zone_id) + (z.function ? " · " + escape(z.function) : "") +
        " · " + escape(z.group_label) + "</span>" +
        "<dl>" + limitRows(z.limits) + "</dl>" +
        '<div class="decision">' + decisionText(z.decision) + "</div></div>");
    });
    html.push("<h3>" + escape(L_.roads) + "</h3>");
    if (!answer.road_boundaries.length) html.push('<p class="muted">' + escape(L_.noRoad) + "</p>");
    answer.road_boundaries.forEach(function (r) {
      html.push('<dl class="road"><dt>' + escape(L_.street) + "</dt><dd>" + escape(r.street) + "</dd>" +
        "<dt>" + escape(L_.plannedWidth) + "</dt><dd>" + number(r.planned_width_m) + " " + escape(L_.unit_m) + "</dd>" +
        "<dt>" + escape(L_.reach) + "</dt><dd>" + number(r.reach_m, 2) + " " + escape(L_.unit_m) + "</dd>" +
        (r.inside_m2 !== null ? "<dt>" + escape(L_.insideArea) + "</dt><dd>" + number(r.inside_m2) + " m²</dd>" : "") +
        "</dl>");
    });
    if (answer.earlier_decisions.length) {
      html.push("<h3>" + escape(L_.earlier) + "</h3><ul>");
      answer.earlier_decisions.forEach(function (d) {
        html.push("<li>" + escape(d.number) + " (" + escape(d.decided_on) + ")" +
          (d.superseded_by ? ", " + escape(L_.supersededBy) + " " + escape(d.superseded_by) : "") + "</li>");
      });
      html.push("</ul>");
    }
    if (answer.links && answer.links.sheet) {
      html.push('<p class="actions"><a href="' + escape(answer.links.sheet) + '">' + escape(L_.sheet) + "</a></p>");
    }
    panel.innerHTML = html.join("");
  }

  panel.addEventListener("click", function (event) {
    if (event.target.classList.contains("close")) {
      panel.hidden = true;
      selection.clearLayers();
      selected = null;
      saveState();
    }
  });

  function highlight(answer, latlng) {
    selection.clearLayers();
    if (answer.parcel && answer.parcel.geometry) {
      L.geoJSON(answer.parcel.geometry, {
        pane: "selection",
        style: { color: "#111827", weight: 3, fill: true, fillColor: "#fde047", fillOpacity: 0.35 },
      }).addTo(selection);
    } else if (latlng) {
      L.circleMarker(latlng, { pane: "selection", radius: 7, color: "#111827", weight: 2, fillColor: "#fde047", fillOpacity: 0.9 }).addTo(selection);
    }
  }

  var pending = null;
  function lookup(query, latlng, fit) {
    if (pending) pending.abort();
    pending = new AbortController();
    showMessage(L_.loading);
    var url = config.lookup + "?" + new URLSearchParams(query).toString();
    return fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) { showMessage(result.body.error || L_.failed); return; }
        var answer = result.body.answer !== undefined ? result.body.answer : result.body;
        if (!answer) return;
        selected = answer.parcel ? answer.parcel.key : null;
        render(answer);
        highlight(answer, latlng);
        if (fit && answer.parcel) {
          var b = answer.parcel.bbox;
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], fitOptions());
        }
        saveState();
      })
      .catch(function (error) {
        if (error.name !== "AbortError") showMessage(L_.failed);
      });
  }

  map.on("click", function (event) {
    results.hidden = true;
    lookup({ lon: event.latlng.lng.toFixed(7), lat: event.latlng.lat.toFixed(7) }, event.latlng, false);
  });

  // --- search ------------------------------------------------------------------------------
  var form = document.getElementById("planning-search");
  var input = document.getElementById("planning-q");
  var results = document.getElementById("planning-results");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value.trim();
    if (!q) return;
    fetch(config.lookup + "?" + new URLSearchParams({ q: q }).toString(), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        results.innerHTML = "";
        results.hidden = false;
        if (body.error) { results.innerHTML = "<li><button type=\"button\" disabled>" + escape(body.error) + "</button></li>"; return; }
        if (!body.results.length) { results.innerHTML = "<li><button type=\"button\" disabled>" + escape(L_.noResults) + "</button></li>"; return; }
        body.results.forEach(function (r) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.innerHTML = escape(r.label) + "<small>" + escape(r.detail || "") + (r.type === "parcel" ? " · " + escape(r.key) : "") + "</small>";
          button.addEventListener("click", function () {
            results.hidden = true;
            if (r.type === "parcel") {
              lookup({ parcel: r.key }, null, true);
            } else {
              map.fitBounds([[r.bbox[1], r.bbox[0]], [r.bbox[3], r.bbox[2]]]);
            }
          });
          li.appendChild(button);
          results.appendChild(li);
        });
        if (body.answer && body.results.length === 1) {
          results.hidden = true;
          selected = body.answer.parcel.key;
          render(body.answer);
          highlight(body.answer, null);
          var b = body.answer.parcel.bbox;
          map.fitBounds([[b[1], b[0]], [b[3], b[2]]], fitOptions());
        }
      })
      .catch(function () { showMessage(L_.failed); });
  });

  // --- locate me ---------------------------------------------------------------------------
  document.getElementById("planning-locate").addEventListener("click", function () {
    if (!navigator.geolocation) { showMessage(L_.locateFailed); return; }
    showMessage(L_.locating);
    navigator.geolocation.getCurrentPosition(function (position) {
      var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
      map.setView(latlng, Math.max(map.getZoom(), 17));
      lookup({ lon: latlng.lng.toFixed(7), lat: latlng.lat.toFixed(7) }, latlng, false);
    }, function () { showMessage(L_.locateFailed); }, { enableHighAccuracy: true, timeout: 15000 });
  });

  // --- a shared link with a parcel opens its answer ------------------------------------------
  if (selected) {
    lookup({ parcel: selected }, null, !(isFinite(startLat) && isFinite(startLon)));
  }
})();
