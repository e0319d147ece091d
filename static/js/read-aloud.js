/* Read-aloud for the easy-read form, by the device's own speech synthesis
   (Web Speech API; nothing leaves the tablet).

   One "Read this screen to me" button per screen reads the question, its hint,
   the quote and every option shown, in order. A small speaker beside each
   question, hint and option reads just that one; they are for pointing at, so
   they are left out of the Tab order (a keyboard or switch user has the one
   button, not a speaker after every option). No buttons where the browser
   cannot speak. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form || !("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var icon = form.dataset.speakerIcon;
  var lang = document.documentElement.lang || "en-GB";

  function speak(texts) {
    window.speechSynthesis.cancel();
    texts.forEach(function (text) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = 0.9;
      window.speechSynthesis.speak(utterance);
    });
  }

  function button(text) {
    var speaker = document.createElement("button");
    speaker.type = "button";
    speaker.className = "speak";
    speaker.tabIndex = -1;
    speaker.dataset.speak = text;
    var label = text.length > 60 ? text.slice(0, 57) + "…" : text;
    speaker.setAttribute("aria-label", "Read aloud: " + label);
    var image = document.createElement("img");
    image.src = icon;
    image.alt = "";
    image.width = 28;
    image.height = 28;
    speaker.appendChild(image);
    return speaker;
  }

  function textOf(element) { return element.textContent.replace(/\s+/g, " ").trim(); }

  function shown(element) { return !element.closest("[hidden]") && element.getClientRects().length > 0; }

  /* What "Read this screen" says, in reading order. */
  function screenTexts(screen) {
    var parts = screen.querySelectorAll(
      "fieldset.question > legend, .hint, .quote blockquote, .choice-label, .text-question > label, .screen-welcome .intro p, .screen-thanks .intro p"
    );
    return Array.prototype.filter.call(parts, shown).map(textOf).filter(Boolean);
  }

  form.querySelectorAll("fieldset.question > legend, .text-question > label").forEach(function (heading) {
    var row = document.createElement("div");
    row.className = "speak-row";
    heading.parentNode.insertBefore(row, heading.nextSibling);
    row.appendChild(button(textOf(heading)));
  });
  form.querySelectorAll(".hint, .quote blockquote, .screen-welcome .intro p, .screen-thanks .intro p").forEach(function (block) {
    block.classList.add("has-speaker");
    block.appendChild(button(textOf(block)));
  });
  form.querySelectorAll(".choice").forEach(function (choice) {
    var row = document.createElement("div");
    row.className = "choice-row";
    choice.parentNode.insertBefore(row, choice);
    row.appendChild(choice);
    row.appendChild(button(textOf(choice.querySelector(".choice-label"))));
  });
  form.querySelectorAll("[data-action=read-screen]").forEach(function (reader) { reader.hidden = false; });

  form.addEventListener("click", function (event) {
    var reader = event.target.closest("[data-action=read-screen]");
    if (reader) {
      event.preventDefault();
      speak(screenTexts(reader.closest(".screen")));
      return;
    }
    var speaker = event.target.closest("button.speak");
    if (!speaker) { return; }
    event.preventDefault();
    speak([speaker.dataset.speak]);
  });
})();
