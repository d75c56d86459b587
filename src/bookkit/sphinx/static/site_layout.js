// site_layout: a region that scrolls sideways shows it and takes the keyboard
// focus (bookkit.sphinx.site_layout). Each region wider than its box gets the
// class `scroll-x` and, while more of it hides on a side, `scroll-x--left` or
// `scroll-x--right` (the fade of site_layout.css), and `tabindex="0"`,
// `role="region"` and a name, so that the keyboard can scroll it (axe-core:
// scrollable-region-focusable). Regions are measured again when they change
// size: on resize, once MathJax has typeset, and when a solution opens.
(() => {
  const REGIONS = [
    ["div.math > mjx-container", "Equation"],
    ["span.math", "Formula"],
    ["div.highlight > pre", "Code"],
    [".cell_output > .output", "Output"],
    [".figure-scroll", "Figure"],
    [".pst-scrollable-table-container", "Table"],
    ["table.claim-report", "Verification report"],
  ];
  const SELECTOR = REGIONS.map(([s]) => s).join(", ");
  const observed = new WeakSet();

  function label(el) {
    for (const [selector, name] of REGIONS) {
      if (!el.matches(selector)) continue;
      const eqno = el.closest("div.math") && el.closest("div.math").querySelector(".eqno");
      const number = eqno ? eqno.textContent.replace(/[^\d.()]/g, "") : "";
      return `${name}${number ? " " + number : ""}, scrolls sideways`;
    }
    return "Scrolls sideways";
  }

  function cue(el) {
    const more = el.classList.contains("scroll-x") ? el.scrollWidth - el.clientWidth : 0;
    el.classList.toggle("scroll-x--left", more > 1 && el.scrollLeft > 1);
    el.classList.toggle("scroll-x--right", more > 1 && el.scrollLeft < more - 1);
  }

  // A formula's own width (its assistive MathML, clipped to nothing, does not count).
  function contentWidth(el) {
    const math = el.matches("span.math, mjx-container") && el.querySelector("mjx-math");
    return math ? Math.ceil(math.getBoundingClientRect().width) : el.scrollWidth;
  }

  function update(el) {
    const scrolls = el.clientWidth > 0 && contentWidth(el) > el.clientWidth + 2;
    const was = el.classList.contains("scroll-x");
    el.classList.toggle("scroll-x", scrolls);
    if (scrolls) {
      el.tabIndex = 0;
      if (!el.hasAttribute("role")) {
        el.setAttribute("role", "region");
        el.dataset.scrollRole = "";
      }
      if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
        el.setAttribute("aria-label", label(el));
        el.dataset.scrollLabel = "";
      }
    } else if (was) {
      if (el.matches("pre, .cell_output > .output")) el.tabIndex = -1; // as the theme does
      else el.removeAttribute("tabindex");
      if ("scrollRole" in el.dataset) el.removeAttribute("role");
      if ("scrollLabel" in el.dataset) el.removeAttribute("aria-label");
      delete el.dataset.scrollRole;
      delete el.dataset.scrollLabel;
    }
    cue(el);
  }

  const resized = new ResizeObserver((entries) => entries.forEach((e) => update(e.target)));

  function scan(root) {
    const found = root.matches && root.matches(SELECTOR) ? [root] : [];
    (root.querySelectorAll ? root.querySelectorAll(SELECTOR) : []).forEach((el) => found.push(el));
    for (const el of found) {
      if (!observed.has(el)) {
        observed.add(el);
        resized.observe(el);
        el.addEventListener("scroll", () => cue(el), { passive: true });
      }
      update(el);
    }
  }

  function rescanAll() {
    scan(document);
  }

  // After a change (MathJax typesets a batch, a script adds a button), what
  // changed is measured: the nodes added and the regions around the changes.
  const changed = new Set();
  let pending = 0;
  function rescanChanged() {
    const nodes = Array.from(changed);
    changed.clear();
    for (const node of nodes) {
      if (!node.isConnected) continue;
      const region = node.closest(SELECTOR);
      scan(region && region !== node ? region : node);
    }
  }
  const mutated = new MutationObserver((records) => {
    for (const record of records) {
      if (record.target.nodeType === 1) changed.add(record.target);
      record.addedNodes.forEach((node) => node.nodeType === 1 && changed.add(node));
    }
    clearTimeout(pending);
    pending = setTimeout(rescanChanged, 100);
  });

  // A figure's image scrolls in a box of its own, so that its caption neither
  // scrolls nor fades with it.
  function wrapFigures() {
    document.querySelectorAll("figure > img[style*='--gaussml-min-width']").forEach((img) => {
      const box = document.createElement("div");
      box.className = "figure-scroll";
      img.replaceWith(box);
      box.appendChild(img);
    });
  }

  // Measuring lays the page out: not while it loads, but in a task of its own.
  const later = () => setTimeout(rescanAll, 0);

  function start() {
    wrapFigures();
    later();
    const main = document.getElementById("main-content") || document.body;
    mutated.observe(main, { subtree: true, childList: true });
    // A solution or a hidden cell opens: what it holds is measured again.
    document.addEventListener("toggle", rescanAll, true);
    document.addEventListener("click", () => setTimeout(rescanAll, 50), true);
    window.addEventListener("load", later);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(later);
    const mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(later);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
