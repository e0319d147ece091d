/* Easy-read patient form: one question per screen, Back / Skip / Next, a
   check-your-answers step, then Finish. Without this script the same form is
   one long page with an ordinary POST.

   On a kiosk link (a shared ward tablet) Finish puts the answers in the
   tablet's outbox (kiosk-queue.js) and shows a thank-you screen, and the page
   then wipes itself back to the welcome screen: after each person, after
   inactivity ("Are you still there?"), and whenever the browser shows it again
   from its history. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form) { return; }
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  var kiosk = form.dataset.kiosk === "true";
  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  function indexOf(name) { return screens.findIndex(function (s) { return s.dataset.screen === name; }); }
  var checkIndex = indexOf("check");
  var thanksIndex = indexOf("thanks");
  var current = -1;

  function show(index) {
    if (index < 0 || index >= screens.length) { return; }
    if (kiosk && index === thanksIndex && current !== checkIndex) { return; }
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
        var title = (block.tagName === "FIELDSET" ? block.querySelector("legend") : block.querySelector("label")).textContent.trim();
        var answer = answerText(block);
        // Follow-up boxes ("Tell us why") only appear when something was written.
        if (!answer && block.dataset.followUp) { return; }
        var dt = document.createElement("dt");
        dt.textContent = title;
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
        change.setAttribute("aria-label", "Change: " + title);
        dd.appendChild(span);
        dd.appendChild(change);
        list.appendChild(dt);
        list.appendChild(dd);
      });
    });
  }

  /* The answers as the API takes them: {code: "option" | ["options"] | "text"}. */
  function collectAnswers() {
    var answers = {};
    form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      var chosen = Array.prototype.map.call(fieldset.querySelectorAll("input.choice-input:checked"), function (i) { return i.value; });
      if (!chosen.length) { return; }
      answers[fieldset.dataset.code] = fieldset.dataset.kind === "many" ? chosen : chosen[0];
    });
    form.querySelectorAll(".text-question textarea").forEach(function (area) {
      if (area.value.trim()) { answers[area.name] = area.value; }
    });
    return answers;
  }

  /* Wipe every answer and go back to the welcome screen, ready for the next person. */
  function wipe() {
    form.reset();
    screens.forEach(clearScreen);
    form.querySelector("[data-role=check-list]").textContent = "";
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
    hideIdle();
    show(0);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.dataset.action;
    if (action === "start" || action === "next") { show(current + 1); }
    else if (action === "back") { show(current - 1); }
    else if (action === "skip") { clearScreen(screens[current]); show(current + 1); }
    else if (action === "change") { show(Number(button.dataset.index)); }
    else if (action === "restart") { wipe(); }
  });

  // Enter in a choice would submit the whole form half-way through.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input")) { event.preventDefault(); }
  });

  var restartTimer = null;
  form.addEventListener("submit", function (event) {
    if (current !== checkIndex) { event.preventDefault(); show(checkIndex); return; }
    if (!kiosk) {
      form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
      return;
    }
    event.preventDefault();
    var answers = collectAnswers();
    // Nothing answered: nothing to send (it would only lower every percentage), but
    // the person still gets their thank-you.
    if (Object.keys(answers).length && window.PeerSurveyOutbox) {
      window.PeerSurveyOutbox.add(form.dataset.api, answers);
    }
    form.reset();
    screens.forEach(clearScreen);
    show(thanksIndex);
    window.clearTimeout(restartTimer);
    restartTimer = window.setTimeout(wipe, 8000);
  });

  /* ---- kiosk: idle reset, browser Back, history ---- */
  var idle = document.querySelector(".idle-dialog");
  var idleSeconds = Number(form.dataset.idle) || 120;
  var countdownSeconds = Number(form.dataset.countdown) || 30;
  var lastActivity = Date.now();
  var countdownLeft = null;

  function hideIdle() {
    if (idle) { idle.hidden = true; }
    countdownLeft = null;
    lastActivity = Date.now();
  }

  function tick() {
    var name = screens[current] && screens[current].dataset.screen;
    if (name === "welcome" || name === "thanks") { lastActivity = Date.now(); return; }
    if (countdownLeft === null) {
      if (Date.now() - lastActivity >= idleSeconds * 1000) {
        countdownLeft = countdownSeconds;
        idle.hidden = false;
        idle.querySelector("[data-role=countdown]").textContent = String(countdownLeft);
        idle.querySelector("[data-action=still-here]").focus();
      }
      return;
    }
    countdownLeft -= 1;
    idle.querySelector("[data-role=countdown]").textContent = String(Math.max(0, countdownLeft));
    if (countdownLeft <= 0) { wipe(); }
  }

  if (kiosk) {
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (type) {
      document.addEventListener(type, function () { if (countdownLeft === null) { lastActivity = Date.now(); } }, { passive: true });
    });
    idle.addEventListener("click", function (event) {
      if (event.target.closest("[data-action=still-here]")) { hideIdle(); screens[current].focus(); }
    });
    window.setInterval(tick, 1000);
    // Browser Back moves between screens and never leaves the page.
    window.history.replaceState({ kiosk: "base" }, "");
    window.history.pushState({ kiosk: "page" }, "");
    window.addEventListener("popstate", function () {
      window.history.pushState({ kiosk: "page" }, "");
      if (current > 0 && current !== thanksIndex) { show(current - 1); }
    });
    // Shown again from the back/forward cache: it may hold someone's answers.
    window.addEventListener("pageshow", function (event) { if (event.persisted) { wipe(); } });
  }

  // After a refused POST, open the first screen with a message on it.
  var firstError = form.querySelector(".error");
  var start = firstError ? screens.findIndex(function (s) { return s.contains(firstError); }) : 0;
  show(start < 0 ? 0 : start);
})();
