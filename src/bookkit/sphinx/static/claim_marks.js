// claim_marks: a mark on an equation of an exercise shows once the exercise's
// solution is open (before, it would give the answer away). The mark's tip is
// shown by the site's one popover (ref_previews.js). See bookkit.sphinx.claim_marks.
(() => {
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
