// 上报页：分类筛选、地图点选与手机定位、地址匹配、在原表单上显示错误（照片保留），离线时排队。
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var queue = window.govgridQueue;
  function $(id) { return document.getElementById(id); }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    });
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  // 分类：输入关键字只留下名称或大类含该字的选项
  var select = $("class-code"), search = $("class-search");
  search.addEventListener("input", function () {
    var word = search.value.trim(), shown = 0, last = null;
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var groupHit = word && group.label.indexOf(word) >= 0, any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var hit = !word || groupHit || option.textContent.indexOf(word) >= 0;
        option.hidden = !hit; option.disabled = !hit;
        if (hit) { any = true; shown += 1; last = option; }
      });
      group.hidden = !any;
    });
    $("class-count").textContent = word ? (shown ? "匹配 " + shown + " 个分类" : "没有匹配“" + word + "”的分类") : "";
    if (word && shown === 1) { select.value = last.value; }
  });

  // 位置：地图点选（GCJ-02）或手机定位（WGS-84），经公开接口查询所属网格
  var placeOut = $("place-result"), marker = null, map = null, mapEl = $("report-map");
  function setPoint(lng, lat, crs) {
    $("lng").value = lng; $("lat").value = lat; $("crs").value = crs;
    placeOut.textContent = "正在查询所属网格…";
    var q = new URLSearchParams({ lng: lng, lat: lat, crs: crs });
    getJSON("/api/v1/geo/locate?" + q).then(function (r) {
      if (!r.ok) { placeOut.textContent = r.body.error ? r.body.error.message : "位置查询失败"; return; }
      var b = r.body;
      showMarker(b.lat, b.lng);
      placeOut.textContent = b.is_inside
        ? "已选位置：" + b.street.name + " · " + b.community.name + " · 单元网格 " + b.grid_code
        : "该位置不在本区范围内：" + b.message;
      placeOut.className = b.is_inside ? "hint ok" : "error";
    }, function () { placeOut.textContent = "已选位置（离线，联网后由服务器定位）"; });
  }
  function showMarker(lat, lng) {
    if (!map) { return; }
    if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.circleMarker([lat, lng], { radius: 8, color: "#c0392b" }).addTo(map); }
  }
  if (window.L && mapEl) {
    map = L.map(mapEl, { maxZoom: 19 });
    window.govgridReportMap = map;
    if (mapEl.dataset.tileUrl) {
      L.tileLayer(mapEl.dataset.tileUrl, { maxZoom: 19, attribution: mapEl.dataset.tileAttribution || "" }).addTo(map);
    }
    var bounds = mapEl.dataset.bounds ? JSON.parse(mapEl.dataset.bounds) : null;
    if (bounds) { map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]); } else { map.setView([36.66, 117.04], 12); }
    getJSON("/api/v1/geo/areas?level=street").then(function (r) {  // staff see the streets; citizens the tiles
      if (r.ok) { L.geoJSON(r.body.features, { style: { color: "#c0392b", weight: 2, fill: false }, interactive: false }).addTo(map); }
    }, function () {});
    var grids = L.geoJSON(null, { style: { color: "#2980b9", weight: 0.6, fillOpacity: 0.04 }, interactive: false }).addTo(map);
    map.on("moveend", function () {  // staff see the unit grids close up (citizens may not read them)
      if (map.getZoom() < 15) { grids.clearLayers(); return; }
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
      getJSON("/api/v1/geo/grids?bbox=" + bbox).then(function (r) {
        grids.clearLayers();
        if (r.ok) { grids.addData(r.body.features); }
      }, function () {});
    });
    map.on("click", function (e) { setPoint(e.latlng.lng.toFixed(7), e.latlng.lat.toFixed(7), "gcj02"); });
    if ($("lng").value && $("lat").value) { setPoint($("lng").value, $("lat").value, $("crs").value); }
    mapEl.dataset.ready = "1";
  }
  $("use-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { placeOut.textContent = "此浏览器不能获取位置，请在地图上点选"; return; }
    placeOut.textContent = "正在获取当前位置…";
    navigator.geolocation.getCurrentPosition(function (p) {
      setPoint(p.coords.longitude.toFixed(7), p.coords.latitude.toFixed(7), "wgs84");  // browsers report WGS-84
    }, function () { placeOut.textContent = "未能获取当前位置（请允许定位，或在地图上点选）"; }, { timeout: 15000 });
  });

  // 地址：经地名地址库匹配，显示结果或“未找到”
  var address = $("address"), addressOut = $("address-result");
  function lookUp() {
    var text = address.value.trim();
    if (!text) { addressOut.textContent = ""; return; }
    getJSON("/api/v1/geo/geocode?" + new URLSearchParams({ address: text })).then(function (r) {
      var b = r.body;
      if (r.ok && b.is_inside) {
        addressOut.textContent = "地址匹配：" + b.street.name + " · " + b.community.name + " · 单元网格 " + b.grid_code;
        addressOut.className = "hint ok";
        if (!$("lng").value) { showMarker(b.lat, b.lng); if (map) { map.setView([b.lat, b.lng], 16); } }
      } else {
        addressOut.textContent = "未找到“" + text + "”：请在地图上点选位置，或使用当前位置";
        addressOut.className = "error";
      }
    }, function () { addressOut.textContent = "离线：地址将在联网后匹配"; });
  }
  address.addEventListener("change", lookUp);

  // 提交：由脚本发送，错误显示在原表单上（已填内容与照片都保留）；网络中断则排入本机队列
  var errorOut = $("report-error");
  // a fresh id at every opening: the page may come from the offline cache, with an id already used
  form.client_id.value = newId();
  function clearProblems() {
    errorOut.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".field.invalid"), function (el) { el.classList.remove("invalid"); });
  }
  function showProblem(message, field) {
    errorOut.textContent = "未提交：" + message; errorOut.hidden = false;
    var name = field === "lng" || field === "lat" ? "address" : field;
    var box = name && form.querySelector('[data-field="' + name + '"]');
    if (box) {
      box.classList.add("invalid");
      var note = document.createElement("span");
      note.className = "field-error"; note.setAttribute("role", "alert"); note.textContent = message;
      box.appendChild(note);
      var input = box.querySelector("input:not([type=hidden]), select, textarea");
      if (input) { input.focus(); }
    }
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearProblems();
    var entry = queue.fromForm(form);
    var button = $("report-submit");
    button.disabled = true;
    queue.send(entry).then(function (outcome) {
      button.disabled = false;
      if (outcome.sent) {  // a mended queued report leaves the queue once it is filed
        queue.remove(entry.client_id).then(function () { window.location.assign(outcome.answer.url); });
        return;
      }
      if (!outcome.offline) { showProblem(outcome.problem, outcome.field); return; }
      return queue.put(entry).then(function () {
        form.reset(); clearProblems();
        form.client_id.value = newId();  // the next report is a new one; the queued one keeps its id
        $("lng").value = $("lat").value = ""; placeOut.textContent = "尚未选择位置"; addressOut.textContent = "";
        search.dispatchEvent(new Event("input"));
        if (marker) { marker.remove(); marker = null; }
        notice("网络不可用：这条上报已保存在本机，联网后自动发送。");
        return showQueue();
      });
    });
  });

  // 待发送队列：显示、联网后发送、被拒的可删除或改后重发
  function notice(text) { var el = $("sent-notice"); el.textContent = text; el.hidden = false; }
  function showQueue() {
    return queue.all(form.dataset.user || "").then(function (entries) {
      $("offline-queue").hidden = entries.length === 0;
      $("queue-count").textContent = String(entries.length);
      var list = $("queue-list");
      list.textContent = "";
      entries.forEach(function (entry) {
        var li = document.createElement("li");
        li.dataset.clientId = entry.client_id;
        li.textContent = entry.fields.title + "（" + new Date(entry.queued_at).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) + " 保存" + (entry.photo ? "，含照片" : "") + "）";
        if (entry.problem) {
          var why = document.createElement("span"); why.className = "error"; why.textContent = "未能发送：" + entry.problem; li.appendChild(why);
        }
        if (entry.held) {
          var edit = document.createElement("button"); edit.type = "button"; edit.textContent = "改后重发";
          edit.addEventListener("click", function () { reopen(entry); });
          var drop = document.createElement("button"); drop.type = "button"; drop.textContent = "删除";
          drop.addEventListener("click", function () { queue.remove(entry.client_id).then(showQueue); });
          li.appendChild(edit); li.appendChild(drop);
        }
        list.appendChild(li);
      });
    });
  }
  function reopen(entry) {  // back into the form, with its photo and its client id (still unused); it stays
    // queued (held) until the mended form is filed, so a reload loses nothing
    Object.keys(entry.fields).forEach(function (key) {
      if (form.elements[key] && key !== "csrf_token") { form.elements[key].value = entry.fields[key]; }
    });
    if (entry.photo && window.DataTransfer) {
      var files = new DataTransfer();
      files.items.add(new File([entry.photo], entry.photo_name, { type: entry.photo.type }));
      $("photo").files = files.files;
    }
    if (entry.problem) { showProblem(entry.problem, null); }
  }
  function flush() {
    if (navigator.onLine === false) { return; }
    queue.flush(form.dataset.user || "", function (entry, answer) {
      notice("已发送离线保存的上报“" + entry.fields.title + "”：案件 " + answer.code);
    }).then(showQueue);
  }
  window.addEventListener("online", flush);
  setInterval(flush, 30000);
  showQueue().then(flush);

  // 离线打开本页：由 service worker 缓存页面与脚本
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js").catch(function () {}); }
})();
