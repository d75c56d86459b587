// ref_previews: the site's one popover. A reference to an equation, figure,
// table, exercise or citation shows its target (copied at build time into a
// <template>), and a claim mark its tip (bookkit.sphinx.claim_marks), on hover
// and on keyboard focus; Escape closes it (WCAG 1.4.13). On a link with
// data-ref-tap="preview" (a claim mark) a tap opens it and a second tap follows
// the link. See bookkit.sphinx.ref_previews.
(() => {
  const POPOVER_ID = "ref-preview-popover";
  const HOVER_DELAY = 150; // ms: a pointer passing over a link opens nothing
  const HIDE_DELAY = 250; // ms: time to move the pointer from link to popover
  let popover = null;
  let current = null;
  let showTimer = 0;
  let hideTimer = 0;

  function ensurePopover() {
    if (popover) return popover;
    popover = document.createElement("div");
    popover.id = POPOVER_ID;
    popover.className = "ref-preview mathjax_process";
    popover.setAttribute("role", "tooltip");
    popover.hidden = true;
    popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    popover.addEventListener("mouseleave", () => scheduleHide());
    document.body.appendChild(popover);
    return popover;
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const width = popover.offsetWidth;
    const height = popover.offsetHeight;
    const margin = 8;
    let left = Math.min(box.left, document.documentElement.clientWidth - width - margin);
    left = Math.max(margin, left);
    let top = box.bottom + 6;
    if (top + height > window.innerHeight - margin && box.top - height - 6 > margin) {
      top = box.top - height - 6; // no room below: above the link
    }
    popover.style.left = `${left + window.scrollX}px`;
    popover.style.top = `${top + window.scrollY}px`;
  }

  function markClipped() {
    popover.classList.toggle("ref-preview--clipped", popover.scrollHeight > popover.clientHeight + 1);
  }

  function show(link) {
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    if (current === link) return;
    const template = document.getElementById(link.dataset.refPreview);
    if (!template) return;
    hide();
    ensurePopover();
    popover.replaceChildren(template.content.cloneNode(true));
    popover.dataset.refKind = link.dataset.refKind || "";
    popover.dataset.typeset = "pending";
    popover.hidden = false;
    current = link;
    link.setAttribute("aria-describedby", POPOVER_ID);
    place(link);
    markClipped();
    const mathjax = window.MathJax;
    if (mathjax && mathjax.typesetPromise) {
      const shown = popover.firstChild;
      (mathjax.startup && mathjax.startup.promise ? mathjax.startup.promise : Promise.resolve())
        .then(() => mathjax.typesetPromise([popover]))
        .then(() => {
          if (current !== link || popover.firstChild !== shown) return;
          popover.dataset.typeset = "done";
          place(link);
          markClipped();
        })
        .catch((error) => console.warn("ref_previews: MathJax could not typeset", error));
    } else {
      popover.dataset.typeset = "none";
    }
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (!popover || popover.hidden) return;
    if (window.MathJax && MathJax.typesetClear) MathJax.typesetClear([popover]);
    popover.hidden = true;
    popover.replaceChildren();
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  const previewLink = (target) =>
    target instanceof Element ? target.closest("a[data-ref-preview]") : null;

  document.addEventListener("mouseover", (event) => {
    const link = previewLink(event.target);
    if (!link) return;
    clearTimeout(hideTimer);
    if (current === link) return;
    clearTimeout(showTimer);
    showTimer = setTimeout(() => show(link), HOVER_DELAY);
  });
  document.addEventListener("mouseout", (event) => {
    const link = previewLink(event.target);
    if (link && !link.contains(event.relatedTarget)) {
      clearTimeout(showTimer);
      if (current === link) scheduleHide();
    }
  });
  document.addEventListener("focusin", (event) => {
    const link = previewLink(event.target);
    if (link) show(link);
  });
  document.addEventListener("focusout", (event) => {
    if (previewLink(event.target) === current) hide();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && popover && !popover.hidden) hide();
  });
  window.addEventListener("resize", hide);

  // A tap on a link marked data-ref-tap="preview" opens its popover; a second tap,
  // once it shows, follows the link. A tap anywhere else closes it.
  let tapOpens = false;
  document.addEventListener("pointerdown", (event) => {
    const link = previewLink(event.target);
    tapOpens = event.pointerType !== "mouse" && !!link && link.dataset.refTap === "preview" &&
      !(current === link && popover && !popover.hidden);
  }, true);
  document.addEventListener("click", (event) => {
    const link = previewLink(event.target);
    if (tapOpens && link) {
      event.preventDefault();
      show(link);
    } else if (current && !link && !(popover && popover.contains(event.target))) {
      hide();
    }
    tapOpens = false;
  });
})();
