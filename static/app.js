// Small behaviours on top of server-rendered pages; everything works without this file.
(function () {
  "use strict";

  var returnTimer = null;
  var idle = { timer: null, target: null, seconds: 0 };

  function goTo(url) { window.location.replace(url); }

  // A kiosk question left alone returns to the start, so the next person never meets the
  // last one's half-given answers. Any touch, key or typing restarts the count.
  function armIdle() {
    var element = document.querySelector("[data-idle-reset]");
    if (idle.timer) { clearTimeout(idle.timer); idle.timer = null; }
    idle.target = element ? element.getAttribute("data-return-to") : null;
    if (!idle.target) { return; }
    idle.seconds = parseInt(element.getAttribute("data-idle-reset"), 10) || 90;
    idle.timer = setTimeout(function () { goTo(idle.target); }, idle.seconds * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach(function (type) {
    document.addEventListener(type, function () { if (idle.target) { armIdle(); } }, true);
  });

  // After a screen change, move focus to its heading so screen readers announce it.
  function focusHeading(root) {
    var heading = root.querySelector("h1[tabindex='-1']");
    if (heading) { heading.focus({ preventScroll: false }); }
  }

  // A kiosk's thank-you screen goes back to the start screen for the next person.
  function scheduleReturn(root) {
    var target = root.querySelector("[data-return-to]");
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

  function enhance(root) {
    armIdle();
    scheduleReturn(root);
    bindCounters(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target || document;
    enhance(root);
    focusHeading(root);
  });
})();
