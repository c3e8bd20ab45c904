/* Presentation timer: counts up against the planned minutes of the case on
   screen; amber from 80 % of the plan, red when over. The start time is kept
   per item for the browser tab, so going back and forth does not reset it.
   Without JavaScript the element simply reads "Planned N minutes". */
(function () {
  "use strict";
  var el = document.querySelector("[data-timer]");
  if (!el) { return; }
  var planned = parseInt(el.getAttribute("data-planned"), 10) * 60;
  var key = el.getAttribute("data-key");
  var stopped = el.hasAttribute("data-stopped");
  var started = Date.now();
  try {
    var kept = parseInt(window.sessionStorage.getItem(key), 10);
    if (kept > 0) { started = kept; } else { window.sessionStorage.setItem(key, String(started)); }
  } catch (e) { /* storage refused: the timer starts with the page */ }

  function mmss(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  el.setAttribute("role", "timer");
  el.setAttribute("aria-live", "off");
  function tick() {
    var elapsed = Math.floor((Date.now() - started) / 1000);
    el.textContent = mmss(elapsed) + " of " + mmss(planned) + " planned";
    el.classList.toggle("timer-near", elapsed >= planned * 0.8 && elapsed < planned);
    el.classList.toggle("timer-over", elapsed >= planned);
  }
  if (stopped) { return; }
  tick();
  window.setInterval(tick, 1000);
})();
