// 指挥地图的案件图层：按缩放在服务端聚合（/api/v1/map/cases），放大后逐件显示；筛选、热力（密度或超期占比）、
// 地址搜索（地名地址库），并通过 /api/v1/stream 实时加入新案件。
(function () {
  "use strict";
  var el = document.getElementById("map");
  var map = window.govgridMap;
  var form = document.getElementById("map-filters");
  var COLORS = { reported: "#f39c12", verified: "#f39c12", registered: "#f1c40f", accepted: "#f1c40f",
    dispatched: "#2e86de", signed: "#2e86de", handling: "#2e86de", assigned: "#2e86de", contacted: "#2e86de",
    fed_back: "#27ae60", replied: "#27ae60", reply_held: "#27ae60", called_back: "#27ae60", parked: "#95a5a6" };
  var legend = document.getElementById("map-legend");
  [["待受理", "#f39c12"], ["待派遣", "#f1c40f"], ["处置中", "#2e86de"], ["待核查", "#27ae60"], ["挂账", "#95a5a6"],
    ["超期", "#c0392b"], ["已办结", "#7f8c8d"], ["聚合（件数）", "#34495e"]].forEach(function (g) {
    var li = document.createElement("li"), dot = document.createElement("i");
    dot.style.background = g[1];
    li.appendChild(dot);
    li.appendChild(document.createTextNode(g[0]));
    legend.appendChild(li);
  });

  var search = document.getElementById("map-search");
  search.addEventListener("submit", function (event) {
    event.preventDefault();
    var said = document.getElementById("search-said");
    var address = search.elements.address.value.trim();
    if (!address) { return; }
    fetch("/api/v1/geo/geocode?crs=" + window.govgridCrs + "&address=" + encodeURIComponent(address), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        if (!r.ok) { said.textContent = r.body.error ? r.body.error.message : "未找到"; return; }
        said.textContent = (r.body.street ? r.body.street.name : "") + (r.body.community ? r.body.community.name : "") + " " + (r.body.grid_code || "");
        map.setView([r.body.lat, r.body.lng], 17);
        L.circleMarker([r.body.lat, r.body.lng], { radius: 10, color: "#e67e22", weight: 3, fill: false }).addTo(map);
      });
  });

  if (!el.dataset.cases || !form) { return; }
  var layer = L.layerGroup().addTo(map);
  var heat = L.layerGroup().addTo(map);
  var renderer = L.canvas({ padding: 0.3 });
  var ticket = 0;

  function query() {
    var b = map.getBounds(), params = new URLSearchParams();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(","));
    params.set("crs", window.govgridCrs);
    params.set("zoom", String(Math.max(1, Math.min(20, Math.round(map.getZoom())))));
    ["class_code", "status", "channel", "reported_from", "reported_to"].forEach(function (name) {
      var value = form.elements[name].value;
      if (value) { params.set(name, value); }
    });
    if (form.elements.all.checked) { params.set("all", "true"); }
    return params.toString();
  }

  function draw(body) {
    layer.clearLayers();
    heat.clearLayers();
    var mode = form.elements.heat.value;
    var most = 1;
    body.cells.forEach(function (c) { most = Math.max(most, c.count); });
    body.cells.forEach(function (c) {
      if (mode) {
        var share = mode === "overdue" ? c.overdue / c.count : c.count / most;
        L.rectangle([[c.south, c.west], [c.south + c.size, c.west + c.size]], { renderer: renderer, weight: 0,
          fillColor: mode === "overdue" ? "#c0392b" : "#e74c3c", fillOpacity: 0.1 + 0.6 * share, interactive: false }).addTo(heat);
      }
      var marker = L.marker([c.lat, c.lng], { icon: L.divIcon({ className: "cluster" + (c.overdue ? " cluster-overdue" : ""),
        html: "<span>" + c.count + "</span>", iconSize: [34, 34] }), title: c.count + " 件（超期 " + c.overdue + "）" });
      marker.on("click", function () { map.setView([c.lat, c.lng], Math.min(map.getZoom() + 2, 18)); });
      marker.addTo(layer);
    });
    body.points.forEach(function (p) {
      var color = p.overdue ? "#c0392b" : (COLORS[p.status] || "#7f8c8d");
      var dot = L.circleMarker([p.lat, p.lng], { renderer: renderer, radius: 6, weight: 1, color: "#fff", fillColor: color, fillOpacity: 0.95 });
      dot.bindTooltip(p.code);
      dot.on("click", function (e) { L.DomEvent.stopPropagation(e); window.location.href = "/cases/" + p.id; });
      dot.addTo(layer);
    });
    el.dataset.mode = body.mode;
    el.dataset.total = String(body.total);
    el.dataset.casesReady = "1";
  }

  function refresh() {
    if (!el.dataset.ready) { return; }
    if (!form.elements.cases.checked) { ++ticket; layer.clearLayers(); heat.clearLayers(); el.dataset.mode = "off"; return; }
    var mine = ++ticket;
    fetch("/api/v1/map/cases?" + query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) { if (mine === ticket && body.cells) { draw(body); } });
  }
  map.on("moveend", refresh);
  form.addEventListener("change", refresh);
  var wait = setInterval(function () { if (el.dataset.ready) { clearInterval(wait); refresh(); } }, 100);

  var pending = null;
  var source = new EventSource("/api/v1/stream");
  source.addEventListener("case", function () {  // a new case or step: redraw once the burst settles
    if (pending) { clearTimeout(pending); }
    pending = setTimeout(refresh, 800);
  });
})();
