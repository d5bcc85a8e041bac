// Service worker of the report page: it keeps the page and its assets so that a grid worker can open
// 上报 without signal (the reports made then wait in IndexedDB, see offline_queue.js). Network first,
// the cache only when the network fails; only GET, only this site; never a redirect (a lapsed login).
"use strict";
var CACHE = "govgrid-report-v1";
var SHELL = ["/report", "/static/css/app.css", "/static/js/offline_queue.js", "/static/js/report.js",
             "/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/img/favicon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (path) { return keep(cache, path); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(cache, request) {
  return fetch(request, { credentials: "same-origin" }).then(function (response) {
    if (response.redirected) {  // a lapsed login sent it to /login: drop the kept page, follow the redirect
      return caches.delete(CACHE).then(function () { return Response.redirect(response.url, 303); });
    }
    if (response.ok) { cache.put(request, response.clone()); }
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname === "/login" || url.pathname === "/signup") {  // logged out: the kept page (the person's name, phone, form token) goes
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (SHELL.indexOf(url.pathname) < 0) { return; }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    return keep(cache, url.pathname === "/report" ? "/report" : request).catch(function () {
      return cache.match(url.pathname === "/report" ? "/report" : request).then(function (kept) {
        return kept || Response.error();
      });
    });
  }));
});
