// 使用当前位置：fill the report form's point from the phone's position (browsers report WGS-84).
document.getElementById("use-gps").addEventListener("click", function () {
  if (!navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById("lng").value = p.coords.longitude.toFixed(7);
    document.getElementById("lat").value = p.coords.latitude.toFixed(7);
    document.getElementById("crs").value = "wgs84";
  });
});
