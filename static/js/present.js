/* The meeting-room screen's keys: the arrow keys go to the previous and next
   case, I opens the key images, D opens the decision panel, Esc leaves
   presentation mode (or closes the image viewer first). Keys are ignored
   while typing in a form. */
(function () {
  "use strict";
  var decision = document.getElementById("decision");
  var layout = document.querySelector(".present-layout");

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function openDecision() {
    if (!decision) { return; }
    layout.classList.add("decision-open");
    var first = decision.querySelector("select, input:not([type=hidden]), textarea, button");
    (first || decision).focus();
  }

  function closeDecision() {
    if (layout) { layout.classList.remove("decision-open"); }
  }

  var decide = document.getElementById("present-decide");
  if (decide) {
    decide.addEventListener("click", function (event) { event.preventDefault(); openDecision(); });
  }
  var close = document.getElementById("decision-close");
  if (close) {
    close.addEventListener("click", function (event) { event.preventDefault(); closeDecision(); });
  }
  // A refused form comes back with its errors: keep the panel open on them.
  if (decision && (window.location.hash === "#decision" || decision.querySelector(".error, .alert-error"))) {
    layout.classList.add("decision-open");
    var error = decision.querySelector("[aria-invalid=true], .alert-error");
    if (error) { error.focus ? error.focus() : null; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var gallery = window.tumorboardGallery;
    if (gallery && gallery.isOpen()) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") {
        // Esc leaves the field; inside the drawer it also closes the drawer
        // (what was typed stays in the form).
        event.target.blur();
        if (decision && decision.contains(event.target) && layout.classList.contains("decision-open")) {
          closeDecision();
          if (decide) { decide.focus(); }
        }
      }
      return;
    }
    var link = null;
    if (event.key === "ArrowRight") { link = document.getElementById("present-next"); }
    if (event.key === "ArrowLeft") { link = document.getElementById("present-prev"); }
    if (event.key === "Escape") {
      if (layout && layout.classList.contains("decision-open")) { closeDecision(); event.preventDefault(); return; }
      link = document.getElementById("present-exit");
    }
    if ((event.key === "i" || event.key === "I") && gallery) { event.preventDefault(); gallery.open(); return; }
    if ((event.key === "d" || event.key === "D") && decision) { event.preventDefault(); openDecision(); return; }
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
