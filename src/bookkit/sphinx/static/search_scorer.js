// search_snippets (bookkit.sphinx.search_snippets): Sphinx's scores, with one
// change. A page scores on every word of its section titles, so a query that
// names a section ranks each whole chapter that mentions it above the section
// itself. A result that points into a page (an #anchor: a section) gets a
// boost above any whole page, so the matching section comes first.
// Loaded before searchtools.js, which keeps a Scorer that is already defined.
var Scorer = {
  score: (result) => {
    const [, , anchor, , score] = result;
    return anchor ? score + 20 : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
