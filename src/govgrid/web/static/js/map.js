// 网格地图：街道、社区轮廓常显；放大到 15 级以上按可视范围加载单元网格；点击查看网格详情。
(function () {
  "use strict";
  var el = document.getElementById("map");
  var map = L.map(el, { preferCanvas: true, maxZoom: 19, zoomSnap: 1 });
  window.govgridMap = map;
  var crs = el.dataset.tileCrs || "gcj02";  // the tiles' system: the server sends and reads every overlay in it
  window.govgridCrs = crs;
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  var GRID_ZOOM = 15;
  function named(feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); }
  var streets = L.geoJSON(null, { style: { color: "#c0392b", weight: 3, fill: false }, interactive: false }).addTo(map);
  var communities = L.geoJSON(null, { style: { color: "#2c3e50", weight: 1.5, fillOpacity: 0.03 }, onEachFeature: named }).addTo(map);
  var grids = L.geoJSON(null, { style: { color: "#2980b9", weight: 0.6, fillOpacity: 0.05 } }).addTo(map);
  var selected = L.geoJSON(null, { style: { color: "#e67e22", weight: 3, fillOpacity: 0.25 } }).addTo(map);
  var status = L.control({ position: "bottomleft" });
  status.onAdd = function () { this._div = L.DomUtil.create("div", "map-status"); return this._div; };
  status.addTo(map);
  function say(text) { status._div.textContent = text; }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    });
  }

  var bounds = el.dataset.bounds ? JSON.parse(el.dataset.bounds) : null;
  Promise.all([getJSON("/api/v1/geo/areas?level=street&crs=" + crs), getJSON("/api/v1/geo/areas?level=community&crs=" + crs)])
    .then(function (answers) {
      streets.addData(answers[0].body.features || []);
      communities.addData(answers[1].body.features || []);
      if (bounds) { map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]); }
      else if (streets.getLayers().length) { map.fitBounds(streets.getBounds()); }
      else { map.setView([36.66, 117.04], 12); }
      el.dataset.ready = "1";
      refreshGrids();
    });

  var loading = 0;
  var gridBox = document.querySelector("#map-filters input[name=grids]");
  if (gridBox) { gridBox.addEventListener("change", function () { refreshGrids(); }); }
  function refreshGrids() {
    if (gridBox && !gridBox.checked) { grids.clearLayers(); say("单元网格图层已关闭"); return; }
    if (map.getZoom() < GRID_ZOOM) { grids.clearLayers(); say("放大到 " + GRID_ZOOM + " 级显示单元网格"); return; }
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
    var ticket = ++loading;
    getJSON("/api/v1/geo/grids?crs=" + crs + "&bbox=" + bbox).then(function (r) {
      if (ticket !== loading) { return; }
      grids.clearLayers();
      if (r.ok) { grids.addData(r.body.features); say("单元网格 " + r.body.features.length + " 个"); }
      else { say(r.body.error ? r.body.error.message : "加载失败"); }
    });
  }
  map.on("moveend", refreshGrids);

  function row(label, value, field) {
    return "<tr><th>" + label + "</th><td data-field=\"" + field + "\">" + value + "</td></tr>";
  }
  function escapeHtml(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  map.on("click", function (e) {
    var lng = e.latlng.lng.toFixed(7), lat = e.latlng.lat.toFixed(7);
    getJSON("/api/v1/geo/locate?crs=" + crs + "&lng=" + lng + "&lat=" + lat).then(function (r) {
      if (!r.body.is_inside) {
        L.popup().setLatLng(e.latlng).setContent("<div class=\"grid-popup\">" + escapeHtml(r.body.message) + "</div>").openOn(map);
        return null;
      }
      return getJSON("/api/v1/geo/grids/" + r.body.grid_code + "?crs=" + crs).then(function (d) {
        if (!d.ok) {
          L.popup().setLatLng(e.latlng).setContent("<div class=\"grid-popup\">" + escapeHtml(d.body.error.message) + "</div>").openOn(map);
          return;
        }
        var g = d.body;
        var worker = g.worker ? g.worker.name + "（" + g.worker.phone + "）" : "未配置";
        var html = "<div class=\"grid-popup\"><h3>单元网格</h3><table>" +
          row("编码", escapeHtml(g.code), "code") + row("社区", escapeHtml(g.community.name), "community") +
          row("街道", escapeHtml(g.street.name), "street") +
          row("责任网格", escapeHtml(g.responsibility_grid_name || "—"), "responsibility") +
          row("网格员", escapeHtml(worker), "worker") + row("面积", Math.round(g.area_m2) + " ㎡", "area") +
          "</table>" + (g.is_synthetic ? "<p class=\"hint\">演示合成网格</p>" : "") + "</div>";
        L.popup().setLatLng(e.latlng).setContent(html).openOn(map);
        getJSON("/api/v1/geo/grids?crs=" + crs + "&bbox=" + [g.center_lng - 0.0001, g.center_lat - 0.0001, g.center_lng + 0.0001, g.center_lat + 0.0001].join(","))
          .then(function (gr) {
            selected.clearLayers();
            (gr.body.features || []).forEach(function (f) { if (f.properties.code === g.code) { selected.addData(f); } });
          });
      });
    });
  });
})();
