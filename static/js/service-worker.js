/* Ward tablets: the questionnaire page, the ward's results page
   (/c/<token>/results/: nothing personal on it) and their static files load
   without a network after one visit online. Pages: network first, cached copy
   when offline, kept once per address (so once per language: ?lang=cy is a
   copy of its own; an address without ?lang= gets the copy kept without it).
   Static files, the read-aloud sound files among them, and the page's texts
   for JavaScript (/jsi18n/?lang=..): cached copy at once, refreshed in the
   background. Submissions never pass through here (POST is left alone); the
   page's outbox (kiosk-queue.js) holds them until the server has them. */
"use strict";

var CACHE = "peersurvey-offline-v2";
var PAGE = /^\/c\/[^/]+\/(results\/)?$/;
// Named by their content (docs/audio.md): a copy once kept never needs fetching again.
var AUDIO = /^\/static\/audio\//;

function keyOf(url) { return url.pathname + url.search; }

function isFile(url) { return url.pathname.indexOf("/static/") === 0 || url.pathname === "/jsi18n/"; }

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The page lists what to keep: itself, its files, its sound files, its copy in the other language.
self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache") { return; }
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(event.data.urls.map(function (address) {
        var url = new URL(address, self.location.origin);
        if (url.origin !== self.location.origin) { return null; }
        return (AUDIO.test(url.pathname) ? cache.match(keyOf(url)) : Promise.resolve(null)).then(function (kept) {
          if (kept) { return null; }
          return fetch(url.href, { credentials: "same-origin" }).then(function (reply) {
            if (reply.status === 200) { return cache.put(keyOf(url), reply); }
          });
        }).catch(function () {});
      }));
    })
  );
});

// A closed round (410) or a revoked link (404): no offline copy, in any language, to answer into or read.
function forget(cache, url, status) {
  var form = url.pathname.replace(/results\/$/, "");
  var paths = status === 404 ? [form, form + "results/"] : [url.pathname];
  return cache.keys().then(function (requests) {
    return Promise.all(requests.filter(function (request) {
      return paths.indexOf(new URL(request.url).pathname) >= 0;
    }).map(function (request) { return cache.delete(request); }));
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (PAGE.test(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (reply) {
        if (reply.ok) {
          var copy = reply.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(keyOf(url), copy); }).catch(function () {});
        } else if (reply.status === 410 || reply.status === 404) {
          caches.open(CACHE).then(function (cache) { forget(cache, url, reply.status); });
        }
        return reply;
      }).catch(function () {
        return caches.match(keyOf(url)).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (isFile(url)) {
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(keyOf(url)).then(function (hit) {
          if (hit && AUDIO.test(url.pathname)) { return hit; }
          // Only whole replies are kept: a sound file asked for in part (206) is not.
          var fresh = fetch(request).then(function (reply) {
            if (reply.status === 200) { cache.put(keyOf(url), reply.clone()).catch(function () {}); }
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
