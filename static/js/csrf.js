/* htmx setup: send the CSRF token as a header and keep patient data out of
   browser storage. Loaded right after htmx, before the page is processed. */
(function () {
  "use strict";
  if (!window.htmx) { return; }
  // The CSP allows no inline styles, and history snapshots would copy pages
  // with patient data into localStorage.
  htmx.config.includeIndicatorStyles = false;
  htmx.config.historyCacheSize = 0;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.selfRequestsOnly = true;
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
})();
