/* The one-page forms (staff survey; paper entry in the dashboard): a question
   that follows from an earlier answer is shown only when it applies, "none of
   these" options go alone, and the bar at the top says which part you are in.
   Without this script every question shows, labelled with the answer it
   follows from, and per-option boxes still open with their option (CSS).
   Paper entry (data-paper) keeps every box: paper has no branching. */
(function () {
  "use strict";

  var form = document.getElementById("full-form");
  if (!form) { return; }
  var paper = form.dataset.paper === "true";
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  function chosen(code) {
    return Array.prototype.map.call(form.querySelectorAll("input.choice-input[name='" + code + "']:checked"), function (i) { return i.value; });
  }

  function applies(element) {
    if (!element.dataset.showIf) { return true; }
    var holder = form.querySelector(".survey-question[data-code='" + element.dataset.showIf + "']");
    if (holder && !applies(holder)) { return false; }
    var wanted = element.dataset.showIfOptions.split(" ");
    return chosen(element.dataset.showIf).some(function (code) { return wanted.indexOf(code) >= 0; });
  }

  function refresh() {
    if (paper) { return; }
    form.querySelectorAll("[data-show-if]").forEach(function (element) {
      var shown = applies(element);
      element.hidden = !shown;
      element.querySelectorAll("input, textarea").forEach(function (input) { input.disabled = !shown; });
    });
    form.querySelectorAll(".choice-block").forEach(function (block) {
      var ticked = block.querySelector("input.choice-input").checked;
      block.querySelectorAll(".option-follow-up").forEach(function (box) {
        box.hidden = !ticked;
        box.querySelectorAll("textarea, input").forEach(function (input) { input.disabled = !ticked || !!input.closest("[data-show-if][hidden]"); });
      });
    });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input.choice-input[type=checkbox]") && input.checked) {
      form.querySelectorAll("input.choice-input[name='" + input.name + "']").forEach(function (other) {
        if (other !== input && (input.dataset.exclusive === "true" || other.dataset.exclusive === "true")) { other.checked = false; }
      });
    }
    refresh();
  });
  refresh();

  /* Which part is on screen. */
  var now = form.querySelector("[data-role=progress-now]");
  var parts = Array.prototype.slice.call(form.querySelectorAll("fieldset.survey-section"));
  var links = form.querySelectorAll(".form-progress-parts a");
  if (now && parts.length && "IntersectionObserver" in window) {
    var visible = {};
    var observer = new window.IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.dataset.part] = entry.isIntersecting; });
      var index = parts.findIndex(function (part) { return visible[part.dataset.part]; });
      if (index < 0) { return; }
      now.textContent = interpolate(
        gettext("Part %(number)s of %(total)s: %(title)s"),
        { number: index + 1, total: parts.length, title: parts[index].dataset.title },
        true
      );
      links.forEach(function (link) {
        if (link.dataset.part === parts[index].dataset.part) { link.setAttribute("aria-current", "step"); }
        else { link.removeAttribute("aria-current"); }
      });
    }, { rootMargin: "-30% 0px -60% 0px" });
    parts.forEach(function (part) { observer.observe(part); });
  }
})();
