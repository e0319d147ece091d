/* Ward tablets, offline: after one visit online, the page (the questionnaire or the
   ward's results page), its files, its read-aloud sound files, and its copy in the
   other language load without a network. The page names its service worker in a
   data-sw attribute; the service worker keeps each page once per address, so once
   per language (service-worker.js). */
(function () {
  "use strict";

  var holder = document.querySelector("[data-sw]");
  if (!holder || !("serviceWorker" in navigator)) { return; }

  function filesOf(page) {
    var urls = [];
    page.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], img[src]").forEach(function (element) {
      urls.push(element.getAttribute("src") || element.getAttribute("href"));
    });
    page.querySelectorAll("[data-audio]").forEach(function (element) {
      urls.push.apply(urls, element.getAttribute("data-audio").split(/\s+/).filter(Boolean));
    });
    return urls;
  }

  navigator.serviceWorker.register(holder.dataset.sw, { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    registration.active.postMessage({ type: "cache", urls: [window.location.pathname + window.location.search].concat(filesOf(document)) });
    document.querySelectorAll("link[rel=alternate][hreflang]").forEach(function (link) {
      fetch(link.href, { credentials: "same-origin" }).then(function (reply) {
        if (!reply.ok) { throw new Error("not kept: " + reply.status); }
        return reply.text();
      }).then(function (html) {
        var other = new DOMParser().parseFromString(html, "text/html");
        registration.active.postMessage({ type: "cache", urls: [link.href].concat(filesOf(other)) });
      }).catch(function () { /* offline now: the next visit online keeps it */ });
    });
  }).catch(function () { /* no offline copy in this browser: online use still works */ });
})();
