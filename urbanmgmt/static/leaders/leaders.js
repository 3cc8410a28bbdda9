/* Leaders' dashboard: the heat map (a PNG overlay made by the server), the wards coloured by a
   figure, sortable tables. Leaflet is served by this app; nothing comes from elsewhere. */
(function () {
  "use strict";

  var PALETTES = {
    neutral: ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    bad: ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    good: ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"]
  };
  var NO_VALUE = "#e5e7eb";
  var lang = document.documentElement.lang || "vi";

  function fmt(value, decimals) {
    var digits = decimals === undefined ? 1 : decimals;
    return Number(value).toLocaleString(lang, { maximumFractionDigits: digits });
  }

  function baseMap(element, config) {
    var map = L.map(element, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false });
    map.fitBounds(config.frame, { padding: [8, 8] });
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function poll(url) {
    function check() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.ready) { window.location.reload(); } else { window.setTimeout(check, 10000); }
        })
        .catch(function () { window.setTimeout(check, 30000); });
    }
    window.setTimeout(check, 5000);
  }

  function heatMap(config) {
    var element = document.getElementById("heat-map");
    if (!element) return;
    var map = baseMap(element, config);
    if (config.choropleth && config.choropleth.wards) {
      L.geoJSON(config.choropleth.wards, {
        style: { color: "#1e3a8a", weight: 1.2, opacity: 0.7, fill: false },
        interactive: false
      }).addTo(map);
    }
    if (config.overlay) {
      L.imageOverlay(config.overlay.url, config.overlay.bounds, {
        alt: element.getAttribute("aria-label") || "",
        className: "heat-overlay"
      }).addTo(map);
    }
    (config.spots || []).forEach(function (spot) {
      var square = L.polygon(spot.polygon, {
        color: "#111827", weight: 1.5, dashArray: "4 3", fill: true, fillOpacity: 0
      }).addTo(map);
      square.bindTooltip("#" + spot.rank + " · " + spot.count_text);
      square.on("click", function () { window.location.href = spot.url; });
      var center = square.getBounds().getNorthWest();
      L.marker(center, {
        icon: L.divIcon({ className: "spot-label", html: String(spot.rank), iconSize: [18, 18] }),
        keyboard: false
      }).addTo(map).on("click", function () { window.location.href = spot.url; });
    });
    if (config.pending && config.status_url) poll(config.status_url);
  }

  function classes(values) {
    var present = values.filter(function (v) { return v !== null && v !== undefined; });
    if (!present.length) return null;
    var min = Math.min.apply(null, present);
    var max = Math.max.apply(null, present);
    return { min: min, max: max };
  }

  function colourOf(value, range, palette) {
    if (value === null || value === undefined || !range) return NO_VALUE;
    if (range.max === range.min) return palette[2];
    var i = Math.floor((value - range.min) / (range.max - range.min) * palette.length);
    return palette[Math.min(palette.length - 1, Math.max(0, i))];
  }

  function wardMap(config) {
    var element = document.getElementById("ward-map");
    var select = document.getElementById("figure-select");
    var legend = document.getElementById("ward-legend");
    var c = config.choropleth;
    if (!element || !select || !c) return;
    var map = baseMap(element, config);
    var figures = {};
    c.figures.forEach(function (f) { figures[f.key] = f; });

    function current() { return figures[select.value] || c.figures[0]; }
    function valueOf(feature, key) {
      var row = c.values[feature.properties.code];
      return row ? row[key] : null;
    }

    var range = null;
    var layer = L.geoJSON(c.wards, {
      style: function () { return {}; },
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip(function () {
          var key = current().key;
          var texts = c.texts[feature.properties.code] || {};
          return feature.properties.name + ": " + (texts[key] || c.no_value);
        }, { sticky: true });
      }
    }).addTo(map);

    function paint() {
      var figure = current();
      var palette = PALETTES[figure.tone] || PALETTES.neutral;
      range = classes(c.wards.features.map(function (f) { return valueOf(f, figure.key); }));
      layer.setStyle(function (feature) {
        return {
          color: "#1e3a8a", weight: 1, fillOpacity: 0.8,
          fillColor: colourOf(valueOf(feature, figure.key), range, palette)
        };
      });
      legend.textContent = "";
      var title = document.createElement("strong");
      title.textContent = figure.label;
      legend.appendChild(title);
      if (!range) return;
      var step = (range.max - range.min) / palette.length;
      palette.forEach(function (colour, i) {
        if (range.max === range.min && i !== 2) return;
        var item = document.createElement("span");
        var swatch = document.createElement("i");
        swatch.style.background = colour;
        item.appendChild(swatch);
        var low = range.min + step * i;
        var high = i === palette.length - 1 ? range.max : range.min + step * (i + 1);
        var digits = figure.kind === "count" ? 0 : 1;
        item.appendChild(document.createTextNode(range.max === range.min
          ? fmt(range.min, digits) : fmt(low, digits) + " – " + fmt(high, digits)));
        legend.appendChild(item);
      });
    }

    select.addEventListener("change", function () {
      paint();
      if (window.history && window.history.replaceState) {
        var url = new URL(window.location.href);
        url.searchParams.set("figure", select.value);
        window.history.replaceState(null, "", url.toString());
      }
    });
    paint();
  }

  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-sort") || "";
          var y = b.cells[index].getAttribute("data-sort") || "";
          var result;
          if (numeric) {
            // Rows without a value go last whichever way.
            if (x === "" || y === "") return (x === "") - (y === "");
            result = parseFloat(x) - parseFloat(y);
          } else {
            result = x.localeCompare(y, lang);
          }
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function autosubmit() {
    Array.prototype.forEach.call(document.querySelectorAll("select.autosubmit"), function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (!form) return;
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), sortable);
    autosubmit();
    var element = document.getElementById("leaders-config");
    if (!element || !window.L) return;
    var config = JSON.parse(element.textContent);
    heatMap(config);
    wardMap(config);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
