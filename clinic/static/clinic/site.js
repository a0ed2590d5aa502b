// Small progressive enhancements. Pages work without JavaScript.
(function () {
  "use strict";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // A zone's option, by its name or by an old name the browser may still report (Asia/Calcutta for Asia/Kolkata).
  function zoneOption(select, zone) {
    return Array.prototype.find.call(select.options || [], function (o) {
      return o.value === zone || (" " + (o.dataset.search || "") + " ").indexOf(" " + zone + " ") !== -1;
    });
  }

  // Pre-select the browser's time zone in any time-zone field the user has not set yet.
  function detectTimeZone(root) {
    var zone = browserZone();
    if (!zone) { return; }
    root.querySelectorAll("[data-detect-time-zone]").forEach(function (field) {
      if (field.dataset.detected || field.form && field.form.dataset.bound === "true") { return; }
      var option = field.tagName === "SELECT" ? zoneOption(field, zone) : null;
      if (option || field.tagName === "INPUT") {
        field.value = option ? option.value : zone;
        field.dataset.detected = "true";
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // Time-zone lists: the browser's own zone joins the chosen one in the "Your zone" group at the top, and a search
  // box, added here so that it exists only where it works, filters the list.
  function pinBrowserZone(select) {
    if (!select.hasAttribute("data-detect-time-zone")) { return; }  // staff entering a patient's zone
    var option = zoneOption(select, browserZone());
    if (!option || option.parentNode.hasAttribute("data-your-zone")) { return; }
    var group = select.querySelector("optgroup[data-your-zone]");
    if (!group) {
      group = document.createElement("optgroup");
      group.label = "Your zone";
      group.setAttribute("data-your-zone", "");
      select.insertBefore(group, select.firstChild);
    }
    group.insertBefore(option, group.firstChild);
  }

  function searchText(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[_/]/g, " ").toLowerCase();
  }

  function addZoneSearch(select) {
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    var entries = Array.prototype.map.call(select.options, function (o) {
      return { option: o, group: o.parentNode, text: searchText([o.text, o.value, o.dataset.search || ""].join(" ")) };
    });
    var id = (select.id || select.name) + "-search";
    var box = document.createElement("div");
    box.className = "zone-search mb-2";
    box.innerHTML = '<label class="form-label"></label><input type="search" class="form-control" autocomplete="off" spellcheck="false">' +
      '<div class="form-text"></div><div class="form-text zone-search-status" role="status" aria-live="polite"></div>';
    var label = box.querySelector("label"), input = box.querySelector("input");
    var hint = box.querySelector(".form-text"), status = box.querySelector("[role=status]");
    label.htmlFor = input.id = id;
    label.textContent = "Search time zones";
    hint.id = id + "-hint";
    hint.textContent = "Type a city, country or zone name. Enter chooses the first match.";
    status.id = id + "-status";
    input.setAttribute("aria-describedby", hint.id + " " + status.id);
    input.setAttribute("aria-controls", select.id);
    var selectLabel = select.id && document.querySelector('label[for="' + select.id + '"]');
    var anchor = selectLabel && selectLabel.parentNode === select.parentNode ? selectLabel : select;
    anchor.parentNode.insertBefore(box, anchor);

    var matches = [];
    function filter() {
      var words = searchText(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      matches = [];
      groups.forEach(function (group) { group.replaceChildren(); });
      entries.forEach(function (entry) {
        var hit = words.every(function (word) { return entry.text.indexOf(word) !== -1; });
        if (hit) { matches.push(entry.option); }
        // The chosen zone always stays, so that filtering never changes what the form sends.
        if (hit || entry.option.value === chosen) { entry.group.appendChild(entry.option); }
      });
      select.replaceChildren.apply(select, groups.filter(function (group) { return group.children.length; }));
      select.value = chosen;
      if (!words.length) { status.textContent = ""; return; }
      status.textContent = matches.length === 0 ? "No time zone matches." :
        matches.length === 1 ? "1 time zone matches: " + matches[0].text + "." : matches.length + " time zones match.";
    }
    input.addEventListener("input", filter);
    // The booking picker reloads its times on any change in its form: typing is not a choice.
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // not a submit of the whole form
      if (!input.value.trim() || !matches.length) { return; }
      select.value = matches[0].value;
      status.textContent = "Chosen: " + matches[0].text + ".";
      if (select.closest("[hx-get]")) { refocusZone = select.id; }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  var refocusZone = null;

  function enhanceZoneSelects(root) {
    root.querySelectorAll("select[data-zone-select]").forEach(function (select) {
      if (select.dataset.enhanced) { return; }
      select.dataset.enhanced = "true";
      pinBrowserZone(select);
      addZoneSearch(select);
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
    enhanceZoneSelects(document);
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
    enhanceZoneSelects(event.target);
    detectTimeZone(event.target);
    guardDoubleSubmit(event.target);
  });
  document.addEventListener("htmx:afterSettle", focusAfterPick);
  // A zone chosen from the search box reloads the picker: focus returns to the new list, not the page body.
  document.addEventListener("htmx:afterSettle", function () {
    var select = refocusZone && document.getElementById(refocusZone);
    refocusZone = null;
    if (select) { select.focus(); }
  });
})();
