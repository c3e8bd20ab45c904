/* Presentation mode: the arrow keys go to the previous and next case (not
   while typing a reason). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var link = null;
    if (event.key === "ArrowRight") { link = document.getElementById("present-next"); }
    if (event.key === "ArrowLeft") { link = document.getElementById("present-prev"); }
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
