// The questionnaire's small helpers. The server decides the same things on save; this only makes them immediate.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form) { return; }

  function checked(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : "";
  }

  // Crisis resources appear as soon as PHQ-9 item 9 is answered above "Not at all".
  var crisis = document.getElementById("crisis-resources");
  function updateCrisis() {
    if (!crisis || form.dataset.step !== "mood") { return; }
    var value = checked("phq9_9");
    // Once shown it stays: the resources do no harm, and hiding them again could.
    if (value && value !== "0") { crisis.hidden = false; }
  }

  // Follow-up questions show only when the question they follow is answered "yes".
  var depends = {};
  try { depends = JSON.parse(form.dataset.depends || "{}"); } catch (e) { depends = {}; }
  function updateDepends() {
    Object.keys(depends).forEach(function (child) {
      var wrapper = document.getElementById("div_id_" + child);
      if (!wrapper) { return; }
      wrapper.hidden = checked(depends[child]) !== "yes";
    });
  }

  form.addEventListener("change", function () { updateCrisis(); updateDepends(); });
  updateCrisis();
  updateDepends();
})();
