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
})();
