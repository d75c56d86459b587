"""Every registered claim holds, and claims and the book's equation labels match one to one."""

import ast
import re
from pathlib import Path

import pytest
import sympy as sp

from gaussml import derivations
from gaussml.derivations import ClaimFailed, assert_equal, assert_steps, claim, claims, verify
from gaussml.derivations._results import check

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"

# `$$ ... $$ (label)` and the `{math}` directive's `:label:` option.
_DOLLAR_LABEL = re.compile(r"\$\$\s*\(([A-Za-z0-9_:.-]+)\)\s*$", re.MULTILINE)
_DIRECTIVE_LABEL = re.compile(r"^```\{math\}\s*\n(?::[a-z]+:.*\n)*?:label:\s*(\S+)", re.MULTILINE)


def equation_labels(folder: Path = BOOK) -> dict[str, Path]:
    """Every numbered equation's label in the MyST sources under `folder`."""
    found: dict[str, Path] = {}
    for page in sorted(folder.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for label in _DOLLAR_LABEL.findall(text) + _DIRECTIVE_LABEL.findall(text):
            assert label not in found, f"equation label {label!r} in both {found[label]} and {page}"
            found[label] = page
    return found


@pytest.mark.parametrize("name", sorted(claims()))
def test_claim_holds(name):
    # From the claim-results cache when `make verify` ran this claim's code already.
    error = check([name], {}, workers=1).claims[name]
    assert error is None, error


def test_verify_runs_a_claim_and_times_it():
    result = verify("normal_pdf_maximum")
    assert result.seconds >= 0


def test_the_book_has_numbered_equations():
    assert len(equation_labels()) >= 5


def test_every_numbered_equation_has_a_claim():
    missing = sorted(set(equation_labels()) - derivations.registered_labels())
    assert not missing, f"numbered equations without a claim in gaussml.derivations: {missing}"


def test_every_claim_names_a_label_in_the_book():
    labels = set(equation_labels())
    stray = {c.name: sorted(set(c.labels) - labels) for c in claims().values()}
    stray = {name: ls for name, ls in stray.items() if ls}
    assert not stray, f"claims naming labels that are not in book/: {stray}"


def test_every_claim_runs_at_build_time():
    """The report page's `claim-report` directive (bookkit.sphinx.claim_marks) runs them all."""
    pages = [p for p in BOOK.rglob("*.md") if "```{claim-report}" in p.read_text(encoding="utf-8")]
    assert len(pages) == 1, f"expected one page with the claim-report directive, found {pages}"


def test_label_scanner_reads_both_syntaxes(tmp_path):
    (tmp_path / "page.md").write_text(
        "$$ a = b $$ (eq-one)\n\n```{math}\n:label: eq-two\n\nc = d\n```\n", encoding="utf-8"
    )
    assert set(equation_labels(tmp_path)) == {"eq-one", "eq-two"}


def test_assert_equal_rejects_a_false_identity():
    x = sp.Symbol("x", positive=True)
    with pytest.raises(ClaimFailed, match="variance"):
        assert_equal(sp.sqrt(x**2 * 2), 2 * x, "variance")


def test_assert_steps_names_the_broken_step():
    x = sp.Symbol("x", real=True)
    with pytest.raises(ClaimFailed, match="step 2 -> 3"):
        assert_steps([(x + 1) ** 2, x**2 + 2 * x + 1, x**2 + 1], "expansion")


def test_assert_equal_compares_matrices_entrywise():
    a = sp.MatrixSymbol("A", 2, 2).as_explicit()
    assert_equal(a.T.T, a, "transpose twice")
    with pytest.raises(ClaimFailed, match="entries"):
        assert_equal(a.T, a, "transpose")


def test_unknown_claim_is_a_clear_error():
    with pytest.raises(KeyError, match="no claim named"):
        verify("not_a_claim")


def test_assert_equal_splits_logs_only_for_positive_symbols():
    # log(x y) = log x + log y is false for x, y < 0 (log(-1 * -1) = 0, but
    # log(-1) + log(-1) = 2 i pi), so real symbols must not pass ...
    x, y = sp.symbols("x y", real=True)
    with pytest.raises(ClaimFailed, match="log of a product"):
        assert_equal(sp.log(x * y), sp.log(x) + sp.log(y), "log of a product")
    with pytest.raises(ClaimFailed, match="root of a product"):
        assert_equal(sp.sqrt(x * y), sp.sqrt(x) * sp.sqrt(y), "root of a product")
    # ... while for positive symbols the same identities hold and pass.
    a, b = sp.symbols("a b", positive=True)
    assert_equal(sp.log(a * b), sp.log(a) + sp.log(b), "log of a product")
    assert_equal(sp.log(a**2 * sp.exp(b) / 2), 2 * sp.log(a) + b - sp.log(2), "log of a monomial")
    assert_equal(sp.sqrt(a * b), sp.sqrt(a) * sp.sqrt(b), "root of a product")


def test_every_claim_states_its_scope():
    unscoped = [name for name, c in claims().items() if not c.scope.strip()]
    assert not unscoped, f"claims without a scope: {unscoped}"


def test_a_claim_without_scope_is_refused():
    with pytest.raises(TypeError, match="scope"):
        claim("eq-x", statement="something")
    with pytest.raises(ValueError, match="scope must say"):
        claim("eq-x", statement="something", scope="  ")


def _test_functions(path: Path) -> set[str]:
    """The pytest ids `name` and `Class::name` of the test functions defined in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return {name for name in names if name.split("::")[-1].startswith("test")}


def _missing_tests(node_ids: dict[str, str], root: Path) -> dict[str, str]:
    """The claims whose `path::test` node id names no test function in that file."""
    missing = {}
    for name, node_id in node_ids.items():
        path, _, test = node_id.partition("::")
        test = test.split("[")[0]  # a parametrised id names its function
        if not (root / path).is_file() or test not in _test_functions(root / path):
            missing[name] = node_id
    return missing


def test_every_monte_carlo_test_exists():
    node_ids = {name: c.monte_carlo for name, c in claims().items() if c.monte_carlo}
    assert node_ids, "no claim names a Monte Carlo test"
    missing = _missing_tests(node_ids, ROOT)
    assert not missing, f"monte_carlo= names a test that does not exist: {missing}"


def test_missing_monte_carlo_test_is_found(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(
        "def test_one():\n    pass\n\nclass TestB:\n    def test_two(self):\n        pass\n",
        encoding="utf-8",
    )
    ids = {
        "ok": "tests/test_a.py::test_one",
        "param": "tests/test_a.py::test_one[0.5]",
        "method": "tests/test_a.py::TestB::test_two",
        "typo": "tests/test_a.py::test_onee",
        "nofile": "tests/test_b.py::test_one",
    }
    assert _missing_tests(ids, tmp_path) == {"typo": ids["typo"], "nofile": ids["nofile"]}


def test_a_monte_carlo_claim_names_its_test_in_its_scope():
    vague = [
        name
        for name, c in claims().items()
        if c.monte_carlo and c.monte_carlo.split("::")[-1].split("[")[0] not in c.scope
    ]
    assert not vague, f"Monte Carlo claims whose scope does not name their test: {vague}"
