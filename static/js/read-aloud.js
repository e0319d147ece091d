/* Read-aloud for the easy-read form. Every text it reads has a sound file made
   for it (data-audio: its URL, or one URL per line of a paragraph), played by
   the page itself: it works on a tablet with no speech voice installed, and
   offline, once the service worker has the files. A text without a file is
   read by the device's own speech synthesis (Web Speech API) in the page's
   language, where there is one. Nothing leaves the tablet either way.

   One "Read this screen to me" button per screen reads the question, its hint,
   the quote and every option shown, in order; pressed again, or on leaving the
   screen, it stops. A small speaker beside each question, hint and option reads
   just that one; they are for pointing at, so they are left out of the Tab
   order (a keyboard or switch user has the one button, not a speaker after
   every option). No button for a text that can be neither played nor spoken. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form) { return; }
  var canSpeak = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  var icon = form.dataset.speakerIcon;
  var lang = document.documentElement.lang || "en-GB";
  var HEADINGS = "fieldset.question > legend, .text-question > label";
  var BLOCKS = ".hint, .quote blockquote, .screen-welcome .intro p, .screen-thanks .intro p";
  var SPOKEN = "fieldset.question > legend, .hint, .quote blockquote, .choice-label, .text-question > label, .screen-welcome .intro p, .screen-thanks .intro p";

  function textOf(element) { return element.textContent.replace(/\s+/g, " ").trim(); }
  function filesOf(element) { return (element.dataset.audio || "").split(/\s+/).filter(Boolean); }
  function audible(element) { return canSpeak || filesOf(element).length > 0; }
  function shown(element) { return !element.closest("[hidden]") && element.getClientRects().length > 0; }

  /* ---- the player: one thing read at a time, each its files or else its text ---- */
  var player = new Audio();
  var queue = [];
  var pressed = null;  // the button that started what is being read
  var screenShown = null;  // its screen, if that was the one on show
  var session = 0;     // events from something already stopped are ignored

  function stop() {
    session += 1;
    queue = [];
    player.onended = player.onerror = null;
    player.pause();
    if (canSpeak) { window.speechSynthesis.cancel(); }
    if (pressed) {
      pressed.setAttribute("aria-pressed", "false");
      pressed.classList.remove("active");
      pressed = null;
    }
    screenShown = null;
  }

  function read(items, button) {
    stop();
    if (!items.length) { return; }
    queue = items.slice();
    pressed = button;
    var screen = button.closest(".screen");
    screenShown = screen && screen.classList.contains("current") ? screen : null;
    button.setAttribute("aria-pressed", "true");
    button.classList.add("active");
    next(session);
  }

  function next(mine) {
    if (mine !== session) { return; }
    if (!queue.length) { stop(); return; }
    if (queue[0].files.length) {
      play(queue.shift(), 0, mine);
      return;
    }
    // Texts without files go to the speech queue together, as the device voice reads them in turn.
    var texts = [];
    while (queue.length && !queue[0].files.length) { texts.push(queue.shift().text); }
    say(texts, mine);
  }

  function play(item, index, mine) {
    if (index >= item.files.length) { next(mine); return; }
    var over = false;  // an error event and a refused play() may both report one failure
    function failed() {
      // Not cached, or this browser cannot play it: the device voice reads the whole text instead.
      if (over || mine !== session) { return; }
      over = true;
      player.onended = player.onerror = null;
      if (canSpeak) { say([item.text], mine); } else { next(mine); }
    }
    player.onended = function () { if (mine === session) { play(item, index + 1, mine); } };
    player.onerror = failed;
    player.src = item.files[index];
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function (error) { if (error && error.name !== "AbortError") { failed(); } }); }
  }

  function say(texts, mine) {
    if (!canSpeak) { next(mine); return; }
    texts.forEach(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = 0.9;
      if (index === texts.length - 1) {
        utterance.onend = utterance.onerror = function () { next(mine); };
      }
      window.speechSynthesis.speak(utterance);
    });
  }

  function itemOf(element) { return { text: textOf(element), files: filesOf(element) }; }

  /* ---- the buttons ---- */
  function button(element) {
    var speaker = document.createElement("button");
    speaker.type = "button";
    speaker.className = "speak";
    speaker.tabIndex = -1;
    speaker.setAttribute("aria-pressed", "false");
    var text = textOf(element);
    var label = text.length > 60 ? text.slice(0, 57) + "…" : text;
    speaker.setAttribute("aria-label", interpolate(gettext("Read aloud: %(text)s"), { text: label }, true));
    speaker.spoken = element;
    var image = document.createElement("img");
    image.src = icon;
    image.alt = "";
    image.width = 28;
    image.height = 28;
    speaker.appendChild(image);
    return speaker;
  }

  form.querySelectorAll(HEADINGS).forEach(function (heading) {
    if (!audible(heading)) { return; }
    var row = document.createElement("div");
    row.className = "speak-row";
    heading.parentNode.insertBefore(row, heading.nextSibling);
    row.appendChild(button(heading));
  });
  form.querySelectorAll(BLOCKS).forEach(function (block) {
    if (!audible(block)) { return; }
    block.classList.add("has-speaker");
    block.appendChild(button(block));
  });
  form.querySelectorAll(".choice").forEach(function (choice) {
    var label = choice.querySelector(".choice-label");
    if (!label || !audible(label)) { return; }
    var row = document.createElement("div");
    row.className = "choice-row";
    choice.parentNode.insertBefore(row, choice);
    row.appendChild(choice);
    row.appendChild(button(label));
  });
  form.querySelectorAll("[data-action=read-screen]").forEach(function (reader) {
    var screen = reader.closest(".screen");
    if (canSpeak || (screen && screen.querySelector("[data-audio]:not([data-audio=''])"))) {
      reader.hidden = false;
      reader.setAttribute("aria-pressed", "false");
    }
  });

  /* What "Read this screen" reads, in reading order: what is shown and can be heard. */
  function screenItems(screen) {
    var parts = Array.prototype.filter.call(screen.querySelectorAll(SPOKEN), function (element) {
      return shown(element) && audible(element);
    });
    return parts.map(itemOf).filter(function (item) { return item.text || item.files.length; });
  }

  form.addEventListener("click", function (event) {
    var control = event.target.closest("[data-action=read-screen], button.speak");
    if (!control) { return; }
    event.preventDefault();
    if (control === pressed) { stop(); return; }  // a second press stops
    if (control.dataset.action === "read-screen") {
      read(screenItems(control.closest(".screen")), control);
    } else {
      read([itemOf(control.spoken)], control);
    }
  });

  // A new screen (patient-form.js moves the "current" class), or leaving the page, stops the reading.
  new MutationObserver(function () {
    if (screenShown && !screenShown.classList.contains("current")) { stop(); }
  }).observe(form, { subtree: true, attributes: true, attributeFilter: ["class"] });
  window.addEventListener("pagehide", stop);
})();
