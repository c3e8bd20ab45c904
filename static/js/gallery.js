/* Key images on the meeting-room screen: one click (or the I key) opens an
   image in the full-screen viewer, the arrow keys go between images there and
   Esc closes it. An image that fails to load becomes a labelled placeholder
   of the same size. Without JavaScript each image opens in a new tab.
   window.tumorboardGallery.bind(root) prepares the images under root (the
   followers' screen calls it again when a new case arrives). */
(function () {
  "use strict";
  var viewer = document.getElementById("image-viewer");
  var image = document.getElementById("viewer-image");
  var caption = document.getElementById("viewer-caption");
  var count = document.getElementById("viewer-count");
  var links = [];
  var current = 0;

  function placeholder(img) {
    var frame = img.closest(".frame") || img.parentNode;
    var text = document.createElement("span");
    text.className = "img-missing";
    text.textContent = "Image could not be loaded: " + (img.getAttribute("data-caption") || img.alt || "no caption");
    frame.replaceChildren(text);
    var link = frame.closest("a");
    if (link) { link.classList.add("gallery-broken"); }
  }

  function show(index) {
    var usable = links.filter(function (a) { return !a.classList.contains("gallery-broken"); });
    if (!usable.length) { return; }
    current = (index + usable.length) % usable.length;
    var link = usable[current];
    var img = link.querySelector("img");
    image.src = link.getAttribute("data-full");
    image.alt = img ? img.alt : "";
    caption.textContent = img ? (img.getAttribute("data-caption") || img.alt) : "";
    count.textContent = "Image " + (current + 1) + " of " + usable.length;
    if (!viewer.open) { viewer.showModal(); }
  }

  function bind(root) {
    links = Array.prototype.slice.call((root || document).querySelectorAll(".gallery-open"));
    links.forEach(function (link, index) {
      var img = link.querySelector("img");
      if (img) {
        if (img.complete && img.naturalWidth === 0) { placeholder(img); }
        img.addEventListener("error", function () { placeholder(img); });
      }
      if (!viewer) { return; }
      link.addEventListener("click", function (event) {
        if (link.classList.contains("gallery-broken")) { event.preventDefault(); return; }
        event.preventDefault();
        var usable = links.filter(function (a) { return !a.classList.contains("gallery-broken"); });
        show(usable.indexOf(link));
      });
    });
  }

  if (viewer) {
    image.addEventListener("error", function () {
      caption.textContent = "Image could not be loaded: " + caption.textContent;
    });
    viewer.addEventListener("click", function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-viewer");
      if (action === "previous") { show(current - 1); }
      if (action === "next") { show(current + 1); }
      if (action === "close" || event.target === viewer) { viewer.close(); }
    });
    viewer.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight") { event.preventDefault(); show(current + 1); }
      if (event.key === "ArrowLeft") { event.preventDefault(); show(current - 1); }
    });
  }

  window.tumorboardGallery = {
    bind: bind,
    open: function () { show(0); },
    isOpen: function () { return !!(viewer && viewer.open); }
  };
  bind(document);
})();
