/* Meeting pages: show refused agenda changes (htmx leaves 4xx answers
   unswapped by default) and offer a print button on the printable agenda. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var message = document.querySelector("#agenda .agenda-message");
    if (message && message.textContent.trim() && !document.activeElement.closest("#agenda")) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
