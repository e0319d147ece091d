/* Draws the dashboard's Plotly figures from the JSON embedded in the page, then
   keeps them live: it re-fetches charts.json every N seconds while the page is
   visible (four times slower while hidden) and redraws only what changed. */
(function () {
  "use strict";

  var summary = document.getElementById("summary");
  var configElement = document.getElementById("plotly-config");
  if (!configElement || !window.Plotly) { return; }
  var config = JSON.parse(configElement.textContent);
  var toggle2014 = document.getElementById("toggle-2014");
  var shown = {};
  var figures = {};

  function withToggle(figure) {
    var copy = JSON.parse(JSON.stringify(figure));
    (copy.data || []).forEach(function (trace) {
      if (trace.meta === "report_2014") {
        var on = Boolean(toggle2014 && toggle2014.checked);
        trace.visible = on;
        trace.showlegend = on;
      }
    });
    return copy;
  }

  function draw(id) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var figure = withToggle(figures[id]);
    window.Plotly.react(element, figure.data, figure.layout, config);
  }

  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    figures[element.id] = JSON.parse(source.textContent);
    shown[element.id] = JSON.stringify(figures[element.id]);
    draw(element.id);
  });

  if (toggle2014) {
    toggle2014.addEventListener("change", function () { Object.keys(figures).forEach(draw); });
  }

  // Pages without the live summary (trends, services compared) are drawn once.
  if (!summary) { return; }
  var refreshMs = Math.max(5, Number(summary.dataset.refresh) || 30) * 1000;
  var url = summary.dataset.chartsUrl;

  function setText(name, text) {
    var element = summary.querySelector("[data-stat='" + name + "']");
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  // The page's own language (<html lang>): "cy" or "en-GB".
  var locale = document.documentElement.lang || "en-GB";

  function updateSummary(groups, minCell) {
    ["patient", "staff"].forEach(function (group) {
      var g = groups[group];
      setText(group + "-n", g.suppressed
        ? interpolate(gettext("fewer than %(min_cell)s"), { min_cell: minCell }, true)
        : String(g.n));
      setText(group + "-services", g.suppressed ? "" : g.services
        ? interpolate(ngettext("from %(services)s service", "from %(services)s services", g.services), { services: g.services }, true)
        : gettext("pooled from small services"));
    });
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (reply) {
        if (reply.redirected && reply.url.indexOf("/accounts/login/") !== -1) {
          throw new Error("logged out");
        }
        if (!reply.ok || (reply.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
          throw new Error("refresh refused: " + reply.status);
        }
        return reply.json();
      })
      .then(function (payload) {
        payload.figures.forEach(function (item) {
          var text = JSON.stringify(item.figure);
          if (text === shown[item.id]) { return; }
          figures[item.id] = item.figure;
          shown[item.id] = text;
          draw(item.id);
        });
        updateSummary(payload.groups, payload.min_cell);
        setText("released", payload.disclosure.released_through || gettext("no date yet"));
        var time = summary.querySelector("[data-stat='updated']");
        var when = new Date(payload.generated);
        time.setAttribute("datetime", payload.generated);
        time.textContent = when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
        schedule();
      })
      .catch(function (error) {
        summary.classList.add("stale");
        setText("updated", error.message === "logged out"
          ? gettext("not since your session ended after an hour without use: reload the page to log in again")
          : gettext("not since the page loaded: reload to try again"));
      });
  }

  var timer = null;
  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, document.hidden ? refreshMs * 4 : refreshMs);
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } else { schedule(); } });
  schedule();
})();
