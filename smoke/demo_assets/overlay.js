// The demo overlay: a caption bar and a highlight box drawn over the page, never inside it.
// It lives in a closed shadow root on a host outside <body>, so the page's own selectors
// (and Playwright's, which pierce only open shadow roots) cannot see its text, and every part
// of it has pointer-events: none, so clicks meant for the page go through. Only the Next and
// Continue buttons take clicks, and they are shown only while the run waits for the person.
// Injected with page.evaluate(); calling it again on the same document does nothing.
(css) => {
  if (window.__smokeDemo && window.__smokeDemo.alive()) return false;
  const host = document.createElement("smoke-demo-overlay");
  const HOST_STYLE =
    "all: initial !important; position: fixed !important; inset: 0 !important; z-index: 2147483647 !important;" +
    "pointer-events: none !important; display: block !important; contain: strict !important;";
  host.setAttribute("style", HOST_STYLE);
  const root = host.attachShadow({ mode: "closed" });
  const style = document.createElement("style");
  style.textContent = css;
  root.appendChild(style);
  const boxes = document.createElement("div");
  root.appendChild(boxes);
  const bar = document.createElement("div");
  bar.className = "bar bottom";
  bar.innerHTML =
    '<div class="progress"><span></span></div>' +
    '<div class="row"><div class="meta"><span class="label"></span><span class="scenario"></span></div>' +
    '<div class="caption"></div>' +
    '<div class="controls"><button class="next" type="button">Next \u25B6</button>' +
    '<button class="continue" type="button">Continue \u23E9</button>' +
    '<span class="hint">or press Enter in the terminal</span></div></div>';
  root.appendChild(bar);
  const $ = (sel) => bar.querySelector(sel);
  let targets = [];
  let choice = null;
  let current = { label: "", caption: "", scenario: "", progress: 0, paused: false };
  let hidden = false;

  $(".next").addEventListener("click", (e) => { e.stopPropagation(); choice = "next"; });
  $(".continue").addEventListener("click", (e) => { e.stopPropagation(); choice = "continue"; });

  function place() {
    if (!host.isConnected) return;
    const vh = window.innerHeight;
    const barHeight = bar.getBoundingClientRect().height || 96;
    let covered = false;
    const rects = targets.map((el) => (el.isConnected ? el.getBoundingClientRect() : null));
    while (boxes.children.length < rects.length) {
      const box = document.createElement("div");
      box.className = "box";
      boxes.appendChild(box);
    }
    rects.forEach((r, i) => {
      const box = boxes.children[i];
      if (!r || (r.width === 0 && r.height === 0)) { box.style.display = "none"; return; }
      box.style.display = "block";
      box.style.left = r.left - 5 + "px";
      box.style.top = r.top - 5 + "px";
      box.style.width = r.width + 10 + "px";
      box.style.height = r.height + 10 + "px";
      if (r.bottom + 8 > vh - barHeight && r.top < vh) covered = true;
    });
    for (let i = rects.length; i < boxes.children.length; i++) boxes.children[i].style.display = "none";
    // the bar moves to the top when it would cover the element it talks about
    bar.className = "bar " + (covered ? "top" : "bottom") + (current.paused ? " paused" : "");
  }
  function loop() {
    if (!host.isConnected) return;
    place();
    requestAnimationFrame(loop);
  }

  function describe(el) {
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || null,
      // a field's value is never read: it may be a password
      text: (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)
        ? el.getAttribute("aria-label") || el.getAttribute("name") || el.getAttribute("placeholder") || ""
        : el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 80),
      rect: { x: r.x, y: r.y, width: r.width, height: r.height },
    };
  }

  window.__smokeDemo = {
    alive: () => host.isConnected,
    show(state) {
      current = Object.assign({}, current, state);
      $(".label").textContent = current.label;
      $(".scenario").textContent = current.scenario;
      $(".caption").textContent = current.caption;
      $(".progress span").style.width = Math.round(Math.max(0, Math.min(1, current.progress)) * 100) + "%";
      place();
    },
    highlight(elements) {
      targets = (elements || []).filter(Boolean);
      place();
    },
    setPaused(paused) {
      current.paused = !!paused;
      choice = null;
      place();
    },
    takeChoice() {
      const c = choice;
      choice = null;
      return c;
    },
    setHidden(value) {
      hidden = !!value;
      host.style.setProperty("display", hidden ? "none" : "block", "important");
    },
    state() {
      const b = bar.getBoundingClientRect();
      return {
        label: $(".label").textContent,
        caption: $(".caption").textContent,
        scenario: $(".scenario").textContent,
        paused: current.paused,
        hidden: hidden,
        position: bar.classList.contains("top") ? "top" : "bottom",
        bar: { x: b.x, y: b.y, width: b.width, height: b.height },
        buttons: current.paused
          ? Object.fromEntries(["next", "continue"].map((name) => {
              const r = $("." + name).getBoundingClientRect();
              return [name, { x: r.x, y: r.y, width: r.width, height: r.height }];
            }))
          : {},
        highlighted: targets.filter((el) => el.isConnected).map(describe),
      };
    },
  };
  document.documentElement.appendChild(host);
  requestAnimationFrame(loop);
  return true;
}
