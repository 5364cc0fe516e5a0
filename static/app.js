// Small behaviours on top of server-rendered pages; everything works without this file.
(function () {
  "use strict";

  var returnTimer = null;
  var idle = { timer: null, countdown: null, target: null };

  // Leave for a kiosk screen, but never into the browser's error page: while the kiosk's
  // own server does not answer, show "one moment" and go when it is back.
  function goTo(url) {
    var overlay = document.getElementById("one-moment");
    if (!overlay || !window.fetch) { window.location.replace(url); return; }
    whenReachable(url, function () { window.location.replace(url); });
  }

  function whenReachable(url, then) {
    var overlay = document.getElementById("one-moment");
    window.fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (answer) {
      if (answer.status < 500) {
        if (overlay) { overlay.hidden = true; }
        then();
        return;
      }
      throw new Error("server error " + answer.status);
    }).catch(function () {
      if (overlay) { overlay.hidden = false; }
      setTimeout(function () { whenReachable(url, then); }, 2000);
    });
  }

  function clearIdle() {
    if (idle.timer) { clearTimeout(idle.timer); idle.timer = null; }
    if (idle.countdown) { clearInterval(idle.countdown); idle.countdown = null; }
    var box = document.getElementById("still-there");
    if (box) { box.hidden = true; }
  }

  // A kiosk question left alone first asks "still there?", then returns to the start, so
  // the next person never meets the last one's half-given answers. Any touch, key or typing
  // restarts the count (and a touch on the question closes the question, nothing else).
  function armIdle() {
    var element = document.querySelector("[data-idle-reset]");
    clearIdle();
    idle.target = element ? element.getAttribute("data-return-to") : null;
    if (!idle.target) { return; }
    var seconds = parseInt(element.getAttribute("data-idle-reset"), 10) || 90;
    var warning = parseInt(element.getAttribute("data-still-there"), 10) || 0;
    idle.timer = setTimeout(function () { stillThere(warning); }, seconds * 1000);
  }

  function stillThere(seconds) {
    var box = document.getElementById("still-there");
    if (!box || seconds <= 0) { clearIdle(); goTo(idle.target); return; }
    var out = box.querySelector(".overlay-countdown");
    var template = out ? out.getAttribute("data-template") || "{seconds}" : "";
    var left = seconds;
    var show = function () { if (out) { out.textContent = template.replace("{seconds}", String(left)); } };
    show();
    box.hidden = false;
    idle.countdown = setInterval(function () {
      left -= 1;
      if (left <= 0) { var target = idle.target; clearIdle(); goTo(target); } else { show(); }
    }, 1000);
  }

  ["pointerdown", "keydown", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!idle.target) { return; }
      var box = document.getElementById("still-there");
      var waking = box && !box.hidden;
      armIdle();
      // The tap that answers "still there?" only closes it: it must not also press
      // whatever lay under the finger.
      if (waking) { settle(); event.preventDefault(); event.stopPropagation(); }
    }, true);
  });

  // A kiosk screen that has just appeared takes no tap or click for a moment: the second tap
  // of a double tap (or the end of a waking tap) must not answer the next question unread.
  // The keyboard is not held back (assistive technology).
  var settleTimer = null;
  function settle() {
    if (!document.body.classList.contains("flow-kiosk")) { return; }
    document.body.setAttribute("data-settling", "");
    clearTimeout(settleTimer);
    settleTimer = setTimeout(function () { document.body.removeAttribute("data-settling"); }, 400);
  }
  document.addEventListener("click", function (event) {
    // A click from a finger or a mouse says so; one from the keyboard has no pointer type.
    if (document.body.hasAttribute("data-settling") && event.pointerType) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // The attract loop shows only what it got: an error never lands in its panel.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("showcase") &&
        event.detail.xhr && event.detail.xhr.status !== 200) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
    }
  });

  // The kiosk's server did not answer an htmx request: "one moment" until it does, then
  // the same screen again (its answer carries the same UUID, so tapping again is safe).
  ["htmx:sendError", "htmx:timeout"].forEach(function (type) {
    document.addEventListener(type, function () {
      var overlay = document.getElementById("one-moment");
      if (!overlay) { return; }
      var probe = idle.target || document.querySelector("[data-return-to]");
      var url = typeof probe === "string" ? probe : (probe ? probe.getAttribute("data-return-to") : window.location.href);
      overlay.hidden = false;
      setTimeout(function () { whenReachable(url, function () {}); }, 1000);
    });
  });

  // The kiosk's own keyboard types into its text field: no system keyboard in a kiosk.
  function bindKeyboards(root) {
    root.querySelectorAll("[data-keyboard-for]").forEach(function (keyboard) {
      var area = document.getElementById(keyboard.getAttribute("data-keyboard-for"));
      if (!area) { return; }
      keyboard.hidden = false;
      var shift = keyboard.querySelector("[data-key='shift']");
      var setShift = function (on) {
        if (!shift) { return; }
        shift.setAttribute("aria-pressed", on ? "true" : "false");
        keyboard.classList.toggle("shifted", on);
      };
      // A key keeps the caret where it is in the text: it never takes the focus itself.
      keyboard.addEventListener("mousedown", function (event) { event.preventDefault(); });
      keyboard.addEventListener("click", function (event) {
        var key = event.target.closest("[data-key]");
        if (!key) { return; }
        var value = key.getAttribute("data-key");
        if (document.activeElement !== area) {  // typing starts at the end of the text
          area.focus();
          area.setSelectionRange(area.value.length, area.value.length);
        }
        var start = area.selectionStart, end = area.selectionEnd;
        if (value === "shift") { setShift(shift.getAttribute("aria-pressed") !== "true"); return; }
        if (value === "backspace") {
          if (start === end && start > 0) { start -= 1; }
          area.setRangeText("", start, end, "end");
        } else {
          var max = parseInt(area.getAttribute("maxlength"), 10) || Infinity;
          if (area.value.length - (end - start) >= max) { return; }
          if (shift && shift.getAttribute("aria-pressed") === "true") {
            // In the page's language: a Turkish i becomes İ.
            value = value === "ß" ? value : value.toLocaleUpperCase(document.documentElement.lang || undefined);
            setShift(false);
          }
          area.setRangeText(value, start, end, "end");
        }
        area.dispatchEvent(new Event("input", { bubbles: true }));
      });
    });
  }

  // On the kiosk's start screen a tap anywhere starts (the button is only the obvious place);
  // a language button or the button itself does what it says.
  document.addEventListener("click", function (event) {
    var start = event.target.closest ? event.target.closest("[data-tap-starts]") : null;
    if (!start || event.target.closest("a, button, input, textarea")) { return; }
    var form = document.getElementById(start.getAttribute("data-tap-starts"));
    if (form && form.requestSubmit) { form.requestSubmit(); }
  });

  // The printable report's button (no inline handlers: the CSP allows none).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });

  // After a screen change, move focus to its heading so screen readers announce it, and
  // say in the live region where the person is ("Question 2 of 5"; else the heading).
  function focusHeading(root) {
    var heading = root.querySelector("h1[tabindex='-1']");
    if (heading) { heading.focus({ preventScroll: false }); }
    var announcer = document.getElementById("announcer");
    if (announcer && root.id === "stage") {
      var where = root.querySelector(".progress-text") || heading;
      announcer.textContent = where ? where.textContent.trim() : "";
    }
  }

  // A kiosk's thank-you screen goes back to the start screen for the next person. (Only the
  // thank-you screen says when: a question screen's way back is its idle count above.)
  function scheduleReturn(root) {
    var target = root.querySelector("[data-return-after]");
    if (returnTimer) { clearTimeout(returnTimer); returnTimer = null; }
    if (!target) { return; }
    var seconds = parseInt(target.getAttribute("data-return-after"), 10) || 8;
    returnTimer = setTimeout(function () {
      goTo(target.getAttribute("data-return-to"));
    }, seconds * 1000);
  }

  // Show how many characters are left while typing a wish.
  function bindCounters(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = document.getElementById(area.getAttribute("data-counter"));
      if (!out) { return; }
      var max = parseInt(area.getAttribute("maxlength"), 10);
      var template = out.getAttribute("data-template") || "{left}";
      var update = function () {
        out.textContent = template.replace("{left}", String(max - area.value.length));
      };
      area.addEventListener("input", update);
      update();
    });
  }

  // The results wall never scrolls: of its wishes (the newest first) it shows those that fit
  // the room left on the screen, each whole, and leaves out the rest until the next refresh.
  function fitWishes() {
    document.querySelectorAll("[data-fit-wishes]").forEach(function (list) {
      var room = list.parentElement;
      var items = Array.prototype.slice.call(list.children);
      room.hidden = false;
      items.forEach(function (item) { item.hidden = false; });
      for (var last = items.length - 1; last >= 0 && room.scrollHeight > room.clientHeight + 1; last -= 1) {
        items[last].hidden = true;
      }
      room.hidden = items.every(function (item) { return item.hidden; });
    });
  }
  window.addEventListener("resize", fitWishes);

  function enhance(root) {
    armIdle();
    scheduleReturn(root);
    bindCounters(root);
    bindKeyboards(root);
    fitWishes();
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target || document;
    if (root.classList && root.classList.contains("showcase") && root.hidden) {
      root.hidden = false;  // the attract loop's first slide: the start screen makes room
      root.parentElement.classList.add("start-with-loop");
    }
    if (root.id === "stage") { settle(); }
    enhance(root);
    focusHeading(root);
  });
})();
