/* The ward tablet's outbox. A finished questionnaire is written here (only
   then: nothing unfinished ever touches storage), sent to the API, and
   removed only when the server answers 201 (stored) or 200 (already stored).
   It survives reloads and browser restarts (localStorage) and retries with
   backoff whenever the network comes back. It is bounded (docs/patient-flow.md):
   answers for a withdrawn link (404, error on "link") go at once, and no answer
   waits longer than the page's data-outbox-max-days; staff are told how many. */
(function () {
  "use strict";

  var KEY = "peersurvey.outbox.v1";
  // How many answers were deleted because their survey round had closed (410):
  // a number only, so staff are told, and nothing anyone wrote is kept.
  var CLOSED_KEY = "peersurvey.outbox.closed";
  // The same for a withdrawn link, per link ({api: {count, on}}), and for answers
  // that waited too long ({count, days, on}): numbers and dates only.
  var WITHDRAWN_KEY = "peersurvey.outbox.withdrawn";
  var EXPIRED_KEY = "peersurvey.outbox.expired";
  var DEFAULT_MAX_DAYS = 30;
  var MAX_DELAY = 5 * 60 * 1000;
  var sending = false;
  var timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY)) || []; } catch (error) { return []; }
  }
  function save(entries) { window.localStorage.setItem(KEY, JSON.stringify(entries)); }
  function loadRecord(key) {
    try { return JSON.parse(window.localStorage.getItem(key)) || null; } catch (error) { return null; }
  }
  function saveRecord(key, value) {
    if (value) { window.localStorage.setItem(key, JSON.stringify(value)); } else { window.localStorage.removeItem(key); }
  }

  // The tablet's own date, day only: an answer records the day it was queued, never a time.
  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
  }
  function dayNumber(day) {
    var parts = String(day).split("-").map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2]) / 86400000;
  }
  function maxDays() {
    var holder = document.querySelector("[data-outbox-max-days]");
    var days = holder ? parseInt(holder.getAttribute("data-outbox-max-days"), 10) : NaN;
    return days >= 1 ? days : DEFAULT_MAX_DAYS;
  }
  function pageApi() {
    var form = document.querySelector("form[data-api]");
    return form ? form.getAttribute("data-api") : null;
  }

  // Delete every answer queued more than maxDays() days ago, and count it for staff.
  function expire() {
    var entries = load();
    var day = today();
    var limit = maxDays();
    var kept = [];
    var gone = 0;
    var dated = 0;
    entries.forEach(function (entry) {
      // Queued before answers carried their day: their time starts now.
      if (!entry.queued || isNaN(dayNumber(entry.queued))) { entry.queued = day; dated += 1; }
      if (dayNumber(day) - dayNumber(entry.queued) > limit) { gone += 1; } else { kept.push(entry); }
    });
    // Written only on a change: a tablet that never queued anything keeps its storage empty.
    if (gone || dated) { save(kept); }
    if (gone) {
      var record = loadRecord(EXPIRED_KEY) || { count: 0 };
      saveRecord(EXPIRED_KEY, { count: record.count + gone, days: limit, on: day });
    }
  }

  // The server says this link was withdrawn: every answer queued for it goes at once.
  function withdraw(api) {
    var entries = load();
    var kept = entries.filter(function (e) { return e.api !== api; });
    var records = loadRecord(WITHDRAWN_KEY) || {};
    var gone = entries.length - kept.length;
    if (gone) {
      records[api] = { count: (records[api] ? records[api].count : 0) + gone, on: today() };
      save(kept);
      saveRecord(WITHDRAWN_KEY, records);
    }
    if (api === pageApi()) {
      // Through the service worker, which forgets its offline copy of a page that answers 404.
      fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
    }
  }

  // Answers queued on a later day than a notice are going through: staff have had the day to see it.
  function noticesSeen(entry) {
    var queued = dayNumber(entry.queued || today());
    var expired = loadRecord(EXPIRED_KEY);
    if (expired && queued > dayNumber(expired.on)) { saveRecord(EXPIRED_KEY, null); }
    var records = loadRecord(WITHDRAWN_KEY);
    if (!records) { return; }
    Object.keys(records).forEach(function (api) {
      if (api !== pageApi() && queued > dayNumber(records[api].on)) { delete records[api]; }
    });
    saveRecord(WITHDRAWN_KEY, Object.keys(records).length ? records : null);
  }

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
    var records = loadRecord(WITHDRAWN_KEY) || {};
    var withdrawn = 0;
    Object.keys(records).forEach(function (api) { if (api !== pageApi()) { withdrawn += records[api].count; } });
    if (withdrawn) {
      parts.push(counted(ngettext(
        "%(count)s answer could not be sent because its link was withdrawn, so it was deleted from this tablet",
        "%(count)s answers could not be sent because their link was withdrawn, so they were deleted from this tablet",
        withdrawn
      ), withdrawn));
    }
    var expired = loadRecord(EXPIRED_KEY);
    if (expired && expired.count) {
      parts.push(interpolate(ngettext(
        "%(count)s answer waited more than %(days)s days to be sent, so it was deleted from this tablet",
        "%(count)s answers waited more than %(days)s days to be sent, so they were deleted from this tablet",
        expired.count
      ), { count: expired.count, days: expired.days }, true));
    }
    box.querySelector("[data-role=queue-text]").textContent = parts.join(" · ");
    box.hidden = parts.length === 0;
    withdrawnNotice(records[pageApi()]);
  }

  // This page's own link was withdrawn: the notice for staff takes the questionnaire's place.
  function withdrawnNotice(record) {
    var notice = document.querySelector("[data-role=withdrawn]");
    var form = document.querySelector("form[data-api]");
    if (!notice || !form || !record) { return; }
    notice.querySelector("[data-role=withdrawn-text]").textContent = counted(ngettext(
      "%(count)s answer on this tablet could not be sent because this tablet's link was withdrawn. It has been deleted. Ask your survey lead for a new link.",
      "%(count)s answers on this tablet could not be sent because this tablet's link was withdrawn. They have been deleted. Ask your survey lead for a new link.",
      record.count
    ), record.count);
    if (!notice.hidden) { return; }
    var hadFocus = form.contains(document.activeElement);
    form.hidden = true;
    document.querySelectorAll(".idle-dialog").forEach(function (dialog) { dialog.hidden = true; });
    notice.hidden = false;
    if (hadFocus) { notice.querySelector("h2").focus(); }
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
    }).then(function (reply) {
      if (reply.status !== 404) { return { status: reply.status }; }
      // Only this app's word that the link was withdrawn deletes anything; any other 404 keeps the answers.
      return reply.json().then(function (body) {
        return { status: 404, withdrawn: Boolean(body && body.errors && body.errors.link) };
      }, function () { return { status: 404 }; });
    });
  }

  function flush() {
    if (sending) { return Promise.resolve(); }
    expire();
    var pending = load().filter(function (e) { return !e.stuck && (e.next || 0) <= Date.now(); });
    if (!pending.length) { indicator(); return Promise.resolve(); }
    sending = true;
    var chain = Promise.resolve();
    pending.forEach(function (entry) {
      chain = chain.then(function () {
        // Gone meanwhile (its link was withdrawn a moment ago): nothing to send.
        if (!load().some(function (e) { return e.client_id === entry.client_id; })) { return null; }
        return sendOne(entry).then(function (reply) {
          var status = reply.status;
          if (reply.withdrawn) {
            withdraw(entry.api);
            indicator();
            return;
          }
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
            noticesSeen(entry);
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
    entries.push({ api: api, client_id: uuid4(), answers: answers, tries: 0, queued: today() });
    save(entries);
    indicator();
    return flush();
  }

  window.addEventListener("online", function () { flush(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  window.PeerSurveyOutbox = { add: add, flush: flush, count: function () { return load().length; } };

  expire();
  indicator();
  flush();
})();
