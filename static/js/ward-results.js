/* The ward's results page (/c/<token>/results/).
   - "Print a poster" prints it (the print stylesheet makes it an A4 poster), dated
     the day it is printed, even from a copy kept offline;
   - on a ward tablet (a kiosk link) it goes back to the survey after the link's
     idle time, as the survey itself starts again for the next person;
   - after one visit online it opens without a network, in either language: the
     tablets' service worker keeps this page, its files and its copy in the other
     language (there is nothing personal on it). */
(function () {
  "use strict";

  var root = document.querySelector("[data-results]");
  if (!root) { return; }
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  var printed = document.querySelector("[data-role=printed-on]");
  // "30 November 2026", in the page's language, as the server writes it: the month's name
  // from the page's catalogue, since a browser may not know Welsh dates.
  var MONTHS = [gettext("January"), gettext("February"), gettext("March"), gettext("April"), gettext("May"), gettext("June"),
    gettext("July"), gettext("August"), gettext("September"), gettext("October"), gettext("November"), gettext("December")];
  function datePrinted() {
    if (printed) {
      var today = new Date();
      printed.textContent = today.getDate() + " " + MONTHS[today.getMonth()] + " " + today.getFullYear();
    }
  }
  window.addEventListener("beforeprint", datePrinted);
  var printButton = document.querySelector("[data-action=print]");
  if (printButton) {
    printButton.addEventListener("click", function () { datePrinted(); window.print(); });
  }

  if (root.dataset.kiosk === "true") {
    var idleSeconds = Math.max(5, Number(root.dataset.idle) || 120);
    var lastActivity = Date.now();
    ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (type) {
      document.addEventListener(type, function () { lastActivity = Date.now(); }, { passive: true });
    });
    window.setInterval(function () {
      if (Date.now() - lastActivity >= idleSeconds * 1000) { window.location.replace(root.dataset.survey); }
    }, 1000);
  }

  // Offline: the page as opened, its files, and its copy in the other language (the
  // service worker keeps a page once per address, so once per language).
  function filesOf(page) {
    var urls = [];
    page.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], img[src]").forEach(function (element) {
      urls.push(element.getAttribute("src") || element.getAttribute("href"));
    });
    return urls;
  }
  if (root.dataset.sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/" }).then(function () {
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
  }
})();
