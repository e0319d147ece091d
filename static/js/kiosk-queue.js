/* The ward tablet's outbox. A finished questionnaire is written here (only
   then: nothing unfinished ever touches storage), sent to the API, and
   removed only when the server answers 201 (stored) or 200 (already stored).
   It survives reloads and browser restarts (localStorage) and retries with
   backoff whenever the network comes back. */
(function () {
  "use strict";

  var KEY = "peersurvey.outbox.v1";
  // How many answers were deleted because their survey round had closed (410):
  // a number only, so staff are told, and nothing anyone wrote is kept.
  var CLOSED_KEY = "peersurvey.outbox.closed";
  var MAX_DELAY = 5 * 60 * 1000;
  var sending = false;
  var timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || []; } catch (error) { return []; }
  }
  function save(entries) { window.localStorage.setItem(KEY, JSON.stringify(entries)); }

  function uuid4() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function counted(text, count) { return interpolate(text, { count: count }, true); }

  function indicator() {
    var box = document.querySelector("[data-role=queue]");
    if (!box) { return; }
    var entries = load();
    var waiting = entries.filter(function (e) { return !e.stuck; }).length;
    var stuck = entries.length - waiting;
    var closed = parseInt(window.localStorage.getItem(CLOSED_KEY) || "0", 10) || 0;
    var parts = [];
    if (waiting) { parts.push(counted(ngettext("%(count)s waiting to send", "%(count)s waiting to send", waiting), waiting)); }
    if (stuck) { parts.push(counted(ngettext("%(count)s could not be sent: ask IT", "%(count)s could not be sent: ask IT", stuck), stuck)); }
    if (closed) {
      parts.push(counted(ngettext(
        "%(count)s answer could not be sent because the survey round had closed, so it was deleted from this tablet",
        "%(count)s answers could not be sent because the survey round had closed, so they were deleted from this tablet",
        closed
      ), closed));
    }
    box.querySelector("[data-role=queue-text]").textContent = parts.join(" · ");
    box.hidden = entries.length === 0 && !closed;
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, delay);
  }

  function sendOne(entry) {
    return fetch(entry.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "omit",
      cache: "no-store",
      body: JSON.stringify({ client_id: entry.client_id, answers: entry.answers })
    }).then(function (reply) { return reply.status; });
  }

  function flush() {
    if (sending) { return Promise.resolve(); }
    var pending = load().filter(function (e) { return !e.stuck && (e.next || 0) <= Date.now(); });
    if (!pending.length) { indicator(); return Promise.resolve(); }
    sending = true;
    var chain = Promise.resolve();
    pending.forEach(function (entry) {
      chain = chain.then(function () {
        return sendOne(entry).then(function (status) {
          var entries = load();
          var index = entries.findIndex(function (e) { return e.client_id === entry.client_id; });
          if (index < 0) { return; }
          if (status === 410) {
            // The round is over and will never take them: delete, and say so.
            entries.splice(index, 1);
            var closed = parseInt(window.localStorage.getItem(CLOSED_KEY) || "0", 10) || 0;
            window.localStorage.setItem(CLOSED_KEY, String(closed + 1));
          } else if (status === 201 || status === 200) {
            entries.splice(index, 1);
            // Answers are going through again (a new round's link): the old notice has been seen.
            window.localStorage.removeItem(CLOSED_KEY);
          } else if (status === 429 || status >= 500) {
            throw new Error("busy: " + status);
          } else {
            // 400/404/409 will never succeed: keep the answers, stop retrying, tell staff.
            entries[index].stuck = status;
          }
          save(entries);
          indicator();
        });
      });
    });
    return chain.catch(function () {
      var entries = load();
      var tries = 0;
      entries.forEach(function (e) {
        if (!e.stuck) {
          e.tries = (e.tries || 0) + 1;
          tries = Math.max(tries, e.tries);
        }
      });
      save(entries);
      var delay = Math.min(MAX_DELAY, 2000 * Math.pow(2, tries - 1)) * (0.8 + Math.random() * 0.4);
      schedule(delay);
    }).then(function () {
      sending = false;
      indicator();
      if (load().some(function (e) { return !e.stuck; })) { schedule(MAX_DELAY); }
    });
  }

  function add(api, answers) {
    var entries = load();
    entries.push({ api: api, client_id: uuid4(), answers: answers, tries: 0 });
    save(entries);
    indicator();
    return flush();
  }

  window.addEventListener("online", function () { flush(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.PeerSurveyOutbox = { add: add, flush: flush, count: function () { return load().length; } };

  indicator();
  flush();
})();
