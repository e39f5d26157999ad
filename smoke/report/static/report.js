// Optional comforts for the report; everything works without this script.
(function () {
  "use strict";
  function openBox() {
    var id = decodeURIComponent(location.hash.slice(1));
    var box = id && document.getElementById(id);
    return box && box.classList.contains("lightbox") ? box : null;
  }
  function follow(box, selector) {
    var link = box.querySelector(selector);
    if (link) { location.hash = link.getAttribute("href"); return true; }
    return false;
  }
  window.addEventListener("hashchange", function () {
    var box = openBox();
    if (box) {
      var close = box.querySelector(".lb-close");
      if (close) close.focus({ preventScroll: true });
    }
  });
  document.addEventListener("keydown", function (event) {
    var box = openBox();
    if (!box) return;
    if (event.key === "Escape" && follow(box, ".lb-close")) event.preventDefault();
    else if (event.key === "ArrowRight" && follow(box, ".lb-next")) event.preventDefault();
    else if (event.key === "ArrowLeft" && follow(box, ".lb-prev")) event.preventDefault();
  });
  // Lazy screenshots would be blank on paper
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.images, function (img) { img.loading = "eager"; });
    Array.prototype.forEach.call(document.querySelectorAll("details.attempt"), function (d) { d.open = true; });
  });
})();
