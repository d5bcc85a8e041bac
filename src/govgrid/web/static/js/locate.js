// 市民：按坐标查询所属网格（公开接口 /api/v1/geo/locate）。
(function () {
  "use strict";
  var form = document.getElementById("locate-form");
  var out = document.getElementById("locate-result");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = new URLSearchParams({ lng: form.lng.value, lat: form.lat.value, crs: "gcj02" });
    fetch("/api/v1/geo/locate?" + q, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (b) {
        if (b.error) { out.textContent = b.error.message; return; }
        out.textContent = b.is_inside
          ? "所属：" + b.street.name + " · " + b.community.name + " · 单元网格 " + b.grid_code
          : b.message;
      });
  });
})();
