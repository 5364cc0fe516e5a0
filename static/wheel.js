// The wheel of pictograms (templates/public/_wheel.html): spun with a flick or a button,
// or a picture tapped; it lands on one answer and names it. The radios beneath stay the
// form's real controls: a spin or a tap checks one, and a checked (or focused) radio shows
// on the wheel. With reduced motion the wheel never turns: a spin steps a mark from sector
// to sector instead. Without this file the radios are a plain list, and the form works.
(function () {
  "use strict";

  var STILL = "(prefers-reduced-motion: reduce)";
  var TAP_SLOP = 10;          // px a finger may wander and still tap
  var FLICK = 0.25;           // degrees per ms: a release faster than this spins the wheel
  var SAMPLE_MS = 100;        // the last moments of a drag that give its speed

  function still() {
    return window.matchMedia && window.matchMedia(STILL).matches;
  }

  function mod(value, by) {
    return ((value % by) + by) % by;
  }

  // The shortest signed way from one angle to another, in (-180, 180].
  function towards(from, to) {
    var way = mod(to - from, 360);
    return way > 180 ? way - 360 : way;
  }

  function Wheel(box) {
    var self = this;
    this.box = box;
    this.disc = box.querySelector(".wheel-disc");
    this.svg = box.querySelector(".wheel-svg");
    this.list = box.querySelector(".choices-wheel");
    this.say = box.querySelector(".wheel-say");
    this.news = box.querySelector(".wheel-news");
    this.spinButton = box.querySelector(".wheel-spin");
    this.confirm = box.querySelector(".wheel-confirm");
    this.pickMark = box.querySelector(".wheel-mark-pick");
    this.focusMark = box.querySelector(".wheel-mark-focus");
    this.sector = parseFloat(box.getAttribute("data-sector"));
    this.labelRadius = parseFloat(box.getAttribute("data-label-radius"));
    this.wordOffset = parseFloat(box.getAttribute("data-word-offset"));
    this.labelScale = parseFloat(box.getAttribute("data-label-scale")) || 1;
    this.turn = 0;            // degrees clockwise, as the wheel is shown
    this.picked = -1;
    this.job = null;          // the animation or the stepping under way, to cancel
    this.drag = null;
    this.sectors = Array.prototype.map.call(box.querySelectorAll(".wheel-wedge"), function (wedge, index) {
      var id = wedge.getAttribute("data-option");
      var radio = box.querySelector(".choices-wheel input[value='" + id + "']");
      var choice = radio.closest(".choice");
      var start = parseFloat(wedge.getAttribute("data-start"));
      return {
        index: index,
        start: start,
        middle: start + self.sector / 2,
        radio: radio,
        wedge: wedge,
        label: box.querySelector(".wheel-label[data-option='" + id + "']"),
        name: (choice.querySelector(".pictogram").textContent + " " +
               choice.querySelector(".label").textContent).trim()
      };
    });
    this.rtl = this.sectors.length > 1 && this.sectors[1].start < this.sectors[0].start;
    if (this.sectors.length) { this.show(); }  // no answer to show: the list says so
  }

  Wheel.prototype.show = function () {
    var self = this;
    this.box.classList.add("wheel-on");
    this.disc.hidden = false;
    this.say.hidden = false;
    this.spinButton.hidden = false;
    this.list.classList.add("visually-hidden");
    this.box.classList.toggle("wheel-still", still());
    this.fitWords();

    this.sectors.forEach(function (sector) {
      sector.radio.addEventListener("change", function () {
        if (sector.radio.checked) { self.land(sector.index, "radio"); }
      });
      sector.radio.addEventListener("focus", function () { self.mark(self.focusMark, sector.index); });
    });
    this.svg.addEventListener("pointerdown", function (event) { self.down(event); });
    this.svg.addEventListener("pointermove", function (event) { self.move(event); });
    this.svg.addEventListener("pointerup", function (event) { self.up(event); });
    this.svg.addEventListener("pointercancel", function () { self.cancelDrag(); });
    this.spinButton.addEventListener("click", function () { self.spinByButton(); });

    var checked = this.sectors.filter(function (s) { return s.radio.checked; })[0];
    if (checked) {
      this.setTurn(this.turnFor(checked.index));
      this.land(checked.index, "page");
    } else {
      this.unpick();
    }
  };

  // The words stay upright as the wheel turns, so each must fit its sector at the top
  // (across the sector, below its picture) and at the side (from the rim inwards). A word
  // too long for that takes two lines where it has a space; then they all shrink alike until
  // the longest fits (measured on the screen, so whatever the wheel's size).
  Wheel.prototype.fitWords = function () {
    var self = this;
    var words = Array.prototype.slice.call(this.box.querySelectorAll(".wheel-word"));
    if (!words.length) { return; }
    var matrix = this.svg.getScreenCTM(), unit = matrix && matrix.a;  // px per unit of the wheel
    if (!unit) { return; }  // not laid out: the words keep their size
    var size = parseFloat(window.getComputedStyle(words[0]).fontSize);
    var across = this.sectors.length > 1 ? 2 * Math.sin(Math.PI * this.sector / 360) : 2;
    var room = function (below) {  // px, for a line this far below the label's middle
      var top = (self.labelRadius - below * self.labelScale) * across;
      return 0.95 * Math.min(top, 2 * (94 - self.labelRadius)) * unit;
    };
    var fits = words.map(function (word) {  // in label units, as the words' font size
      var below = self.wordOffset;
      if (word.getBoundingClientRect().width > room(below) && twoLines(word)) {
        below += 1.2 * size;  // its second line
      }
      return room(below) / (word.getBoundingClientRect().width || room(below));
    });
    var shrink = Math.min.apply(null, fits);
    if (shrink >= 1) { return; }
    words.forEach(function (word) { word.style.fontSize = (size * shrink).toFixed(2) + "px"; });
  };

  // A word split at its space nearest the middle: its first line where it was, away from
  // the picture above it, and the second below.
  function twoLines(word) {
    var text = word.textContent, middle = text.length / 2, at = -1;
    for (var i = text.indexOf(" "); i >= 0; i = text.indexOf(" ", i + 1)) {
      if (at < 0 || Math.abs(i - middle) < Math.abs(at - middle)) { at = i; }
    }
    if (at < 0) { return false; }
    word.textContent = "";
    [text.slice(0, at), text.slice(at + 1)].forEach(function (line, n) {
      var span = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
      span.setAttribute("x", "0");
      span.setAttribute("dy", n === 0 ? "0" : "1.2em");
      span.textContent = line;
      word.appendChild(span);
    });
    return true;
  }

  Wheel.prototype.alive = function () {
    return this.box.isConnected;
  };

  Wheel.prototype.setTurn = function (degrees) {
    this.turn = degrees;
    this.svg.style.setProperty("--turn", degrees.toFixed(2) + "deg");
  };

  // The turn that brings a sector's middle under the pointer, nearest the present one.
  Wheel.prototype.turnFor = function (index) {
    return this.turn + towards(this.turn, -this.sectors[index].middle);
  };

  // The sector under the pointer at twelve o'clock.
  Wheel.prototype.atTop = function () {
    return this.sectorAtAngle(-this.turn);
  };

  Wheel.prototype.sectorAtAngle = function (angle) {
    var size = this.sector;
    for (var i = 0; i < this.sectors.length; i += 1) {
      if (mod(angle - this.sectors[i].start, 360) < size) { return i; }
    }
    return 0;
  };

  // Where a point of the screen lies on the wheel: its angle (clockwise from twelve, as
  // shown) and its distance from the centre, in the wheel's own units.
  Wheel.prototype.polar = function (x, y) {
    var m = this.svg.getScreenCTM();
    var dx = x - m.e, dy = y - m.f;
    return {
      angle: Math.atan2(dx, -dy) * 180 / Math.PI,
      distance: Math.sqrt(dx * dx + dy * dy) / (m.a || 1)
    };
  };

  Wheel.prototype.stop = function () {
    if (this.job) { this.job.cancel(); this.job = null; }
  };

  // Turn the wheel to an angle in a time, slowing down (a cubic ease-out), then do what's next.
  Wheel.prototype.turnTo = function (target, ms, then) {
    var self = this, from = this.turn, began = null, frame = 0, over = false;
    this.stop();
    var step = function (now) {
      if (over) { return; }
      if (!self.alive()) { over = true; return; }  // the screen was swapped away
      if (began === null) { began = now; }
      var t = Math.min(1, (now - began) / ms);
      self.setTurn(from + (target - from) * (1 - Math.pow(1 - t, 3)));
      if (t < 1) { frame = window.requestAnimationFrame(step); return; }
      over = true;
      self.job = null;
      if (then) { then(); }
    };
    this.job = { cancel: function () { over = true; window.cancelAnimationFrame(frame); } };
    frame = window.requestAnimationFrame(step);
  };

  // A spin at a speed (degrees per ms, clockwise positive): it slows down and lands in a
  // sector, not on a line between two.
  Wheel.prototype.spin = function (speed) {
    var self = this;
    if (still()) { this.stepSpin(speed); return; }
    this.unpick();
    var ms = Math.max(1800, Math.min(4200, 1500 + Math.abs(speed) * 1600));
    var end = this.turn + speed * ms / 3;  // the ease-out's start speed is 3 * way / time
    var index = this.sectorAtAngle(-end);
    var jitter = (Math.random() - 0.5) * this.sector * 0.5;
    var target = end + towards(end, -this.sectors[index].middle + jitter);
    if ((target - this.turn) * speed <= 0) { target += speed > 0 ? 360 : -360; }
    this.turnTo(target, ms, function () { self.land(index, "spin"); });
  };

  // With reduced motion: the mark steps from sector to sector, slower and slower, and stops
  // on one. Only the mark's outline moves, a small area: nothing flashes.
  Wheel.prototype.stepSpin = function (speed) {
    var self = this, count = this.sectors.length;
    var way = (speed < 0) !== this.rtl ? -1 : 1;  // as the finger went round
    var steps = count + 1 + Math.floor(Math.random() * count);
    var at = this.picked >= 0 ? this.picked : this.atTop();
    var done = 0, timer = 0, over = false;
    this.stop();
    this.unpick();
    var next = function () {
      if (over || !self.alive()) { return; }
      if (done >= steps) { self.job = null; self.land(at, "spin"); return; }
      at = mod(at + way, count);
      done += 1;
      self.mark(self.pickMark, at);
      var late = done / steps;
      timer = window.setTimeout(next, done >= steps ? 250 : 70 + 260 * late * late);
    };
    this.job = { cancel: function () { over = true; window.clearTimeout(timer); } };
    next();
  };

  // The button spins as a flick would: the way the sectors run (counter-clockwise in a
  // right-to-left language).
  Wheel.prototype.spinByButton = function () {
    this.spin((0.9 + Math.random() * 0.6) * (this.rtl ? -1 : 1));
  };

  // Put a mark (the pick's, or the focus's) around a sector.
  Wheel.prototype.mark = function (mark, index) {
    mark.setAttribute("transform", "rotate(" + this.sectors[index].start + ")");
    mark.classList.add("is-on");
  };

  Wheel.prototype.unpick = function () {
    this.picked = -1;
    this.box.classList.remove("has-pick");
    this.pickMark.classList.remove("is-on");
    this.sectors.forEach(function (s) {
      s.wedge.classList.remove("is-picked");
      if (s.label) { s.label.classList.remove("is-picked"); }
      if (s.radio.checked) { s.radio.checked = false; }
    });
    this.say.textContent = this.say.getAttribute("data-prompt");
    this.confirm.disabled = true;
    this.confirm.querySelector(".wheel-confirm-text").textContent = this.confirm.getAttribute("data-pick-first");
    this.confirm.querySelector(".wheel-confirm-icon").textContent = "☝️";
  };

  // The wheel has landed on a sector (a spin, a tap, a radio): it is the answer now.
  Wheel.prototype.land = function (index, how) {
    var self = this, sector = this.sectors[index];
    if (how === "radio" && this.picked !== index) {
      this.stop();
      if (!still()) { this.turnTo(this.turnFor(index), 350); }
    }
    this.picked = index;
    this.sectors.forEach(function (s) {
      s.wedge.classList.toggle("is-picked", s === sector);
      if (s.label) { s.label.classList.toggle("is-picked", s === sector); }
    });
    this.box.classList.add("has-pick");
    this.box.classList.toggle("wheel-still", still());
    this.mark(this.pickMark, index);
    if (!sector.radio.checked) { sector.radio.checked = true; }
    var text = this.say.getAttribute("data-template").replace("{answer}", function () { return sector.name; });
    this.say.textContent = text;
    if (how === "spin" || how === "tap") {
      self.news.textContent = text;
      // On a small phone the confirmation may lie below the fold: bring it into sight.
      if (this.confirm.getBoundingClientRect().bottom > window.innerHeight) {
        this.confirm.scrollIntoView({ block: "nearest", behavior: still() ? "auto" : "smooth" });
      }
    }
    this.confirm.disabled = false;
    this.confirm.querySelector(".wheel-confirm-text").textContent = this.confirm.getAttribute("data-confirm");
    this.confirm.querySelector(".wheel-confirm-icon").textContent = "👍";
  };

  // --- A finger (or a mouse) on the wheel: a tap picks, a drag turns, a flick spins. -----
  Wheel.prototype.down = function (event) {
    if (event.button !== 0 || document.body.hasAttribute("data-settling")) { return; }
    var place = this.polar(event.clientX, event.clientY);
    if (place.distance > 104) { return; }
    this.stop();
    try { this.svg.setPointerCapture(event.pointerId); } catch (ignored) { /* a synthetic one */ }
    this.drag = {
      id: event.pointerId, x: event.clientX, y: event.clientY, moved: false,
      angle: place.angle, total: 0, from: this.turn, down: place,
      samples: [{ t: event.timeStamp, a: 0 }]
    };
    event.preventDefault();
  };

  Wheel.prototype.move = function (event) {
    var drag = this.drag;
    if (!drag || event.pointerId !== drag.id) { return; }
    if (!drag.moved && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > TAP_SLOP) {
      drag.moved = true;
      if (!still()) { this.unpick(); }
    }
    var angle = this.polar(event.clientX, event.clientY).angle;
    drag.total += towards(drag.angle, angle);
    drag.angle = angle;
    drag.samples.push({ t: event.timeStamp, a: drag.total });
    while (drag.samples.length > 2 && event.timeStamp - drag.samples[0].t > SAMPLE_MS) {
      drag.samples.shift();
    }
    if (drag.moved && !still()) { this.setTurn(drag.from + drag.total); }
  };

  Wheel.prototype.up = function (event) {
    var drag = this.drag;
    if (!drag || event.pointerId !== drag.id) { return; }
    this.drag = null;
    var first = drag.samples[0], last = drag.samples[drag.samples.length - 1];
    var fresh = event.timeStamp - last.t < 80;  // the finger still moved when it let go
    var speed = fresh && last.t > first.t ? (last.a - first.a) / (last.t - first.t) : 0;
    if (drag.moved && Math.abs(speed) >= FLICK) { this.spin(speed); return; }
    if (drag.moved && !still()) {  // turned by hand and let go: the sector at the pointer
      var index = this.atTop();
      var self = this;
      this.turnTo(this.turnFor(index), 300, function () { self.land(index, "spin"); });
      return;
    }
    this.tap(drag.down);
  };

  Wheel.prototype.tap = function (place) {
    if (place.distance < 12) { return; }  // the hub
    var index = this.sectorAtAngle(place.angle - this.turn);
    this.land(index, "tap");
    if (!still()) { this.turnTo(this.turnFor(index), 450); }  // under the pointer
  };

  Wheel.prototype.cancelDrag = function () {
    var drag = this.drag;
    this.drag = null;
    if (!drag || !drag.moved || still()) { return; }
    var index = this.atTop(), self = this;
    this.turnTo(this.turnFor(index), 300, function () { self.land(index, "spin"); });
  };

  function enhance(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("[data-wheel]:not(.wheel-on)").forEach(function (box) {
      new Wheel(box);  // it lives on as its elements' listeners, and goes with them
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.detail.target); });
})();
