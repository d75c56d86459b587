// math_typeset: the formulas the reader sees first are typeset first
// (bookkit.sphinx.site_layout). MathJax starts with `startup.typeset: false`;
// once it is ready, the formulas on the first screen (and one screen below)
// are typeset, which ends MathJax's startup (`MathJax.startup.promise`). The
// rest follow once the page has loaded, in the page's idle time, those the
// reader scrolls to first: each batch holds as many formulas as the idle
// period has time for (at the pace measured so far; MIN_BATCH to BATCH), so
// that neither the load nor the reader's input waits for them. Each batch is chained on
// `MathJax.startup.promise`, as every other caller of `MathJax.typesetPromise`
// on the site does, so no two typesettings overlap.
// `window.gaussmlMathTypeset` resolves once every formula of the page is
// typeset, each with its assistive MathML.
(() => {
  const mathjax = window.MathJax;
  if (!mathjax) return; // a page without math
  const BATCH = 40; // the most formulas per idle period (about 50 ms on a quiet machine)
  // The fewest per batch: about 20 ms, under a long task (50 ms), so the rest of
  // the page's math still ends within seconds where the idle periods are short.
  const MIN_BATCH = 10;
  const IDLE_MS = 50; // the longest idle period a browser gives
  const MARGIN = 1.0; // viewport heights below the screen that count as the first screen
  let finish;
  window.gaussmlMathTypeset = new Promise((resolve) => (finish = resolve));

  const pending = () => Array.from(document.querySelectorAll(".math")).filter(
    (el) => !el.querySelector("mjx-container"),
  );
  const near = (el) => {
    const box = el.getBoundingClientRect();
    return box.bottom >= 0 && box.top <= window.innerHeight * (1 + MARGIN);
  };
  const idle = () =>
    new Promise((resolve) =>
      window.requestIdleCallback ? requestIdleCallback(resolve, { timeout: 200 }) : setTimeout(resolve, 20),
    );
  // The time left in the idle period (all of one where the browser does not say).
  const remaining = (deadline) =>
    deadline && deadline.timeRemaining && !deadline.didTimeout ? deadline.timeRemaining() : IDLE_MS;
  let msPerFormula = 2; // as measured on the batches so far
  const loaded = () =>
    new Promise((resolve) =>
      document.readyState === "complete" ? resolve() : window.addEventListener("load", resolve, { once: true }),
    );
  const typeset = (elements) => {
    MathJax.startup.promise = MathJax.startup.promise.then(() => MathJax.typesetPromise(elements));
    return MathJax.startup.promise;
  };

  async function rest() {
    await loaded();
    for (;;) {
      const deadline = await idle();
      const left = pending();
      if (!left.length) break;
      const seen = left.filter(near);
      const count = Math.min(BATCH, Math.max(MIN_BATCH, Math.floor(remaining(deadline) / msPerFormula)));
      const batch = (seen.length ? seen : left).slice(0, count);
      const started = performance.now();
      await typeset(batch);
      msPerFormula = (msPerFormula + (performance.now() - started) / batch.length) / 2;
    }
    await typeset(); // anything outside a `.math` element (none today)
    finish();
  }

  function firstScreen() {
    const seen = pending().filter(near);
    return (seen.length ? MathJax.typesetPromise(seen) : Promise.resolve()).then(() => {
      // After startup has resolved: the next batches chain on its promise.
      setTimeout(() => rest().catch((error) => console.warn("math_typeset:", error)), 0);
    });
  }

  const startup = (mathjax.startup = mathjax.startup || {});
  if (startup.promise) {
    // MathJax has started already (this script ran after it).
    startup.promise.then(firstScreen);
  } else {
    startup.typeset = false;
    startup.pageReady = () => MathJax.startup.defaultPageReady().then(firstScreen);
  }
})();
