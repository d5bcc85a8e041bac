// 大屏：1920×1080 设计，按窗口等比缩放（完整显示、不裁切）；趋势图（ECharts）、指挥地图（Leaflet，画布渲染），
// 通过 /api/v1/stream 实时更新案件点位与指标，断线后浏览器自动带 Last-Event-ID 续传。
(function () {
  "use strict";
  var stage = document.getElementById("stage");
  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var skew = new Date(stage.dataset.now).getTime() - Date.now();  // the server's clock is the one that counts
  function now() { return Date.now() + skew; }

  function fit() {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.transform = "translate(-50%, -50%) scale(" + scale + ")";
  }
  window.addEventListener("resize", fit);
  fit();

  Array.prototype.forEach.call(document.querySelectorAll(".bar[data-w]"), function (bar) {
    bar.style.width = bar.dataset.w + "%";
  });

  // 近 30 日趋势：点击某日打开当日受理的案件
  var trend = echarts.init(document.getElementById("trend"), null, { renderer: "canvas" });
  trend.setOption({
    animation: false,
    grid: { left: 44, right: 14, top: 30, bottom: 26 },
    legend: { data: ["受理", "结案"], textStyle: { color: "#cfe3ff", fontSize: 16 }, top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.trend.days, axisLabel: { color: "#9fb8d8", fontSize: 13 } },
    yAxis: { type: "value", axisLabel: { color: "#9fb8d8", fontSize: 13 }, splitLine: { lineStyle: { color: "#1d3557" } } },
    series: [
      { name: "受理", type: "line", data: data.trend.intake, smooth: true, symbolSize: 5, lineStyle: { width: 3, color: "#4fc3f7" }, itemStyle: { color: "#4fc3f7" } },
      { name: "结案", type: "line", data: data.trend.closed, smooth: true, symbolSize: 5, lineStyle: { width: 3, color: "#81c784" }, itemStyle: { color: "#81c784" } }
    ]
  });
  trend.on("click", function (p) {
    var day = data.trend.dates[p.dataIndex];
    window.location.href = "/cases?reported_from=" + day + "&reported_to=" + day;
  });

  // 指挥地图
  var COLORS = { reported: "#ffb74d", verified: "#ffb74d", registered: "#ffd54f", accepted: "#ffd54f",
    dispatched: "#4fc3f7", signed: "#4fc3f7", handling: "#4fc3f7", assigned: "#4fc3f7", contacted: "#4fc3f7",
    fed_back: "#81c784", replied: "#81c784", reply_held: "#81c784", called_back: "#81c784", parked: "#b0bec5" };
  var GROUPS = [["待受理", "#ffb74d"], ["待派遣", "#ffd54f"], ["处置中", "#4fc3f7"], ["待核查", "#81c784"], ["挂账", "#b0bec5"], ["超期", "#ef5350"]];
  var legend = document.getElementById("legend");
  GROUPS.forEach(function (g) {
    var li = document.createElement("li");
    var dot = document.createElement("i");
    dot.style.background = g[1];
    li.appendChild(dot);
    li.appendChild(document.createTextNode(g[0]));
    legend.appendChild(li);
  });
  var mapEl = document.getElementById("screen-map");
  var map = L.map(mapEl, { preferCanvas: true, zoomControl: false, zoomSnap: 0.25, attributionControl: !!data.tileUrl });
  window.govgridScreenMap = map;
  if (data.tileUrl) { L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map); }
  var renderer = L.canvas({ padding: 0.2 });
  var markers = {};
  function place(id, lat, lng, status, code, overdue) {
    if (lat == null || lng == null) { return; }
    var old = markers[id];
    if (old) { map.removeLayer(old); delete markers[id]; }
    if (data.final.indexOf(status) >= 0) { return; }
    var marker = L.circleMarker([lat, lng], { renderer: renderer, radius: 5, weight: 1, color: "#0b1a33",
      fillColor: overdue ? "#ef5350" : (COLORS[status] || "#ef5350"), fillOpacity: 0.9 });
    marker.bindTooltip(code + " · " + (data.labels[status] || status));
    marker.on("click", function () { window.location.href = "/cases/" + id; });
    marker.addTo(map);
    markers[id] = marker;
    return marker;
  }
  data.points.forEach(function (p) { place(p[3], p[0], p[1], p[2], p[4], p[6]); });
  mapEl.dataset.points = String(Object.keys(markers).length);
  fetch("/api/v1/geo/areas?level=street&crs=" + data.tileCrs, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (body) {
      var streets = L.geoJSON(body.features || [], { style: { color: "#64b5f6", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      if (streets.getLayers().length) { map.fitBounds(streets.getBounds(), { padding: [10, 10] }); }
      else { map.setView([36.66, 117.04], 12); }
      mapEl.dataset.ready = "1";
    });

  // 督办倒计时
  function countdowns() {
    var at = now();
    Array.prototype.forEach.call(document.querySelectorAll(".countdown[data-deadline]"), function (el) {
      var left = new Date(el.dataset.deadline).getTime() - at;
      var days = Math.floor(Math.abs(left) / 86400000), hours = Math.floor((Math.abs(left) % 86400000) / 3600000);
      el.textContent = (left >= 0 ? "剩 " : "超 ") + days + " 天 " + hours + " 时";
      el.classList.toggle("late", left < 0);
    });
    var clock = document.getElementById("clock");
    var parts = {};
    new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(new Date(at)).forEach(function (p) { parts[p.type] = p.value; });
    clock.textContent = parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute + " 北京时间";
  }
  countdowns();
  setInterval(countdowns, 30000);

  // 实时事件
  var live = document.getElementById("live");
  var source = new EventSource("/api/v1/stream?crs=" + data.tileCrs);  // points in the tiles' system
  source.onopen = function () { live.classList.add("on"); live.textContent = "● 实时"; };
  source.onerror = function () { live.classList.remove("on"); live.textContent = "○ 重连中"; };
  source.addEventListener("case", function (event) {
    var c = JSON.parse(event.data);
    var marker = place(c.id, c.lat, c.lng, c.status, c.code, c.step === "overdue");
    mapEl.dataset.points = String(Object.keys(markers).length);
    mapEl.dataset.lastCase = String(c.id);
    if (marker) { marker.setStyle({ radius: 9 }); setTimeout(function () { marker.setStyle({ radius: 5 }); }, 4000); }
  });
  source.addEventListener("kpi", function (event) {
    JSON.parse(event.data).forEach(function (t) {
      var tile = document.querySelector('.tile[data-key="' + t.key + '"]');
      if (!tile) { return; }
      var value = tile.querySelector(".tile-value");
      if (value.textContent !== t.shown) { value.textContent = t.shown; tile.classList.add("changed"); setTimeout(function () { tile.classList.remove("changed"); }, 3000); }
      tile.setAttribute("href", t.href);
    });
  });
})();
