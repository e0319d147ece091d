/* The printable report: draw every figure once, static, then offer printing. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var config = JSON.parse(document.getElementById("plotly-config").textContent);
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
    figure.layout.width = 760;
    window.Plotly.newPlot(element, figure.data, figure.layout, config);
  });
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
