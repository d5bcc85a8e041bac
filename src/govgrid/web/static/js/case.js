// 案件页的小地图：标出案件位置（GCJ-02）与所在单元网格。
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || !el.dataset.lng) { if (el) { el.textContent = "无坐标"; } return; }
  var lng = parseFloat(el.dataset.lng), lat = parseFloat(el.dataset.lat);
  var map = L.map(el, { maxZoom: 19 }).setView([lat, lng], 17);
  L.circleMarker([lat, lng], { radius: 7, color: "#c0392b" }).addTo(map);
  var d = 0.0015;
  fetch("/api/v1/geo/grids?bbox=" + [lng - d, lat - d, lng + d, lat + d].join(","), { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : { features: [] }; })
    .then(function (fc) { L.geoJSON(fc, { style: { color: "#2980b9", weight: 1, fillOpacity: 0.05 } }).addTo(map); });
})();
