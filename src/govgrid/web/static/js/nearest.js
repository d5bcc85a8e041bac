// 按距离排序：the case list sorted by distance from where the grid worker stands (browsers report WGS-84).
document.getElementById("nearest").addEventListener("click", function () {
  if (!navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (p) {
    var q = new URLSearchParams(location.search);
    q.set("near", p.coords.longitude.toFixed(6) + "," + p.coords.latitude.toFixed(6)); q.set("crs", "wgs84");
    location.search = q.toString();
  });
});
