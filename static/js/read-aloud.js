/* Read-aloud for the easy-read form: a speaker button beside every question,
   hint and option, spoken by the device's own speech synthesis (Web Speech
   API; nothing leaves the tablet). No buttons where the browser has none. */
(function () {
  "use strict";

  var form = document.getElementById("survey");
  if (!form || !("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var icon = form.dataset.speakerIcon;

  function speak(text) {
    window.speechSynthesis.cancel();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "en-GB";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  function button(text) {
    var speaker = document.createElement("button");
    speaker.type = "button";
    speaker.className = "speak";
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

  form.addEventListener("click", function (event) {
    var speaker = event.target.closest("button.speak");
    if (!speaker) { return; }
    event.preventDefault();
    speak(speaker.dataset.speak);
  });
})();
