// The officer's queue on a map; "nearest first" asks the device where it is.
(function () {
  const el = document.getElementById("queue-map");
  const data = JSON.parse(document.getElementById("queue-features").textContent);
  if (el && typeof L !== "undefined") {
    const map = L.map(el, { preferCanvas: true }).setView([10.81, 106.715], 13);
    // The wards underneath, for orientation (drawn below the dossiers, not clickable).
    fetch(el.dataset.unitsUrl).then((r) => r.json()).then((units) => {
      L.geoJSON(units, {
        interactive: false,
        style: { color: "#6b7280", weight: 1, fillOpacity: 0.03 },
      }).addTo(map).bringToBack();
    });
    const colour = (p) => (p.overdue ? "#b91c1c" : p.due_soon ? "#d97706" : "#1d4ed8");
    const layer = L.geoJSON(data, {
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 7, color: colour(feature.properties), fillOpacity: 0.8 }),
      onEachFeature: (feature, marker) => {
        const p = feature.properties;
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.code;
        const box = document.createElement("div");
        box.append(link, document.createElement("br"), p.procedure, document.createElement("br"), p.deadline || "");
        marker.bindPopup(box);
      },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 17, padding: [20, 20] });
  }
  const near = document.getElementById("near-me");
  if (near && navigator.geolocation) {
    near.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition((pos) => {
        const url = new URL(window.location.href);
        url.searchParams.set("lon", pos.coords.longitude.toFixed(6));
        url.searchParams.set("lat", pos.coords.latitude.toFixed(6));
        window.location.href = url.toString();
      });
    });
  }
})();
