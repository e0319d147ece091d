/* Easy-read patient form: one question per screen, Back / Skip / Next, a
   check-your-answers step, then an ordinary form POST. Without this script the
   same form is one long page and still works. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form) { return; }
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  var checkIndex = screens.findIndex(function (s) { return s.dataset.screen === "check"; });
  var current = -1;

  function show(index) {
    if (index < 0 || index >= screens.length) { return; }
    if (current >= 0) { screens[current].classList.remove("current"); }
    current = index;
    var screen = screens[current];
    if (screen.dataset.screen === "check") { buildCheckList(); }
    screen.classList.add("current");
    screen.setAttribute("tabindex", "-1");
    window.scrollTo(0, 0);
    screen.focus({ preventScroll: true });
  }

  function clearScreen(screen) {
    screen.querySelectorAll("input.choice-input").forEach(function (input) { input.checked = false; });
    screen.querySelectorAll("textarea").forEach(function (area) { area.value = ""; });
  }

  function answerText(block) {
    if (block.tagName === "FIELDSET") {
      var labels = [];
      block.querySelectorAll("input.choice-input:checked").forEach(function (input) {
        labels.push(input.closest(".choice").querySelector(".choice-label").textContent.trim());
      });
      return labels.join("; ");
    }
    var area = block.querySelector("textarea");
    return area ? area.value.trim() : "";
  }

  function buildCheckList() {
    var list = form.querySelector("[data-role=check-list]");
    list.textContent = "";
    screens.forEach(function (screen, index) {
      if (screen.dataset.screen !== "question" && screen.dataset.screen !== "about") { return; }
      screen.querySelectorAll("fieldset.question, .text-question").forEach(function (block) {
        var title = block.tagName === "FIELDSET"
          ? block.querySelector("legend").textContent
          : block.querySelector("label").textContent;
        var answer = answerText(block);
        // Follow-up boxes ("Tell us why") only appear when something was written.
        if (!answer && block.dataset.followUp) { return; }
        var dt = document.createElement("dt");
        dt.textContent = title.trim();
        var dd = document.createElement("dd");
        var span = document.createElement("span");
        span.textContent = answer || "Skipped";
        if (!answer) { span.className = "skipped"; }
        var change = document.createElement("button");
        change.type = "button";
        change.className = "btn btn-outline-dark";
        change.dataset.action = "change";
        change.dataset.index = String(index);
        change.textContent = "Change";
        change.setAttribute("aria-label", "Change: " + title.trim());
        dd.appendChild(span);
        dd.appendChild(change);
        list.appendChild(dt);
        list.appendChild(dd);
      });
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.dataset.action;
    if (action === "start" || action === "next") { show(current + 1); }
    else if (action === "back") { show(current - 1); }
    else if (action === "skip") { clearScreen(screens[current]); show(current + 1); }
    else if (action === "change") { show(Number(button.dataset.index)); }
  });

  // Enter in a choice would submit the whole form half-way through.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input")) { event.preventDefault(); }
  });

  form.addEventListener("submit", function (event) {
    if (current !== checkIndex) { event.preventDefault(); show(checkIndex); return; }
    form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
  });

  // After a refused POST, open the first screen with a message on it.
  var firstError = form.querySelector(".error");
  var start = 0;
  if (firstError) {
    start = screens.findIndex(function (s) { return s.contains(firstError); });
  }
  show(start < 0 ? 0 : start);
})();
