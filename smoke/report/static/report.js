// Optional comforts for the report; everything works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  function target() {
    var id = decodeURIComponent(location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  }
  // the open lightbox: a step's own (.lightbox) or a step shown over another's frame (.lb-state)
  function openBox() {
    var el = target();
    return el && (el.classList.contains("lightbox") || el.classList.contains("lb-state")) ? el : null;
  }
  function follow(box, selector) {
    var link = box.querySelector(":scope > .lightbox-bar " + selector);
    if (link) { location.hash = link.getAttribute("href"); return true; }
    return false;
  }
  // a permalink to a step inside a closed scenario opens it (browsers that do not do it themselves)
  function reveal() {
    var el = target();
    if (!el) return;
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    var box = openBox();
    if (box) {
      var close = box.querySelector(":scope > .lightbox-bar .lb-close");
      if (close) close.focus({ preventScroll: true });
    } else {
      el.scrollIntoView({ block: "start" });
    }
  }
  window.addEventListener("hashchange", reveal);
  if (location.hash) reveal();
  document.addEventListener("keydown", function (event) {
    var box = openBox();
    if (!box) return;
    if (event.key === "Escape" && follow(box, ".lb-close")) event.preventDefault();
    else if (event.key === "ArrowRight" && follow(box, ".lb-next")) event.preventDefault();
    else if (event.key === "ArrowLeft" && follow(box, ".lb-prev")) event.preventDefault();
  });

  var scenarios = Array.prototype.slice.call(document.querySelectorAll("article.scenario"));
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function setOpen(open) { each(document.querySelectorAll(".scenario-details"), function (d) { d.open = open; }); }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) expand.addEventListener("click", function () { setOpen(true); });
  if (collapse) collapse.addEventListener("click", function () { setOpen(false); });

  // text search over scenario names, step captions and messages
  var search = document.getElementById("scenario-search");
  var count = document.getElementById("search-count");
  var texts = null;
  if (search) search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    texts = texts || scenarios.map(function (s) {
      var steps = Array.prototype.slice.call(s.querySelectorAll(".step"));
      return { all: s.textContent.toLowerCase(), steps: steps.map(function (st) {
        var body = st.querySelector(".step-body");
        return [st, (body ? body.textContent : "").toLowerCase()];
      }) };
    });
    var shown = 0;
    scenarios.forEach(function (s, i) {
      var hit = !q || texts[i].all.indexOf(q) >= 0;
      s.classList.toggle("search-miss", !hit);
      texts[i].steps.forEach(function (pair) { pair[0].classList.toggle("search-hit", !!q && pair[1].indexOf(q) >= 0); });
      if (hit) shown += 1;
      if (q && hit) s.querySelector(".scenario-details").open = true;
    });
    if (count) count.textContent = q ? shown + " of " + scenarios.length + " scenarios match" : "";
  });

  // Lazy screenshots would be blank on paper
  window.addEventListener("beforeprint", function () {
    each(document.images, function (img) { img.loading = "eager"; });
    each(document.querySelectorAll("details.attempt, details.scenario-details"), function (d) { d.open = true; });
  });
})();
