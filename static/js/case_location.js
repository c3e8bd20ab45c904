/* Case form: show the location fields that fit the chosen bone (end and
   segment for long bones, zones for the pelvis, level for a vertebra) and the
   working diagnosis for primary bone tumours only. Without this script every
   field shows and the server checks the combination. */
(function () {
  "use strict";
  var bone = document.getElementById("bone");
  var caseType = document.getElementById("case_type");

  function clear(container) {
    container.querySelectorAll("select").forEach(function (select) { select.value = ""; });
    container.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
  }

  // On load a group that holds a value or an error stays, so what the server
  // sent back can be corrected.
  function holdsInput(container) {
    if (container.querySelector(".has-error")) { return true; }
    var selects = Array.prototype.some.call(container.querySelectorAll("select"), function (s) { return s.value; });
    return selects || container.querySelector("input[type=checkbox]:checked") !== null;
  }

  function showLocation(clearHidden) {
    if (!bone) { return; }
    var option = bone.options[bone.selectedIndex];
    var kind = option ? option.getAttribute("data-kind") : null;
    document.querySelectorAll("[data-location-kind]").forEach(function (group) {
      var fits = group.getAttribute("data-location-kind") === kind || (!clearHidden && holdsInput(group));
      if (!fits && clearHidden) { clear(group); }
      group.hidden = !fits;
    });
  }

  function showDiagnosis(clearHidden) {
    if (!caseType) { return; }
    document.querySelectorAll("[data-show-for-type]").forEach(function (group) {
      var fits = !caseType.value || group.getAttribute("data-show-for-type") === caseType.value ||
        (!clearHidden && holdsInput(group));
      if (!fits && clearHidden) { clear(group); }
      group.hidden = !fits;
    });
  }

  showLocation(false);
  showDiagnosis(false);
  if (bone) { bone.addEventListener("change", function () { showLocation(true); }); }
  if (caseType) { caseType.addEventListener("change", function () { showDiagnosis(true); }); }
})();
