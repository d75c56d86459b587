// claim_marks: the tip of an equation's check mark (bookkit.sphinx.claim_marks).
// - Escape closes it (WCAG 1.4.13); it opens again once the pointer or the
//   focus has left the mark and come back.
// - It opens where it fits: above the mark when there is no room below, and
//   shifted into the window when it would leave it sideways.
// - A tap opens it (a second tap follows the link to the report).
// - A mark on an equation of an exercise shows once the exercise's solution
//   is open (before, it would give the answer away).
(() => {
  const MARGIN = 8;

  function place(mark) {
    const tip = mark.querySelector(".claim-mark__tip");
    if (!tip) return;
    mark.classList.remove("claim-mark--above");
    tip.style.transform = "";
    const box = tip.getBoundingClientRect();
    if (!box.width) return; // not shown
    const link = mark.getBoundingClientRect();
    if (box.bottom > window.innerHeight - MARGIN && link.top - box.height - MARGIN > 0) {
      mark.classList.add("claim-mark--above");
    }
    const width = document.documentElement.clientWidth;
    let shift = 0;
    if (box.left < MARGIN) shift = MARGIN - box.left;
    else if (box.right > width - MARGIN) shift = width - MARGIN - box.right;
    if (shift) tip.style.transform = `translateX(${shift}px)`;
  }

  const markOf = (target) => (target instanceof Element ? target.closest(".claim-mark") : null);

  document.addEventListener("mouseover", (event) => {
    const mark = markOf(event.target);
    if (mark && !mark.contains(event.relatedTarget)) place(mark);
  });
  document.addEventListener("focusin", (event) => {
    const mark = markOf(event.target);
    if (mark) place(mark);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    document
      .querySelectorAll(".claim-mark:hover, .claim-mark:focus-within, .claim-mark--open")
      .forEach((mark) => {
        mark.classList.add("claim-mark--closed");
        mark.classList.remove("claim-mark--open");
      });
  });
  for (const leave of ["mouseout", "focusout"]) {
    document.addEventListener(leave, (event) => {
      const mark = markOf(event.target);
      if (mark && !mark.contains(event.relatedTarget)) mark.classList.remove("claim-mark--closed");
    });
  }

  // A tap on the mark opens its tip; a second tap follows the link.
  let touched = false;
  document.addEventListener("pointerdown", (event) => {
    touched = event.pointerType === "touch" || event.pointerType === "pen";
  }, true);
  document.addEventListener("click", (event) => {
    const mark = markOf(event.target);
    document.querySelectorAll(".claim-mark--open").forEach((open) => {
      if (open !== mark) open.classList.remove("claim-mark--open");
    });
    if (!mark || !touched || !event.target.closest(".claim-mark__link")) return;
    if (!mark.classList.contains("claim-mark--open")) {
      event.preventDefault();
      mark.classList.remove("claim-mark--closed");
      mark.classList.add("claim-mark--open");
      place(mark);
    }
  });

  // Marks inside an exercise: shown while the exercise's solution is open.
  // (sphinx-togglebutton hides a closed solution's content with `visibility`.)
  function solutionOpen(solution) {
    return Array.from(solution.children).some(
      (child) =>
        !child.matches(".admonition-title, button, .toggle-button") &&
        child.getClientRects().length > 0 &&
        getComputedStyle(child).visibility !== "hidden",
    );
  }

  function revealExerciseMarks() {
    document.querySelectorAll(".claim-mark--in-exercise").forEach((mark) => {
      const exercise = mark.closest(".exercise[id], div[id].exercise");
      if (!exercise) return;
      const solutions = Array.from(document.querySelectorAll("div.solution")).filter((s) =>
        s.querySelector(`.admonition-title a[href$="#${CSS.escape(exercise.id)}"]`),
      );
      mark.hidden = !solutions.some(solutionOpen);
    });
  }

  function start() {
    if (!document.querySelector(".claim-mark--in-exercise")) return;
    revealExerciseMarks();
    const observer = new MutationObserver(() => setTimeout(revealExerciseMarks, 0));
    document.querySelectorAll("div.solution").forEach((solution) =>
      observer.observe(solution, { attributes: true, subtree: true, attributeFilter: ["class"] }),
    );
    document.addEventListener("toggle", revealExerciseMarks, true);
    document.addEventListener("click", () => setTimeout(revealExerciseMarks, 50));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
