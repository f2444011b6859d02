// Small behaviours shared by all pages (no inline scripts, so a strict CSP can apply).
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();

// Long work (an import of thousands of rows, a province-wide export): say so and stop double clicks.
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      var note = form.querySelector("[data-busy-note]");
      if (note) note.hidden = false;
    });
  });
  document.querySelectorAll("a[data-busy]").forEach(function (link) {
    link.addEventListener("click", function () {
      var note = document.getElementById(link.dataset.busy);
      if (note) note.hidden = false;
    });
  });
})();

// Long forms: leaving the page (switching the year, following a link) with unsaved changes asks first.
(function () {
  "use strict";
  var dirty = false;
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    if (form.hasAttribute("data-dirty")) dirty = true;  // filled in for the user, not saved yet
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

// A list to tick: "select all" (shown only with JavaScript) and how many are ticked.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (all) {
    var name = all.dataset.checkAll;
    var boxes = Array.prototype.slice.call(all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]'));
    var count = all.form.querySelector('[data-checked-count="' + name + '"]');
    var wrapper = all.closest("[data-js-only]");
    if (wrapper) wrapper.hidden = false;
    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = n === boxes.length && n > 0;
      all.indeterminate = n > 0 && n < boxes.length;
      if (count) count.textContent = (count.dataset.label || "{n}/{t}").replace("{n}", n).replace("{t}", boxes.length);
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();

// A write that is hard to take back asks first, naming how many rows are ticked: data-confirm="… {n} …"
// (a tick list with nothing ticked goes on to the server's own message; a form without ticks always asks).
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    // Capturing, so that it runs before the busy note's listener: a "no" leaves the buttons usable.
    form.addEventListener("submit", function (event) {
      var ticks = form.querySelectorAll("input[type=checkbox]:not([data-check-all])");
      var n = form.querySelectorAll("input[type=checkbox]:checked:not([data-check-all])").length;
      if ((n > 0 || ticks.length === 0) && !window.confirm(form.dataset.confirm.replace("{n}", n))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
  });
})();
