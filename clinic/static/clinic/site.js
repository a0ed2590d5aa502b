// Small progressive enhancements. Pages work without JavaScript.
(function () {
  "use strict";

  // Pre-select the browser's time zone in any time-zone field the user has not set yet.
  function detectTimeZone(root) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) { return; }
    root.querySelectorAll("[data-detect-time-zone]").forEach(function (field) {
      if (field.dataset.detected || field.form && field.form.dataset.bound === "true") { return; }
      var option = Array.prototype.find.call(field.options || [], function (o) { return o.value === zone; });
      if (option || field.tagName === "INPUT") {
        field.value = zone;
        field.dataset.detected = "true";
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // Forms marked data-once cannot be submitted twice by a double click.
  function guardDoubleSubmit(root) {
    root.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitted === "true") { event.preventDefault(); return; }
        form.dataset.submitted = "true";
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    detectTimeZone(document);
    guardDoubleSubmit(document);
  });
  // After a day or a month is chosen in the booking picker, move focus (and, on a phone, the view) to what changed,
  // instead of leaving it on the page body.
  function focusAfterPick(event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!trigger || !trigger.closest) { return; }
    var targetId = trigger.classList.contains("day-open") ? "times-title" : trigger.closest(".booking-month-nav") ? "month-title" : null;
    var heading = targetId && document.getElementById(targetId);
    if (!heading) { return; }
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start", behavior: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    detectTimeZone(event.target);
    guardDoubleSubmit(event.target);
  });
  document.addEventListener("htmx:afterSettle", focusAfterPick);
})();
