/* The ward's results page (/c/<token>/results/).
   - "Print a poster" prints it (the print stylesheet makes it an A4 poster), dated
     the day it is printed, even from a copy kept offline;
   - on a ward tablet (a kiosk link) it goes back to the survey after the link's
     idle time, as the survey itself starts again for the next person;
   - after one visit online it opens without a network: the tablets' service
     worker keeps this page and its files (there is nothing personal on it). */
(function () {
  "use strict";

  var root = document.querySelector("[data-results]");
  if (!root) { return; }
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  var printed = document.querySelector("[data-role=printed-on]");
  function datePrinted() {
    if (printed) {
      printed.textContent = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
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

  if (root.dataset.sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [window.location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], img[src]").forEach(function (element) {
        urls.push(element.getAttribute("src") || element.getAttribute("href"));
      });
      registration.active.postMessage({ type: "cache", urls: urls });
    }).catch(function () { /* no offline copy in this browser: online use still works */ });
  }
})();
