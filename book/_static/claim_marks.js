// claim_marks: Escape closes an equation's claim tooltip (WCAG 1.4.13); it
// opens again once the pointer or the focus has left the mark and come back.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".claim-mark:hover, .claim-mark:focus-within").forEach((mark) => {
    mark.classList.add("claim-mark--closed");
  });
});
for (const leave of ["mouseout", "focusout"]) {
  document.addEventListener(leave, (event) => {
    const mark = event.target instanceof Element ? event.target.closest(".claim-mark") : null;
    if (mark && !mark.contains(event.relatedTarget)) mark.classList.remove("claim-mark--closed");
  });
}
