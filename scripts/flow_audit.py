#!/usr/bin/env python
"""Audit the easy-read patient flow on a ward tablet (kiosk) link in headless Chromium.

    scripts/flow_audit.py --url http://127.0.0.1:8000/c/<token>/ \\
        [--output test-artifacts/flow-audit.json] [--screenshots test-artifacts]

For each viewport (default 768x1024, 768x950 and 390x844) it measures:

- every screen of the flow (section.screen; the shown one has class `current`): its
  title (progress text and question), whether the forward button (data-action start or
  next, or the submit button) is wholly inside the viewport without scrolling, the page
  height, and the Tab stops in the screen (Tab pressed from the screen's start, distinct
  focused elements counted until focus leaves the screen);
- keyboard only (Tab, Shift+Tab, Space, Enter; no arrow keys, no mouse): which options
  of the first one-choice question (or --question) can be chosen, and the key presses to
  finish the survey answering that question with its first option and skipping the rest,
  pressing Tab only, and at the fewest (Tab or Shift+Tab, whichever is shorter, each time);
  how Tab treats a radio group is Chromium's;
- the Change trap: Change on the check screen's first answer, then Next: where that
  lands and how many Next presses lead back to the check screen;
- Skip: choose an option, write in the screen's text box, Skip, Back: what survived
  (a confirm dialog after Skip, data-action skip-keep / skip-clear, is tried both ways);
- the thank-you screen's wipe: seconds from Finish until the welcome screen is back.

Buttons are found by data-action, never by position, so it runs against a changed flow
too and reports what it found there instead of failing (a step that cannot go on is
reported under its name as "error"; summary.errors lists them). Answers the flow sends
to the API are answered by the script (201) and not stored, unless --store-responses;
the report shows what was sent. Pages run with prefers-reduced-motion, so a screen is
measured where it settles. Needs Playwright (the dev extras) and Debian's Chromium
(/usr/bin/chromium, or --chromium / CHROMIUM_PATH). Prints the JSON report (and writes
it to --output); about three minutes for the three viewports.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

DEFAULT_VIEWPORTS = "768x1024,768x950,390x844"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
MAX_SCREENS = 80  # more steps than any flow has: a loop that never reaches the end stops here
SKIP_CONFIRM = ("skip-clear", "skip-keep")

# Injected into every page (window.__audit); it only reads the page, apart from focusing
# a screen that the flow itself did not focus before Tab stops are counted.
HELPERS_JS = r"""
window.__audit = (() => {
  const ids = new WeakMap();
  let nextId = 1;
  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();
  const text = (el) => (el ? squash(el.innerText || el.textContent) : "");
  const visible = (el) => !!el && !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== "hidden";
  const screens = () => Array.from(document.querySelectorAll("section.screen"));
  const current = () => document.querySelector("section.screen.current");
  const idOf = (el) => { if (!ids.has(el)) { ids.set(el, nextId++); } return ids.get(el); };
  const labelOf = (el) => {
    const label = el.closest("label") || (el.labels && el.labels[0]);
    return text(label) || squash(el.getAttribute("aria-label")) || text(el);
  };
  const firstVisible = (scope, selector) => Array.from((scope || document).querySelectorAll(selector)).find(visible) || null;
  const forward = (screen) => {
    screen = screen || current();
    if (!screen) { return null; }
    return firstVisible(screen, '[data-action="next"]') || firstVisible(screen, '[data-action="start"]')
      || firstVisible(screen, 'button[type="submit"], input[type="submit"]');
  };
  const dialog = () => {
    const box = firstVisible(document, 'dialog[open], [role="dialog"], [role="alertdialog"]');
    const confirm = firstVisible(document, '[data-action="skip-keep"], [data-action="skip-clear"]');
    if (!box && !confirm) { return null; }
    const scope = box || confirm.parentElement;
    return {
      text: text(box || scope).slice(0, 300),
      buttons: Array.from(scope.querySelectorAll("button, [data-action]")).filter(visible)
        .map((b) => ({ action: b.dataset.action || null, label: text(b) || squash(b.getAttribute("aria-label")) })),
    };
  };
  const group = (question) => {
    const sets = Array.from(document.querySelectorAll("fieldset")).filter((f) => f.querySelector('input[type="radio"]'));
    if (!question) { return sets[0] || null; }
    return sets.find((f) => text(f.querySelector("legend")).includes(question)) || null;
  };
  const describe = (el) => {
    if (!el || el === document.body || el === document.documentElement) { return "(page)"; }
    let d = el.tagName.toLowerCase();
    if (el.type && el.tagName !== "BUTTON") { d += "[" + el.type + "]"; }
    if (el.name && el.tagName === "INPUT") { d += " " + el.name + "=" + el.value; }
    if (el.dataset && el.dataset.action) { d += " [" + el.dataset.action + "]"; }
    if (el.classList && el.classList.contains("speak")) { d += ".speak"; }
    if (el.tagName === "SECTION") { d += " (screen " + (el.dataset.screen || "") + ")"; }
    const label = el.tagName === "SECTION" ? "" : labelOf(el);
    return label ? d + " '" + label.slice(0, 50) + "'" : d;
  };
  return {
    visible, text, forward, dialog, group,
    state() {
      const s = current();
      const all = screens();
      if (!s) { return { index: -1, name: null, title: "", progress: "", question: "", screens: all.length }; }
      const progress = text(s.querySelector(".progress-text"));
      const heading = s.querySelector("fieldset legend, .text-question label, label.text-label, h2, h1");
      const question = text(heading);
      return {
        index: all.indexOf(s), name: s.dataset.screen || null, progress, question,
        title: [progress, question].filter(Boolean).join(" | "), screens: all.length,
        focused: document.activeElement === s,
      };
    },
    layout() {
      const s = current();
      const f = forward(s);
      const rect = f ? f.getBoundingClientRect() : null;
      return {
        forward: f ? { action: f.dataset.action || f.type, label: text(f) } : null,
        forward_top: rect ? Math.round(rect.top) : null,
        forward_bottom: rect ? Math.round(rect.bottom) : null,
        forward_visible: rect ? rect.top >= 0 && rect.bottom <= window.innerHeight : null,
        inner_height: window.innerHeight,
        scroll_y: Math.round(window.scrollY),
        page_height: document.documentElement.scrollHeight,
        focusable: s ? Array.from(s.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
          .filter((el) => el !== s && visible(el) && !el.disabled && el.getAttribute("tabindex") !== "-1").length : 0,
      };
    },
    focusScreen() {
      const s = current();
      if (!s) { return false; }
      if (document.activeElement === s) { return true; }
      if (!s.hasAttribute("tabindex")) { s.setAttribute("tabindex", "-1"); }
      s.focus({ preventScroll: true });
      return false;
    },
    active() {
      const el = document.activeElement;
      const s = current();
      return { id: el ? idOf(el) : null, inScreen: !!(s && el && el !== s && s.contains(el)), desc: describe(el) };
    },
    // Is the focused element the one asked for? kind: action | forward | submit | option.
    activeIs(kind, arg, question) {
      const el = document.activeElement;
      if (!el || el === document.body) { return false; }
      if (kind === "action") { return el.dataset.action === arg && visible(el); }
      if (kind === "forward") { return el === forward(); }
      if (kind === "submit") { return el.type === "submit" && !!current() && current().contains(el); }
      if (kind === "option") {
        const g = group(question);
        return !!g && g.contains(el) && !el.classList.contains("speak") && labelOf(el) === arg;
      }
      return false;
    },
    options(question) {
      const g = group(question);
      if (!g) { return null; }
      const screen = g.closest("section.screen");
      return {
        question: text(g.querySelector("legend")),
        screen: screens().indexOf(screen),
        options: Array.from(g.querySelectorAll('input[type="radio"]')).map(labelOf),
      };
    },
    chosen(question) {
      const g = group(question);
      if (!g) { return []; }
      const picked = Array.from(g.querySelectorAll("input:checked")).map(labelOf);
      g.querySelectorAll('[aria-checked="true"], [aria-pressed="true"]').forEach((el) => picked.push(labelOf(el)));
      return picked;
    },
  };
})();
"""


class Audit:
    """One viewport's run: a fresh browser context, pages loaded from the kiosk link."""

    def __init__(self, browser, url: str, viewport: tuple[int, int], args):
        self.url = url
        self.viewport = viewport
        self.args = args
        self.sent: list[Any] = []
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            # The outbox sends from the page; no service worker to answer in its place.
            service_workers="block",
            # Bootstrap's smooth scrolling (and any transition) ends where it would anyway, at once:
            # a screen is measured as a person sees it once it has settled, never half-way.
            reduced_motion="reduce",
        )
        self.context.add_init_script(HELPERS_JS)
        self.context.route("**/*", self._route)
        self.page: Page = self.context.new_page()

    def close(self) -> None:
        self.context.close()

    def _route(self, route, request) -> None:
        if request.method == "POST" and request.resource_type in ("fetch", "xhr"):
            try:
                self.sent.append(json.loads(request.post_data or "null"))
            except ValueError:
                self.sent.append(request.post_data)
            if not self.args.store_responses:
                route.fulfill(status=201, content_type="application/json", body='{"stored": true}')
                return
        route.continue_()

    # ---- page state ----

    def load(self) -> dict:
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_function("() => window.__audit && document.querySelector('section.screen.current')", timeout=10000)
        return self.state()

    def state(self) -> dict:
        return self.page.evaluate("() => __audit.state()")

    def dialog(self) -> dict | None:
        return self.page.evaluate("() => __audit.dialog()")

    def settle(self, before: dict, timeout: float = 2.0) -> dict:
        """Wait until the shown screen changes (or a dialog opens); the new state."""
        try:
            self.page.wait_for_function(
                "i => __audit.state().index !== i || __audit.dialog() !== null", arg=before["index"], timeout=timeout * 1000
            )
        except PlaywrightTimeout:
            pass
        return self.state()

    def settle_scroll(self, timeout: float = 3.0) -> None:
        """Wait for a scroll to end (the same scrollY three times, 100 ms apart)."""
        readings: list[float] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readings.append(self.page.evaluate("() => window.scrollY"))
            if len(readings) >= 3 and readings[-1] == readings[-2] == readings[-3]:
                return
            self.page.wait_for_timeout(100)

    def click(self, selector: str) -> dict:
        """Click the first visible match inside the current screen; the state after."""
        before = self.state()
        target = self.page.locator(f"section.screen.current {selector}").locator("visible=true").first
        target.click(timeout=3000)
        return self.settle(before)

    def click_forward(self) -> dict:
        before = self.state()
        handle = self.page.evaluate_handle("() => __audit.forward()")
        element = handle.as_element()
        if element is None:
            raise RuntimeError(f"no forward button on screen {before['index']} ({before['title']})")
        element.click(timeout=3000)
        return self.settle(before)

    def walk_to(self, predicate, limit: int = MAX_SCREENS) -> tuple[dict, int]:
        """Press forward until predicate(state) holds; the state and the presses it took."""
        state = self.state()
        presses = 0
        while not predicate(state):
            if presses >= limit:
                raise RuntimeError(f"not reached after {limit} forward presses (at {state['title']!r})")
            after = self.click_forward()
            presses += 1
            if after["index"] == state["index"] and not self.dialog():
                raise RuntimeError(f"forward did not move on from {state['title']!r}")
            state = after
        return state, presses

    # ---- keyboard ----

    def tab_stops(self) -> dict:
        """Tab from the screen's start; the distinct elements focused before focus leaves it."""
        focused_by_flow = self.page.evaluate("() => __audit.focusScreen()")
        seen: list[int] = []
        sequence: list[str] = []
        left_by = "limit"
        for _ in range(self.args.max_tabs):
            self.page.keyboard.press("Tab")
            active = self.page.evaluate("() => __audit.active()")
            if not active["inScreen"]:
                left_by = f"left the screen to {active['desc']}"
                break
            if active["id"] in seen:
                left_by = "cycled within the screen"
                break
            seen.append(active["id"])
            sequence.append(active["desc"])
        return {"tab_stops": len(seen), "tab_sequence": sequence, "tab_end": left_by, "screen_focused_on_show": focused_by_flow}

    def tab_to(self, kind: str, arg: str | None, keys: list[str], key: str = "Tab") -> bool:
        """Press Tab (or Shift+Tab) until the focused element is the one asked for."""
        for _ in range(self.args.max_tabs):
            self.page.keyboard.press(key)
            keys.append(key)
            if self.page.evaluate("([k, a, q]) => __audit.activeIs(k, a, q)", [kind, arg, self.args.question]):
                return True
        return False

    def reach(self, kind: str, arg: str | None, keys: list[str], shortest: bool = False) -> bool:
        """Tab to the element asked for; with shortest, by Tab or Shift+Tab, whichever takes fewer."""
        if not shortest:
            return self.tab_to(kind, arg, keys)
        start = self.page.evaluate_handle("() => document.activeElement")
        counts = {}
        for key in ("Tab", "Shift+Tab"):
            probe: list[str] = []
            if self.tab_to(kind, arg, probe, key=key):
                counts[key] = len(probe)
            # Back to where focus was (and so the browser's Tab starting point): the probe is not counted.
            self.page.evaluate(
                "el => el && el !== document.body ? el.focus({ preventScroll: true }) : document.activeElement.blur()", start
            )
        if not counts:
            return False
        return self.tab_to(kind, arg, keys, key=min(counts, key=counts.get))

    def press(self, key: str, keys: list[str]) -> dict:
        before = self.state()
        self.page.keyboard.press(key)
        keys.append(key)
        return self.settle(before, timeout=1.0)


# ---- the measurements ----


def screen_walk(audit: Audit, shots: Path | None) -> dict:
    """Every screen by its forward button, Finish on the check screen, then the wipe."""
    page = audit.page
    state = audit.load()
    screens: list[dict] = []
    first_question_shot = False
    wipe: dict = {}
    finished_at = time.monotonic()
    for _ in range(MAX_SCREENS):
        entry = {"index": state["index"], "screen": state["name"], "title": state["title"]}
        if state["name"] != "thanks":  # the wipe is timed from Finish: nothing to wait for there
            audit.settle_scroll()
        entry.update(page.evaluate("() => __audit.layout()"))
        if shots is not None:
            tag = None
            if state["name"] in ("question", "about") and not first_question_shot:
                tag, first_question_shot = "question-1", True
            elif state["name"] == "check":
                tag = "check"
            if tag:
                page.mouse.move(0, 0)  # no hover left on whatever was under the last click
                path = shots / f"{audit.args.prefix}-{audit.viewport[0]}x{audit.viewport[1]}-{tag}.png"
                page.screenshot(path=str(path))
                entry["screenshot"] = str(path)
        screens.append(entry)
        if state["name"] == "thanks":
            # No key or pointer here: the wipe is timed untouched; Tab stops come from the keyboard run.
            wipe = wipe_delay(audit, started=finished_at)
            break
        entry.update(audit.tab_stops())
        page.evaluate("() => window.scrollTo(0, 0)")
        try:
            finished_at = time.monotonic()
            after = audit.click_forward()
        except (RuntimeError, PlaywrightError) as error:
            entry["stopped"] = str(error).splitlines()[0]
            break
        if after["index"] == state["index"]:
            entry["stopped"] = f"forward did not move on; dialog: {audit.dialog()}"
            break
        state = after
    return {"screens": screens, "wipe": wipe}


def wipe_delay(audit: Audit, started: float) -> dict:
    cap = audit.args.wipe_cap
    try:
        audit.page.wait_for_function("() => __audit.state().name === 'welcome'", timeout=cap * 1000, polling=100)
    except PlaywrightTimeout:
        return {"seconds": None, "note": f"welcome screen not back within {cap} s"}
    return {"seconds": round(time.monotonic() - started, 1)}


def keyboard_options(audit: Audit) -> dict:
    """Which options of the first one-choice question Tab, Shift+Tab, Space and Enter can choose."""
    audit.load()
    found = audit.page.evaluate("q => __audit.options(q)", audit.args.question)
    if not found:
        return {"error": "no one-choice (radio) question found"}
    results = {}
    for option in found["options"]:
        results[option] = choose_by_keyboard(audit, found["screen"], option)
    return {"question": found["question"], "options": results}


def keyboard_to_screen(audit: Audit, index: int, keys: list[str]) -> dict:
    """From the welcome screen to screen `index`, Tab to the forward button and Enter each time."""
    state = audit.state()
    for _ in range(MAX_SCREENS):
        if state["index"] == index:
            return state
        if not audit.tab_to("forward", None, keys):
            raise RuntimeError(f"Tab never reached the forward button on {state['title']!r}")
        after = audit.press("Enter", keys)
        if after["index"] == state["index"]:
            raise RuntimeError(f"Enter on the forward button did not move on from {state['title']!r}")
        state = after
    raise RuntimeError(f"screen {index} not reached")


def choose_by_keyboard(audit: Audit, screen: int, option: str) -> dict:
    tried = []
    for direction in ("Tab", "Shift+Tab"):
        audit.load()
        keys: list[str] = []
        try:
            keyboard_to_screen(audit, screen, keys)
            if direction == "Shift+Tab" and not audit.tab_to("forward", None, keys):
                tried.append("Shift+Tab: the forward button was never reached to start from")
                continue
            navigated = len(keys)
            if not audit.tab_to("option", option, keys, key=direction):
                tried.append(f"{direction}: never focused")
                continue
            for key in ("Space", "Enter"):
                audit.page.keyboard.press(key)
                keys.append(key)
                if option in audit.page.evaluate("q => __audit.chosen(q)", audit.args.question):
                    return {"choosable": True, "how": keys_summary(keys[navigated:]), "tried": tried}
            tried.append(f"{direction}: focused, but Space and Enter did not choose it")
        except (RuntimeError, PlaywrightError) as error:
            tried.append(f"{direction}: {str(error).splitlines()[0]}")
    return {"choosable": False, "tried": tried}


def keys_summary(keys: list[str]) -> str:
    runs: list[list] = []
    for key in keys:
        if runs and runs[-1][0] == key:
            runs[-1][1] += 1
        else:
            runs.append([key, 1])
    return ", ".join(f"{key} x{n}" if n > 1 else key for key, n in runs)


def keyboard_run(audit: Audit, shortest: bool = False) -> dict:
    """Answer the first one-choice question with its first option, Skip the rest, Finish: keys only.

    Tab only (as most people would), or with shortest Tab or Shift+Tab, whichever is fewer, each time."""
    audit.load()
    audit.sent.clear()
    found = audit.page.evaluate("q => __audit.options(q)", audit.args.question) or {}
    answer = found["options"][0] if found.get("options") else None
    keys: list[str] = []
    steps: list[dict] = []
    notes: list[str] = []
    state = audit.state()
    result: dict = {"answer": f"{found.get('question')} -> {answer}"}
    try:
        for _ in range(MAX_SCREENS):
            mark = len(keys)
            name = state["name"]
            if name == "thanks":
                break
            if name == "welcome":
                target = ("action", "start")
            elif name == "check":
                target = ("submit", None)
            elif state["index"] == found.get("screen") and answer:
                if not audit.reach("option", answer, keys, shortest):
                    raise RuntimeError(f"Tab never reached {answer!r}")
                audit.page.keyboard.press("Space")
                keys.append("Space")
                if answer not in audit.page.evaluate("q => __audit.chosen(q)", audit.args.question):
                    notes.append(f"Space did not choose {answer!r}")
                target = ("forward", None)
            else:
                has_skip = audit.page.evaluate("() => !!document.querySelector('section.screen.current [data-action=skip]')")
                target = ("action", "skip") if has_skip else ("forward", None)
            if not audit.reach(target[0], target[1], keys, shortest):
                raise RuntimeError(f"Tab never reached {target} on {state['title']!r}")
            after = audit.press("Enter", keys)
            box = audit.dialog()
            if box and after["index"] == state["index"]:
                notes.append(f"dialog on {state['title']!r}: {box['text'][:80]!r}")
                action = next((b["action"] for b in box["buttons"] if b["action"] in SKIP_CONFIRM), None)
                if action is None or not audit.reach("action", action, keys, shortest):
                    raise RuntimeError(f"could not answer the dialog {box}")
                after = audit.press("Enter", keys)
            if after["index"] == state["index"]:
                raise RuntimeError(f"Enter did not move on from {state['title']!r}")
            steps.append({"screen": state["title"] or name, "keys": keys_summary(keys[mark:]), "presses": len(keys) - mark})
            state = after
        else:
            raise RuntimeError("the thank-you screen was never reached")
    except (RuntimeError, PlaywrightError) as error:
        result["error"] = str(error).splitlines()[0]
    result.update(
        {
            "finished": state["name"] == "thanks",
            "key_presses": len(keys),
            "by_key": {key: keys.count(key) for key in sorted(set(keys))},
            "steps": steps,
            "notes": notes,
        }
    )
    audit.page.wait_for_timeout(500)
    result["sent"] = list(audit.sent)
    if state["name"] == "thanks" and not shortest:
        # The thank-you screen's own Tab stops (the screen walk leaves it untouched).
        result["thanks_tab_stops"] = audit.tab_stops()
    return result


def change_trap(audit: Audit) -> dict:
    """Change the first answer on the check screen, then Next: where to, and how far back."""
    audit.load()
    state, presses = audit.walk_to(lambda s: s["name"] == "check")
    result: dict = {"forward_presses_to_check": presses}
    changes = audit.page.locator("section.screen.current [data-action=change]")
    result["change_buttons"] = changes.count()
    if not result["change_buttons"]:
        return {**result, "error": "no Change button on the check screen"}
    label = changes.first.get_attribute("aria-label") or changes.first.inner_text()
    state = audit.click("[data-action=change]")
    result["change_pressed"] = label
    result["after_change"] = state["title"]
    result["forward_label_there"] = audit.page.evaluate("() => { const f = __audit.forward(); return f && __audit.text(f); }")
    state = audit.click_forward()
    result["after_next"] = state["title"] or state["name"]
    result["back_on_check_after_one_next"] = state["name"] == "check"
    state, more = audit.walk_to(lambda s: s["name"] == "check")
    result["more_next_presses_to_check"] = more
    result["next_presses_in_all"] = more + 1
    return result


def skip_survival(audit: Audit) -> dict:
    """Choose, write, Skip, Back: does the answer (and the text) survive?"""
    audit.load()
    state, _ = audit.walk_to(
        lambda s: audit.page.evaluate(
            "() => !!document.querySelector('section.screen.current input[type=radio], section.screen.current input[type=checkbox]')"
        )
    )
    probe = audit_skip_once(audit, None)
    if not probe.get("dialog"):
        return probe
    # A confirm dialog after Skip: try each of its answers on a fresh page.
    results = {"dialog": probe["dialog"]}
    for action in SKIP_CONFIRM:
        if any(b["action"] == action for b in probe["dialog"]["buttons"]):
            audit.load()
            audit.walk_to(lambda s, index=state["index"]: s["index"] == index)
            results[action] = audit_skip_once(audit, action)
    return results


def audit_skip_once(audit: Audit, confirm: str | None) -> dict:
    page = audit.page
    start = audit.state()
    choice = page.locator("section.screen.current input[type=radio], section.screen.current input[type=checkbox]").first
    name, value = choice.get_attribute("name"), choice.get_attribute("value")
    try:
        choice.check(timeout=3000)
    except PlaywrightError:
        choice.check(force=True)
    visible_area = page.locator("section.screen.current textarea").locator("visible=true").first
    text = "Written before Skip"
    has_text = visible_area.count() > 0
    if has_text:
        area_name = visible_area.get_attribute("name")
        visible_area.fill(text)
    result: dict = {"screen": start["title"], "chose": f"{name}={value}", "wrote_text": has_text}
    after = audit.click("[data-action=skip]")
    box = audit.dialog()
    if box and after["index"] == start["index"]:
        if confirm is None:
            return {**result, "dialog": box}
        result["confirmed_with"] = confirm
        before = audit.state()
        page.locator(f"[data-action={confirm}]").locator("visible=true").first.click()
        after = audit.settle(before)
    result["after_skip"] = after["title"] or after["name"]
    after = audit.click("[data-action=back]")
    result["after_back"] = after["title"] or after["name"]
    result["back_on_same_screen"] = after["index"] == start["index"]
    checked = page.locator(f'input[name="{name}"][value="{value}"]').first.is_checked()
    result["answer_survived"] = checked
    if has_text:
        result["text_survived"] = page.locator(f'textarea[name="{area_name}"]').first.input_value() == text
    return result


def run_viewport(browser, url: str, viewport: tuple[int, int], args, shots: Path | None) -> dict:
    audit = Audit(browser, url, viewport, args)
    report: dict = {}
    tests = [
        ("walk", lambda: screen_walk(audit, shots)),
        ("keyboard_options", lambda: keyboard_options(audit)),
        ("keyboard_run", lambda: keyboard_run(audit)),
        ("keyboard_run_shortest", lambda: keyboard_run(audit, shortest=True)),
        ("change_trap", lambda: change_trap(audit)),
        ("skip", lambda: skip_survival(audit)),
    ]
    try:
        for name, test in tests:
            try:
                report[name] = test()
            except (RuntimeError, PlaywrightError) as error:
                report[name] = {"error": str(error).splitlines()[0]}
    finally:
        audit.close()
    walk = report.get("walk", {})
    screens = walk.pop("screens", [])
    thanks_tabs = report.get("keyboard_run", {}).pop("thanks_tab_stops", None)
    for entry in screens:
        if entry["screen"] == "thanks" and thanks_tabs:
            entry.update(thanks_tabs)
    return {"screens": screens, **report, "wipe": walk.get("wipe"), "summary": summarise(screens, report, walk)}


def summarise(screens: list[dict], report: dict, walk: dict) -> dict:
    below = [s["title"] or s["screen"] for s in screens if s.get("forward") and not s["forward_visible"]]
    with_forward = [s for s in screens if s.get("forward")]
    questions = [s["tab_stops"] for s in screens if s["screen"] in ("question", "about") and "tab_stops" in s]
    every = [s["tab_stops"] for s in screens if "tab_stops" in s]
    options = report.get("keyboard_options", {}).get("options", {})
    run = report.get("keyboard_run", {})
    shortest = report.get("keyboard_run_shortest", {})
    trap = report.get("change_trap", {})
    skip = report.get("skip", {})
    if "dialog" in skip:
        skip_summary = {
            k: {"answer_survived": v.get("answer_survived"), "text_survived": v.get("text_survived")}
            for k, v in skip.items()
            if k in SKIP_CONFIRM
        }
        skip_summary["dialog"] = True
    else:
        skip_summary = {"answer_survived": skip.get("answer_survived"), "text_survived": skip.get("text_survived")}
    return {
        "screens": len(screens),
        "screens_with_forward_button": len(with_forward),
        "forward_below_fold": len(below),
        "forward_below_fold_screens": below,
        "page_height_max": max((s["page_height"] for s in screens), default=None),
        "tab_stops_question_screens": [min(questions), max(questions)] if questions else None,
        "tab_stops_all_screens": [min(every), max(every)] if every else None,
        "keyboard_choosable": {option: result["choosable"] for option, result in options.items()},
        "keyboard_presses_to_finish": run.get("key_presses") if run.get("finished") else None,
        "keyboard_presses_to_finish_shortest": shortest.get("key_presses") if shortest.get("finished") else None,
        "change_trap_next_presses_back_to_check": trap.get("next_presses_in_all"),
        "change_trap_after_next": trap.get("after_next"),
        "skip": skip_summary,
        "wipe_seconds": (walk.get("wipe") or {}).get("seconds"),
        "errors": {name: part["error"] for name, part in report.items() if isinstance(part, dict) and "error" in part},
    }


def parse_viewports(value: str) -> list[tuple[int, int]]:
    sizes = []
    for item in value.split(","):
        width, _, height = item.strip().partition("x")
        sizes.append((int(width), int(height)))
    return sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a kiosk patient link, e.g. http://127.0.0.1:8000/c/<token>/")
    parser.add_argument("--viewports", default=DEFAULT_VIEWPORTS, help=f"WxH,... (default {DEFAULT_VIEWPORTS})")
    parser.add_argument("--output", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--screenshots", type=Path, help="save question-1 and check screenshots per viewport here")
    parser.add_argument("--prefix", default="flow-audit", help="screenshot file name prefix (default flow-audit)")
    parser.add_argument("--question", help="legend text of the one-choice question to try (default: the first)")
    parser.add_argument("--wipe-cap", type=float, default=60, help="seconds to wait for the wipe (default 60)")
    parser.add_argument("--max-tabs", type=int, default=80, help="most Tab presses in one search (default 80)")
    parser.add_argument("--store-responses", action="store_true", help="let answers through to the API (stored)")
    parser.add_argument(
        "--chromium",
        default=os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium",
        help="Chromium to drive (default /usr/bin/chromium)",
    )
    args = parser.parse_args(argv)
    viewports = parse_viewports(args.viewports)
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "url": args.url,
        "date": datetime.date.today().isoformat(),
        "viewports": {},
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        report["chromium"] = browser.version
        try:
            for viewport in viewports:
                key = f"{viewport[0]}x{viewport[1]}"
                print(f"auditing {key} ...", file=sys.stderr)
                report["viewports"][key] = run_viewport(browser, args.url, viewport, args, args.screenshots)
        finally:
            browser.close()
    report["summary"] = {key: result["summary"] for key, result in report["viewports"].items()}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
