/* Ward tablets: the questionnaire page, the ward's results page
   (/c/<token>/results/: nothing personal on it) and their static files load
   without a network after one visit online. Pages: network first, cached copy
   when offline. Static files: cached copy at once, refreshed in the background.
   Submissions never pass through here (POST is left alone); the page's outbox
   (kiosk-queue.js) holds them until the server has them. */
"use strict";

var CACHE = "peersurvey-offline-v1";
var PAGE = /^\/c\/[^/]+\/(results\/)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache") { return; }
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(event.data.urls.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (reply) {
          if (reply.ok) { return cache.put(new URL(url, self.location.origin).pathname, reply); }
        }).catch(function () {});
      }));
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (PAGE.test(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (reply) {
        if (reply.ok) {
          var copy = reply.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        } else if (reply.status === 410 || reply.status === 404) {
          // The round closed or the link was revoked: no offline copy to answer into, or to read.
          caches.open(CACHE).then(function (cache) {
            cache.delete(url.pathname);
            // A revoked link (404) takes its form and its results page with it.
            var form = url.pathname.replace(/results\/$/, "");
            if (reply.status === 404) { cache.delete(form); cache.delete(form + "results/"); }
          });
        }
        return reply;
      }).catch(function () {
        return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (hit) {
          var fresh = fetch(request).then(function (reply) {
            if (reply.ok) { cache.put(url.pathname, reply.clone()); }
            return reply;
          });
          if (hit) {
            fresh.catch(function () {});
            return hit;
          }
          return fresh;
        });
      })
    );
  }
});
