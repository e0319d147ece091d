/* Easy-read patient form: one question per screen, Back / Skip / Next, a
   check-your-answers step, then Finish. Without this script the same form is
   one long page with an ordinary POST (per-option boxes still open and close
   with their option, by CSS alone).

   What this script promises a person with a learning disability or a brain
   injury, on a tablet, a phone, a keyboard or a switch:
   - branching: a question or box that does not apply to their answers is not
     shown, not counted in "Question x of y" and not sent;
   - Change on "Check your answers" comes back to "Check your answers";
   - Skip never erases an answer without asking;
   - every option is a Tab stop, chosen with Space or Enter (no arrow keys);
   - the forward button stays on screen (the stylesheet keeps it there).

   On a kiosk link (a shared ward tablet) Finish puts the answers in the
   tablet's outbox (kiosk-queue.js) and shows a thank-you screen, and the page
   then wipes itself back to the welcome screen: after each person (when they
   press "Finish now", or after the link's reading time), after inactivity
   ("Are you still there?"), and whenever the browser shows it again from its
   history. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form) { return; }
  document.documentElement.classList.remove("no-js");
  document.documentElement.classList.add("js");

  var kiosk = form.dataset.kiosk === "true";

  /* ---- the page's language on a ward tablet that is offline ----
     The service worker keeps this page once per address, so once per language
     with ?lang=. Offline, the address without ?lang= gives whichever copy was
     kept last: if the tablet's language (its cookie) is another, load that
     language's copy instead, when there is one. An address with ?lang= is
     someone's own choice, which a cached copy cannot write to the cookie: it
     wins, and is remembered here. Neither step can repeat itself. */
  var pageLanguage = document.documentElement.lang === "cy" ? "cy" : "en";
  var tabletLanguage = (document.cookie.match(/(?:^|;\s*)language=(en|cy)(?:;|$)/) || [])[1];
  var askedLanguage = new URLSearchParams(window.location.search).get("lang");
  if (askedLanguage === pageLanguage && tabletLanguage !== pageLanguage) {
    document.cookie = "language=" + pageLanguage + "; path=/; max-age=31536000; samesite=lax" +
      (window.location.protocol === "https:" ? "; secure" : "");
  } else if (!askedLanguage && tabletLanguage && tabletLanguage !== pageLanguage) {
    var copy = window.location.pathname + "?lang=" + tabletLanguage + window.location.hash;
    fetch(copy, { credentials: "same-origin" }).then(function (reply) {
      if (reply.ok) { window.location.replace(copy); }
    }).catch(function () { /* no copy in that language: this one will do */ });
  }
  // Back on the thank-you screen after changing language there (see below).
  var reopenThanks = kiosk && window.location.hash === "#thanks";
  if (reopenThanks) { window.history.replaceState(null, "", window.location.pathname + window.location.search); }

  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  function indexOf(name) { return screens.findIndex(function (s) { return s.dataset.screen === name; }); }
  var checkIndex = indexOf("check");
  var thanksIndex = indexOf("thanks");
  var skipDialog = form.querySelector("[data-role=skip-dialog]");
  var current = -1;
  var changing = false; // opened from "Check your answers": go back there

  function isQuestion(screen) { return screen.dataset.screen === "question" || screen.dataset.screen === "about"; }

  /* ---- branching ---- */
  function chosenCodes(code) {
    return Array.prototype.map.call(
      form.querySelectorAll("input.choice-input[name='" + code + "']:checked"),
      function (input) { return input.value; }
    );
  }

  function applies(element) {
    var code = element.dataset.showIf;
    if (!code) { return true; }
    var wanted = element.dataset.showIfOptions.split(" ");
    if (!screenApplies(form.querySelector(".screen[data-code='" + code + "']"))) { return false; }
    return chosenCodes(code).some(function (value) { return wanted.indexOf(value) >= 0; });
  }

  function screenApplies(screen) { return !screen || !isQuestion(screen) || applies(screen); }

  /* Show each per-option box only while its option is ticked, and each
     conditional box only while its condition holds; what is hidden is
     disabled, so it is neither sent nor a Tab stop, but kept for if the
     person ticks the option again. */
  function refreshBranches() {
    form.querySelectorAll(".choice-block").forEach(function (block) {
      var ticked = block.querySelector("input.choice-input").checked;
      block.querySelectorAll(".option-follow-up").forEach(function (box) { setShown(box, ticked); });
    });
    form.querySelectorAll(".text-question[data-show-if]").forEach(function (box) { setShown(box, applies(box)); });
    screens.filter(isQuestion).forEach(function (screen) {
      var off = !screenApplies(screen);
      screen.querySelectorAll("input, textarea").forEach(function (input) { if (!input.closest("[hidden]")) { input.disabled = off; } });
    });
    refreshProgress();
  }

  function setShown(box, shown) {
    box.hidden = !shown;
    box.querySelectorAll("textarea, input").forEach(function (input) { input.disabled = !shown; });
  }

  function questionScreens() { return screens.filter(function (s) { return isQuestion(s) && screenApplies(s); }); }

  function refreshProgress() {
    var shown = questionScreens();
    shown.forEach(function (screen, i) {
      var text = screen.querySelector("[data-role=progress]");
      if (text) { text.textContent = interpolate(gettext("Question %(number)s of %(total)s"), { number: i + 1, total: shown.length }, true); }
      var meter = screen.querySelector("progress");
      if (meter) { meter.max = shown.length; meter.value = i + 1; }
    });
  }

  function step(from, direction) {
    for (var i = from + direction; i >= 0 && i < screens.length; i += direction) {
      if (screenApplies(screens[i])) { return i; }
    }
    return from;
  }

  /* ---- moving between screens ---- */
  function show(index, options) {
    if (index < 0 || index >= screens.length) { return; }
    if (kiosk && index === thanksIndex && current !== checkIndex && !(options && options.reopened)) { return; }
    if (current >= 0) {
      screens[current].classList.remove("current");
      // A sign-language video left playing would go on talking on a hidden screen.
      screens[current].querySelectorAll("video").forEach(function (video) { video.pause(); });
    }
    hideSkipDialog();
    current = index;
    var screen = screens[current];
    if (screen.dataset.screen === "check") { changing = false; buildCheck(); }
    else if (!(options && options.changing)) { changing = false; }
    else { changing = true; }
    var label = screen.querySelector("[data-role=next-label]");
    if (label) { label.textContent = changing ? gettext("Back to check your answers") : gettext("Next"); }
    screen.classList.add("current");
    screen.setAttribute("tabindex", "-1");
    window.scrollTo(0, 0);
    screen.focus({ preventScroll: true });
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
  }

  /* Forward from the current screen. After a Change, back to the check step,
     unless the changed answer has just opened a question that follows from it. */
  function forward() {
    var next = step(current, 1);
    if (changing) {
      var code = screens[current].dataset.code;
      var opened = screens[next] && screens[next].dataset.showIf === code;
      show(opened ? next : checkIndex, { changing: opened });
      return;
    }
    show(next);
  }

  function backward() {
    if (changing) { show(checkIndex); return; }
    show(step(current, -1));
  }

  function answered(screen) {
    if (screen.querySelector("input.choice-input:checked:not(:disabled)")) { return true; }
    return Array.prototype.some.call(screen.querySelectorAll("textarea:not(:disabled)"), function (a) { return a.value.trim() !== ""; });
  }

  function clearScreen(screen) {
    screen.querySelectorAll("input.choice-input").forEach(function (input) { input.checked = false; });
    screen.querySelectorAll("textarea").forEach(function (area) { area.value = ""; });
  }

  /* Skip on an answered screen asks first: keeping is the default. */
  function skip() {
    if (!answered(screens[current])) { forward(); return; }
    skipDialog.hidden = false;
    skipDialog.querySelector("[data-action=skip-keep]").focus();
  }

  function hideSkipDialog() { if (skipDialog) { skipDialog.hidden = true; } }

  /* ---- check your answers: what was answered in full, what was skipped in a short list ---- */
  function labelOf(input) { return input.closest(".choice").querySelector(".choice-label").textContent.trim(); }

  function titleOf(screen) {
    var heading = screen.querySelector("fieldset.question > legend, .text-question > label");
    return heading ? heading.textContent.trim() : "";
  }

  function answerLines(screen) {
    var lines = [];
    screen.querySelectorAll("input.choice-input:checked:not(:disabled)").forEach(function (input) {
      var line = labelOf(input);
      input.closest(".choice-block").querySelectorAll(".option-follow-up:not([hidden]) textarea").forEach(function (area) {
        if (area.value.trim()) { line += ": “" + area.value.trim() + "”"; }
      });
      lines.push(line);
    });
    screen.querySelectorAll("textarea:not(:disabled)").forEach(function (area) {
      if (area.closest(".option-follow-up") || !area.value.trim()) { return; }
      lines.push("“" + area.value.trim() + "”");
    });
    return lines;
  }

  function changeButton(index, text, label) {
    var change = document.createElement("button");
    change.type = "button";
    change.className = "btn btn-outline-dark";
    change.dataset.action = "change";
    change.dataset.index = String(index);
    change.textContent = text;
    change.setAttribute("aria-label", label);
    return change;
  }

  function buildCheck() {
    var list = form.querySelector("[data-role=check-list]");
    var skippedBox = form.querySelector("[data-role=check-skipped]");
    var skippedList = form.querySelector("[data-role=skipped-list]");
    list.textContent = "";
    skippedList.textContent = "";
    screens.forEach(function (screen, index) {
      if (!isQuestion(screen) || !screenApplies(screen)) { return; }
      var title = titleOf(screen);
      var lines = answerLines(screen);
      if (!lines.length) {
        var item = document.createElement("li");
        var span = document.createElement("span");
        span.textContent = title;
        item.appendChild(span);
        item.appendChild(changeButton(index, gettext("Answer"), interpolate(gettext("Answer: %(question)s"), { question: title }, true)));
        skippedList.appendChild(item);
        return;
      }
      var dt = document.createElement("dt");
      dt.textContent = title;
      var dd = document.createElement("dd");
      var answer = document.createElement("span");
      answer.textContent = lines.join("; ");
      dd.appendChild(answer);
      dd.appendChild(changeButton(index, gettext("Change"), interpolate(gettext("Change: %(question)s"), { question: title }, true)));
      list.appendChild(dt);
      list.appendChild(dd);
    });
    skippedBox.hidden = skippedList.children.length === 0;
  }

  /* The answers as the API takes them: {code: "option" | ["options"] | "text"};
     nothing hidden by branching is sent. */
  function collectAnswers() {
    var answers = {};
    form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      var chosen = Array.prototype.map.call(fieldset.querySelectorAll("input.choice-input:checked:not(:disabled)"), function (i) { return i.value; });
      if (!chosen.length) { return; }
      answers[fieldset.dataset.code] = fieldset.dataset.kind === "many" ? chosen : chosen[0];
    });
    form.querySelectorAll(".text-question textarea:not(:disabled)").forEach(function (area) {
      if (area.value.trim()) { answers[area.name] = area.value; }
    });
    return answers;
  }

  /* Wipe every answer and go back to the welcome screen, ready for the next person. */
  function wipe() {
    window.clearTimeout(restartTimer);
    form.reset();
    screens.forEach(clearScreen);
    form.querySelector("[data-role=check-list]").textContent = "";
    form.querySelector("[data-role=skipped-list]").textContent = "";
    if (window.speechSynthesis) { window.speechSynthesis.cancel(); }
    hideIdle();
    refreshBranches();
    show(0);
  }

  /* "None of these" goes alone: ticking it clears the others, and the other way round. */
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input.choice-input[type=checkbox]") && input.checked) {
      var group = form.querySelectorAll("input.choice-input[name='" + input.name + "']");
      group.forEach(function (other) {
        if (other !== input && (input.dataset.exclusive === "true" || other.dataset.exclusive === "true")) { other.checked = false; }
      });
    }
    refreshBranches();
  });

  form.addEventListener("click", function (event) {
    // A tap on the dimmed page behind the question "Keep or remove?" keeps the focus in it.
    if (skipDialog && event.target === skipDialog) { skipDialog.querySelector("[data-action=skip-keep]").focus(); return; }
    var button = event.target.closest("[data-action]");
    if (!button) { return; }
    var action = button.dataset.action;
    if (action === "start") { show(step(current, 1)); }
    else if (action === "next") { forward(); }
    else if (action === "back") { backward(); }
    else if (action === "skip") { skip(); }
    else if (action === "skip-keep") { hideSkipDialog(); forward(); }
    else if (action === "skip-clear") { hideSkipDialog(); clearScreen(screens[current]); refreshBranches(); forward(); }
    else if (action === "change") { show(Number(button.dataset.index), { changing: true }); }
    else if (action === "restart") { wipe(); }
  });

  /* ---- keyboard and switch access: Tab reaches every option, Space or Enter chooses ---- */
  function tabStops(screen) {
    var candidates = Array.prototype.slice.call(
      (skipDialog && !skipDialog.hidden ? skipDialog : screen).querySelectorAll("button, input, textarea, a[href]")
    );
    return candidates.filter(function (el) {
      return !el.disabled && el.tabIndex !== -1 && !el.closest("[hidden]") && el.getClientRects().length > 0;
    });
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches("input.choice-input")) {
      // Enter chooses, as Space does (it would otherwise send the whole form half-way through).
      event.preventDefault();
      if (target.type === "checkbox" || !target.checked) { target.click(); }
      return;
    }
    if (event.key === "Enter" && target.matches("input")) { event.preventDefault(); return; }
    if (event.key === "Escape" && skipDialog && !skipDialog.hidden) {
      hideSkipDialog();
      screens[current].querySelector("[data-action=skip]").focus();
      return;
    }
    if (event.key !== "Tab" || current < 0) { return; }
    // The browser makes a radio group one Tab stop, reached with arrow keys:
    // here each option is its own stop, in the order a person sees them.
    var stops = tabStops(screens[current]);
    var at = stops.indexOf(target);
    var next = at < 0 ? -1 : at + (event.shiftKey ? -1 : 1);
    if (at < 0 && stops.length) { next = event.shiftKey ? stops.length - 1 : 0; }
    if (next < 0 || next >= stops.length) {
      // Wrap round within the screen (or the open question): nothing else on the page matters here.
      next = event.shiftKey ? stops.length - 1 : 0;
    }
    if (stops[next]) { event.preventDefault(); stops[next].focus(); }
  });

  var restartTimer = null;
  var thanksSeconds = Math.max(20, Number(form.dataset.thanksSeconds) || 45);
  function armRestart() {
    window.clearTimeout(restartTimer);
    restartTimer = window.setTimeout(wipe, thanksSeconds * 1000);
  }

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
    refreshBranches();
    show(thanksIndex);
    armRestart();
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

  function showCountdown(seconds) {
    var text = ngettext("The survey will start again in %(seconds)s second.", "The survey will start again in %(seconds)s seconds.", seconds);
    idle.querySelector("[data-role=countdown-text]").textContent = interpolate(text, { seconds: seconds }, true);
  }

  function tick() {
    var name = screens[current] && screens[current].dataset.screen;
    if (name === "welcome" || name === "thanks") { lastActivity = Date.now(); return; }
    if (countdownLeft === null) {
      if (Date.now() - lastActivity >= idleSeconds * 1000) {
        countdownLeft = countdownSeconds;
        idle.hidden = false;
        showCountdown(countdownLeft);
        idle.querySelector("[data-action=still-here]").focus();
      }
      return;
    }
    countdownLeft -= 1;
    showCountdown(Math.max(0, countdownLeft));
    if (countdownLeft <= 0) { wipe(); }
  }

  if (kiosk) {
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (type) {
      document.addEventListener(type, function () {
        if (countdownLeft === null) { lastActivity = Date.now(); }
        // Someone still reading the thank-you screen keeps it.
        if (current === thanksIndex) { armRestart(); }
      }, { passive: true });
    });
    idle.addEventListener("click", function (event) {
      if (event.target.closest("[data-action=still-here]")) { hideIdle(); screens[current].focus(); }
      else { idle.querySelector("[data-action=still-here]").focus(); }
    });
    // "Are you still there?" holds the keyboard: its one button is the only Tab stop,
    // so a keyboard or switch user can always reach it before the answers are wiped.
    document.addEventListener("keydown", function (event) {
      if (idle.hidden || event.key !== "Tab") { return; }
      event.preventDefault();
      event.stopPropagation();
      idle.querySelector("[data-action=still-here]").focus();
    }, true);
    window.setInterval(tick, 1000);
    // Browser Back moves between screens and never leaves the page.
    window.history.replaceState({ kiosk: "base" }, "");
    window.history.pushState({ kiosk: "page" }, "");
    window.addEventListener("popstate", function () {
      window.history.pushState({ kiosk: "page" }, "");
      if (current > 0 && current !== thanksIndex) { backward(); }
    });
    // Shown again from the back/forward cache: it may hold someone's answers.
    window.addEventListener("pageshow", function (event) { if (event.persisted) { wipe(); } });
  }

  refreshBranches();
  // The thank-you screen's language switch loads the page again in the other
  // language: it comes back to the thank-you screen (nothing personal is on it).
  if (thanksIndex >= 0) {
    screens[thanksIndex].querySelectorAll(".language-switch a").forEach(function (link) { link.hash = "thanks"; });
  }
  if (reopenThanks && thanksIndex >= 0) {
    show(thanksIndex, { reopened: true });
    armRestart();
    return;
  }
  // After a refused POST, open the first screen with a message on it.
  var firstError = form.querySelector(".error");
  var start = firstError ? screens.findIndex(function (s) { return s.contains(firstError); }) : 0;
  show(start < 0 ? 0 : start);
})();
