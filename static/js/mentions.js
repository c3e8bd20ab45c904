// @mentions in annotations: suggest active colleagues while typing "@name".
// Progressive enhancement: without JavaScript, typing @handle works the same.
(function () {
  "use strict";

  function tokenBefore(area) {
    var text = area.value.slice(0, area.selectionStart);
    var match = /(^|[^\w.@])@([\w.%+-]{1,60})$/.exec(text);
    return match ? { query: match[2], start: area.selectionStart - match[2].length - 1 } : null;
  }

  function attach(form) {
    var area = form.querySelector("textarea[name=body]");
    if (!area) return;
    var url = form.getAttribute("data-mentions");
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.id = area.id + "-mentions";
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    var active = -1;
    var pending = 0;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      area.setAttribute("aria-activedescendant", items[active].id);
    }

    function choose(li) {
      var token = tokenBefore(area);
      if (!token) return close();
      var handle = "@" + li.getAttribute("data-handle") + " ";
      area.value = area.value.slice(0, token.start) + handle + area.value.slice(area.selectionStart);
      var caret = token.start + handle.length;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    }

    area.addEventListener("input", function () {
      var token = tokenBefore(area);
      if (!token) return close();
      var ticket = ++pending;
      fetch(url + "?q=" + encodeURIComponent(token.query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (people) {
          if (ticket !== pending) return;
          list.innerHTML = "";
          people.forEach(function (p, i) {
            var li = document.createElement("li");
            li.id = list.id + "-" + i;
            li.setAttribute("role", "option");
            li.setAttribute("data-handle", p.handle);
            li.textContent = "@" + p.handle + " · " + p.name + " (" + p.role + ")";
            li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
            list.appendChild(li);
          });
          list.hidden = people.length === 0;
          active = -1;
          if (people.length) highlight(0);
        })
        .catch(close);
    });

    area.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(active - 1); }
      else if (e.key === "Enter" || e.key === "Tab") {
        var items = list.querySelectorAll("li");
        if (active >= 0 && items[active]) { e.preventDefault(); choose(items[active]); }
      } else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("form[data-mentions]").forEach(attach);
})();
