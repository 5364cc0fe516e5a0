// Small behaviours on top of server-rendered pages; everything works without this file.
(function () {
  "use strict";

  var returnTimer = null;

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
      window.location.replace(target.getAttribute("data-return-to"));
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
