// Pick a parcel on the map: a click asks the server which parcel is there and fills the form.
(function () {
  const el = document.getElementById("picker");
  if (!el || typeof L === "undefined") return;
  const keyInput = document.getElementById("id_parcel_key");
  const lon = document.getElementById("id_lon");
  const lat = document.getElementById("id_lat");
  const address = document.getElementById("id_address");
  const picked = document.getElementById("picked");
  // The map's own zoom range: left to Leaflet, it would take the parcel tiles' minimum (16) as
  // the map's and jump there with an animation that a hidden tab never finishes.
  const map = L.map(el, { preferCanvas: true, minZoom: 10, maxZoom: 19 }).setView(
    [10.81, 106.715],
    14
  );
  let outline = null;

  fetch(el.dataset.unitsUrl).then((r) => r.json()).then((units) => {
    const layer = L.geoJSON(units, {
      interactive: false, // a click on a ward is a click on the map
      style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.05 },
    }).addTo(map);
    // Framed at once, not animated: a zoom animation in progress makes Leaflet ignore the next
    // setView, and "ready" must mean the map is where it will stay.
    if (units.features.length && !outline) map.fitBounds(layer.getBounds(), { animate: false });
    el.dataset.ready = "1";
  });
  el.leafletMap = map; // for the browser tests: where a place is on the screen
  if (L.vectorGrid) {
    L.vectorGrid.protobuf(el.dataset.tilesUrl, {
      minZoom: 16, maxNativeZoom: 18, interactive: false,
      vectorTileLayerStyles: { parcels: { weight: 0.5, color: "#6b7280", fill: false } },
    }).addTo(map);
  }

  function show(feature) {
    if (outline) outline.remove();
    outline = L.geoJSON(feature, { interactive: false, style: { color: "#dc2626", weight: 3 } }).addTo(map);
    const p = feature.properties;
    keyInput.value = p.key;
    lon.value = p.lon;
    lat.value = p.lat;
    if (address && !address.value) address.value = p.address || "";
    picked.textContent = p.key + (p.address ? " · " + p.address : "") + " · " + p.ward;
  }

  function ask(params) {
    return fetch(el.dataset.parcelUrl + "?" + new URLSearchParams(params)).then((r) =>
      r.ok ? r.json() : r.json().then((body) => Promise.reject(body.error))
    );
  }

  map.on("click", (event) => {
    ask({ lon: event.latlng.lng.toFixed(7), lat: event.latlng.lat.toFixed(7) })
      .then(show)
      .catch((message) => { picked.textContent = message || ""; });
  });
  keyInput.addEventListener("change", () => {
    if (!keyInput.value.trim()) return;
    ask({ key: keyInput.value }).then((feature) => {
      show(feature);
      map.fitBounds(outline.getBounds(), { maxZoom: 18 });
    }).catch((message) => { picked.textContent = message || ""; });
  });
  if (keyInput.value) keyInput.dispatchEvent(new Event("change"));
})();
