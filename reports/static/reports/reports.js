/* Maps of the reports pages: filing, the public map and the officials' queue.
   Leaflet, Leaflet.VectorGrid and Leaflet.markercluster are served by this app. */
(function () {
  "use strict";

  var STYLES = {
    units: { weight: 1.5, color: "#1d4ed8", fill: false },
    parcels: { weight: 0.5, color: "#9ca3af", fill: false },
  };
  var STATUS_COLORS = {
    received: "#dc2626", verified: "#ea580c", assigned: "#ca8a04", in_progress: "#2563eb",
    resolved: "#16a34a", rejected: "#6b7280", merged: "#6b7280",
  };

  function readConfig(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function baseMap(element, config) {
    var map = L.map(element, { zoomControl: true, preferCanvas: true })
      .setView(config.center, config.zoom);
    var overlays = {};
    (config.layers || []).forEach(function (layer) {
      var styles = {};
      styles[layer.name] = STYLES[layer.name] || { weight: 1, color: "#b45309", fill: false };
      if (layer.clusters) styles[layer.clusters] = [];
      var grid = L.vectorGrid.protobuf(layer.url, {
        rendererFactory: L.canvas.tile, interactive: false, vectorTileLayerStyles: styles,
        minZoom: layer.minzoom, maxNativeZoom: layer.maxzoom, maxZoom: 20,
      });
      overlays[layer.title] = grid;
      if (layer.name === "units" || layer.name === "parcels") grid.addTo(map);
    });
    if (Object.keys(overlays).length) L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    return map;
  }

  function dot(latlng, status) {
    return L.circleMarker(latlng, {
      radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
      fillColor: STATUS_COLORS[status] || "#111827",
    });
  }

  function clusterGroup() {
    return L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  }

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) el.className = cls;
    return el;
  }

  /* --- EXIF GPS of a JPEG, read on the reporter's own device only (never sent) --- */
  function exifGps(buffer) {
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
    var offset = 2;
    while (offset + 4 < view.byteLength) {
      var marker = view.getUint16(offset);
      var size = view.getUint16(offset + 2);
      if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) {
        return tiffGps(view, offset + 10);
      }
      if ((marker & 0xff00) !== 0xff00) return null;
      offset += 2 + size;
    }
    return null;
  }

  function tiffGps(view, start) {
    var little = view.getUint16(start) === 0x4949;
    function u16(o) { return view.getUint16(start + o, little); }
    function u32(o) { return view.getUint32(start + o, little); }
    function entries(ifd) {
      var out = {}, n = u16(ifd);
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12;
        out[u16(e)] = { type: u16(e + 2), count: u32(e + 4), value: e + 8 };
      }
      return out;
    }
    function rationals(entry) {
      var at = u32(entry.value), values = [];
      for (var i = 0; i < entry.count; i++) values.push(u32(at + i * 8) / u32(at + i * 8 + 4));
      return values;
    }
    try {
      var main = entries(u32(4));
      if (!main[0x8825]) return null;
      var gps = entries(u32(main[0x8825].value));
      if (!gps[2] || !gps[4]) return null;
      var lat = rationals(gps[2]), lon = rationals(gps[4]);
      var latValue = lat[0] + lat[1] / 60 + lat[2] / 3600;
      var lonValue = lon[0] + lon[1] / 60 + lon[2] / 3600;
      if (gps[1] && String.fromCharCode(view.getUint8(gps[1].value + start)) === "S") latValue = -latValue;
      if (gps[3] && String.fromCharCode(view.getUint8(gps[3].value + start)) === "W") lonValue = -lonValue;
      if (!isFinite(latValue) || !isFinite(lonValue)) return null;
      return [latValue, lonValue];
    } catch (e) {
      return null;
    }
  }

  /* --- photos made smaller on the phone before they are sent ---
     A phone photo is 3-5 MB at 4000 px; the server keeps `side` px at most (the page's
     config.photo_side, settings.REPORTS_PHOTO_SIDE). Drawing it on a canvas at that size and
     sending that JPEG instead saves the upload on a mobile network and the server's
     decoding, and sends no EXIF at all: the position the photo was taken at never leaves
     the phone. Anything that fails sends the original (the server re-encodes all). */
  /* The server re-encodes at quality 85: a finer photo from the phone would only cost the
     citizen's data plan (at 0.9 the upload is a fifth larger) and the server's decoding. */
  var PHOTO_QUALITY = 0.85, PHOTO_KEEP_BYTES = 1500000;

  function shrinkPhoto(file, side) {
    if (!side || !/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= PHOTO_KEEP_BYTES && file.type !== "image/jpeg") return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // transparent pixels become white, as on the server
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", PHOTO_QUALITY);
      });
    }).catch(function () { return file; });
  }

  /* Before `form` is sent, its photos are replaced by their smaller copies. */
  function shrinkPhotosOnSubmit(form, input, side) {
    var ready = false;
    form.addEventListener("submit", function (event) {
      if (ready || !input.files || !input.files.length || !window.DataTransfer) return;
      event.preventDefault();
      var submitter = event.submitter;
      var shrink = function (file) { return shrinkPhoto(file, side); };
      Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
        try {
          var list = new DataTransfer();
          files.forEach(function (file) { list.items.add(file); });
          input.files = list.files;
        } catch (e) { /* an old browser: the originals are sent */ }
        ready = true;
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      });
    });
  }

  /* --- the filing page --- */
  function initFilePage() {
    var config = readConfig("report-map-config");
    var element = document.getElementById("report-map");
    if (!config || !element) return;
    var form = document.getElementById("report-form");
    var lon = form.querySelector("[name=lon]"), lat = form.querySelector("[name=lat]");
    var category = form.querySelector("[name=category]");
    var where = document.getElementById("report-where");
    var nearby = document.getElementById("report-nearby");
    var nearbyList = document.getElementById("report-nearby-list");
    var map = baseMap(element, config);
    var marker = null;

    function place(latlng, origin) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng, { draggable: true }).addTo(map)
        .on("dragend", function () { place(marker.getLatLng(), "map"); });
      lon.value = latlng.lng.toFixed(7);
      lat.value = latlng.lat.toFixed(7);
      where.dataset.origin = origin;
      describePlace();
      findNearby();
    }

    function describePlace() {
      fetch(config.locate_url + "?lon=" + lon.value + "&lat=" + lat.value)
        .then(function (r) { return r.json(); })
        .then(function (body) {
          where.textContent = body.covered
            ? where.dataset.inside.replace("{ward}", body.ward.name)
            : where.dataset.outside;
          if (where.dataset.origin === "photo") where.textContent += " " + where.dataset.fromphoto;
          where.className = body.covered ? "where ok" : "where bad";
        })
        .catch(function () {});
    }

    function findNearby() {
      if (!lon.value || !category.value) { nearby.hidden = true; return; }
      var url = config.nearby_url + "?lon=" + lon.value + "&lat=" + lat.value +
        "&category=" + encodeURIComponent(category.value);
      fetch(url).then(function (r) { return r.ok ? r.json() : []; }).then(function (found) {
        nearbyList.innerHTML = "";
        nearby.hidden = !found.length;
        var template = document.getElementById("me-too-template");
        found.forEach(function (report) {
          var item = template.content.firstElementChild.cloneNode(true);
          item.querySelector(".nearby-code").textContent = report.code;
          item.querySelector(".nearby-distance").textContent = Math.round(report.distance_m) + " m";
          item.querySelector(".nearby-description").textContent = report.description;
          var meToo = item.querySelector("form");
          meToo.action = meToo.action.replace("CODE", report.code);
          nearbyList.appendChild(item);
        });
      }).catch(function () {});
    }

    map.on("click", function (event) { place(event.latlng, "map"); });
    category.addEventListener("change", findNearby);
    document.getElementById("report-locate").addEventListener("click", function () {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(here, 18);
        place(here, "gps");
      }, function () {
        where.textContent = where.dataset.nogps;
        where.className = "where bad";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
    var photos = form.querySelector("[name=photos]");
    photos.addEventListener("change", function () {
      var file = photos.files && photos.files[0];
      if (!file || marker) return;
      file.slice(0, 131072).arrayBuffer().then(function (buffer) {
        var found = exifGps(buffer);
        if (found && !marker) {
          var latlng = L.latLng(found[0], found[1]);
          map.setView(latlng, 18);
          place(latlng, "photo");
        }
      });
    });
    shrinkPhotosOnSubmit(form, photos, config.photo_side);
    if (lon.value && lat.value) place(L.latLng(+lat.value, +lon.value), "form");
  }

  /* --- maps of reports (public map and officials' queue) --- */
  function initReportsMap(configId, elementId) {
    var config = readConfig(configId);
    var element = document.getElementById(elementId);
    if (!config || !element) return null;
    var map = baseMap(element, config);
    var group = clusterGroup().addTo(map);
    var filters = document.getElementById(config.filters_form || "report-filters");
    var fitted = false;

    function load() {
      var params = new URLSearchParams();
      if (filters) new FormData(filters).forEach(function (value, key) {
        if (value !== "" && key !== "page" && key !== "bbox" && key !== "near") params.append(key, value);
      });
      var b = map.getBounds();
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(6); }).join(","));
      fetch(config.points_url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          group.clearLayers();
          var markers = (body.features || []).map(function (f) {
            var c = f.geometry.coordinates;
            var m = dot([c[1], c[0]], f.properties.status);
            var link = document.createElement("a");
            link.href = config.track_url.replace("CODE", f.properties.code);
            link.textContent = f.properties.code;
            var box = document.createElement("div");
            box.appendChild(link);
            box.appendChild(text("div", f.properties.status_label + " · " + f.properties.date));
            m.bindPopup(box);
            return m;
          });
          group.addLayers(markers);
          var note = document.getElementById("map-truncated");
          if (note) note.hidden = !body.truncated;
          if (!fitted && markers.length && config.fit) {
            fitted = true;
            map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
          }
        })
        .catch(function () {});
    }
    map.on("moveend", load);
    load();
    return map;
  }

  function initQueue() {
    var map = initReportsMap("queue-map-config", "queue-map");
    var button = document.getElementById("queue-near-me");
    if (!button) return;
    button.addEventListener("click", function () {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (position) {
        var near = document.getElementById("id_near");
        near.value = position.coords.longitude.toFixed(6) + "," + position.coords.latitude.toFixed(6);
        near.form.submit();
      });
    });
    if (map) {
      var bbox = document.getElementById("id_bbox");
      var use = document.getElementById("queue-use-bbox");
      if (use && bbox) use.addEventListener("click", function () {
        var b = map.getBounds();
        bbox.value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
          .map(function (v) { return v.toFixed(6); }).join(",");
        bbox.form.submit();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initFilePage();
    initReportsMap("public-map-config", "public-map");
    initQueue();
  });
})();
