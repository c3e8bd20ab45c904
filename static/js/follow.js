/* Following the presenter: ask where the presenter is every few seconds and,
   when they move, load that case into the screen without reloading the page.
   Stops when the meeting closes, or when the server refuses (signed out, no
   longer allowed to see the agenda): the case is then removed from the screen. */
(function () {
  "use strict";
  var root = document.querySelector("[data-follow]");
  if (!root) { return; }
  var stage = document.getElementById("stage");
  var status = document.getElementById("follow-status");
  var stateUrl = root.getAttribute("data-state-url");
  var stageUrl = root.getAttribute("data-stage-url");
  var poll = parseInt(root.getAttribute("data-poll"), 10) || 2000;
  var shown = stage.getAttribute("data-item") || "";
  var timer = null;
  var busy = false;

  function stop(message, clear) {
    if (timer) { window.clearInterval(timer); timer = null; }
    status.textContent = message;
    root.classList.add("follow-stopped");
    if (clear) {
      var p = document.createElement("p");
      p.className = "follow-wait card";
      p.textContent = message;
      stage.replaceChildren(p);
      shown = "";
    }
  }

  function load(itemId, state) {
    var url = stageUrl.replace(/\/0$/, "/" + itemId);
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { throw new Error("refused"); }
        if (!response.ok) { throw new Error("failed"); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector(".stage-case");
        if (!fresh) { return; }
        stage.replaceChildren(document.adoptNode(fresh));
        stage.setAttribute("data-item", String(itemId));
        shown = String(itemId);
        if (window.tumorboardGallery) { window.tumorboardGallery.bind(stage); }
        status.textContent = "Following " + (state.presenter || "the presenter") + " · case " + (state.number || "—") + " of " + state.total;
      });
  }

  function check() {
    if (busy) { return; }
    busy = true;
    fetch(stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) { throw new Error("refused"); }
        if (!response.ok) { throw new Error("failed"); }
        return response.json();
      })
      .then(function (state) {
        if (state.over) {
          stop("The meeting is " + state.status_label.toLowerCase() + "; following stopped.", true);
          return null;
        }
        if (!state.item) {
          status.textContent = state.live ? "Waiting for the presenter to open a case…" : "The meeting has not started; this screen follows the presenter once it does.";
          return null;
        }
        if (String(state.item) !== shown) { return load(state.item, state); }
        status.textContent = "Following " + (state.presenter || "the presenter") + " · case " + (state.number || "—") + " of " + state.total;
        return null;
      })
      .catch(function (error) {
        if (error.message === "refused") {
          stop("You can no longer see this agenda; following stopped.", true);
        } else {
          status.textContent = "Connection lost; trying again…";
        }
      })
      .then(function () { busy = false; });
  }

  timer = window.setInterval(check, poll);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (window.tumorboardGallery && window.tumorboardGallery.isOpen()) { return; }
    var exit = document.getElementById("present-exit");
    if (exit) { window.location.assign(exit.href); }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.key === "i" || event.key === "I") && window.tumorboardGallery && !window.tumorboardGallery.isOpen()) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag !== "input" && tag !== "textarea" && tag !== "select") { window.tumorboardGallery.open(); }
    }
  });
})();
