"""`gaussml._checks`, the package's one home of argument checks, tested directly.

Every bad input (NaN or inf in data, an empty batch, a wrong shape, a value
that overflows float32, a wrong type) raises the package's own `ValueError`
or `TypeError` from `_checks`, whose message names the argument, the value
received and what was expected. Property tests draw from bounded strategies
(hypothesis, derandomized in `conftest.py`); floats are compared with
tolerances or inequalities, never with `==`.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaussml import _checks
from gaussml.regression import target_f1

NAN, INF = float("nan"), float("inf")
F32 = str(_checks.compute_dtype())  # the computation dtype: float32 unless x64 is on


def raises(error, call, *pieces):
    """Run `call`, check it raises `error` from `_checks` with every piece in its message."""
    with pytest.raises(error) as excinfo:
        call()
    assert Path(str(excinfo.traceback[-1].path)).name == "_checks.py", excinfo.traceback[-1]
    message = str(excinfo.value)
    for piece in pieces:
        assert piece in message, (piece, message)
    return message


# --- NaN and inf in data ------------------------------------------------------------------


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_finite_names_the_argument_the_value_and_finite(bad):
    raises(ValueError, lambda: _checks.finite([1.0, bad], "x"), "x", "must be finite", repr(bad))


@pytest.mark.parametrize("bad", [NAN, INF])
@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (lambda v: _checks.array([0.0, v], "y", ndim=1), "must be finite"),
        (lambda v: _checks.scalar(v, "y"), "must be finite"),
        (lambda v: _checks.positive_finite(v, "y"), "must be finite and > 0"),
        (lambda v: _checks.positive_scalar(v, "y"), "must be finite and > 0"),
        (lambda v: _checks.nonnegative_finite([v], "y"), "must be finite"),
        (lambda v: _checks.unit_interval([0.5, v], "y"), "must be finite"),
    ],
)
def test_every_value_check_refuses_nan_and_inf(bad, check, expected):
    raises(ValueError, lambda: check(bad), "y", expected, repr(bad))


def test_design_refuses_nan_in_x_and_inf_in_y():
    X, y = np.ones((2, 3)), np.ones(3)
    raises(ValueError, lambda: _checks.design(X.copy() * NAN, y), "X must be finite", "nan")
    raises(ValueError, lambda: _checks.design(X, np.array([1.0, INF, 1.0])), "y must be", "inf")


def test_network_names_the_weight_that_is_not_finite():
    params = {"w1": np.ones((3, 1)), "b1": np.ones(3), "w2": np.ones((1, 3)), "b2": np.ones(1)}
    params["b1"] = np.array([0.0, NAN, 0.0])
    raises(ValueError, lambda: _checks.network(params), "params['b1'] must be finite", "nan")


def test_scaling_names_the_constant_and_refuses_a_zero_scale():
    scaling = dict(x_center=0.0, x_scale=1.0, y_center=0.0, y_scale=1.0)
    raises(ValueError, lambda: _checks.scaling({**scaling, "y_center": NAN}), "y_center", "nan")
    raises(ValueError, lambda: _checks.scaling({**scaling, "x_scale": 0.0}), "x_scale", "> 0")


# --- empty batches ------------------------------------------------------------------------


def test_array_refuses_an_empty_batch_and_names_its_shape():
    raises(ValueError, lambda: _checks.array([], "x", ndim=1), "x must not be empty", "(0,)")


@pytest.mark.parametrize("shape", [(0, 3), (2, 0)])
def test_design_refuses_no_feature_or_no_sample(shape):
    raises(ValueError, lambda: _checks.design(np.ones(shape)), "X must have", str(shape))


def test_empty_indices_and_sample_shapes_are_refused():
    raises(ValueError, lambda: _checks.indices([], 4), "idx must list 1 to 4", "shape (0,)")
    raises(ValueError, lambda: _checks.sample_shape((3, 0)), "shape must be", "(3, 0)")


# --- wrong shapes -------------------------------------------------------------------------


def test_array_names_the_expected_rank_and_the_shape_received():
    raises(
        ValueError, lambda: _checks.array(np.ones((2, 2)), "x", ndim=1), "x must have 1", "(2, 2)"
    )


def test_scalar_refuses_a_vector():
    raises(ValueError, lambda: _checks.scalar([1.0, 2.0], "mean"), "mean must be a scalar", "(2,)")


@pytest.mark.parametrize(
    ("args", "pieces"),
    [
        ((np.ones(3),), ("X must have shape (m, n)", "(3,)")),
        ((np.ones((2, 3)), np.ones(4)), ("y must have shape (n,) = (3,)", "(4,)")),
        ((np.ones((2, 3)), np.ones(3), np.ones(3)), ("beta must have shape (m,) = (2,)", "(3,)")),
    ],
)
def test_design_names_the_argument_its_shape_and_the_expected_shape(args, pieces):
    raises(ValueError, lambda: _checks.design(*args), *pieces)


def test_design_with_one_feature_expects_a_row():
    raises(ValueError, lambda: _checks.design(np.ones((2, 5)), features=1), "(1, n)", "(2, 5)")


def test_network_names_the_expected_shapes():
    params = {"w1": np.ones((3, 1)), "b1": np.ones(4), "w2": np.ones((1, 3)), "b2": np.ones(1)}
    raises(ValueError, lambda: _checks.network(params), "params must hold w1 (M, 1)", "(4,)")


def test_broadcastable_names_every_argument_and_its_shape():
    message = raises(
        ValueError,
        lambda: _checks.broadcastable(x=np.ones(2), mean=np.ones(3)),
        "must broadcast together",
    )
    assert "x (2,)" in message and "mean (3,)" in message


def test_same_shape_finite_names_both_end_points():
    call = lambda: _checks.same_shape_finite(np.ones(2), np.ones(3), ("lower", "upper"))  # noqa: E731
    raises(ValueError, call, "lower and upper must have the same shape", "(2,)", "(3,)")


def test_a_batch_of_keys_is_not_one_key():
    keys = jax.random.split(jax.random.key(0), 2)
    raises(ValueError, lambda: _checks.prng_key(keys), "key must be a single key", "(2,)")


def test_prefix_indices_refuses_a_dimension_beyond_the_last():
    raises(ValueError, lambda: _checks.prefix_indices([1, 5], 4), "dims must be", "[1, 4]", "5")


def test_indices_name_the_repeated_and_the_out_of_range_positions():
    raises(ValueError, lambda: _checks.indices([1, 1], 4), "idx must list", "[1, 1] (repeated)")
    raises(ValueError, lambda: _checks.indices([0, 4], 4), "[0, 4)", "[0, 4] (out of range)")


def test_well_posed_design_names_the_rank_and_the_condition_number():
    raises(ValueError, lambda: _checks.well_posed_design(np.ones((3, 2))), "n = 2 < m = 3")
    raises(ValueError, lambda: _checks.well_posed_design(np.ones((2, 5))), "has rank 1 < m = 2")
    x = np.linspace(0.0, 1.0, 6, dtype=np.float32)
    X = np.stack([x, x + np.float32(1e-4) * x**2])  # nearly dependent rows
    raises(ValueError, lambda: _checks.well_posed_design(X), "ill-conditioned", "cond(X) =")


# --- float32 overflow ---------------------------------------------------------------------


def test_a_value_beyond_float32_is_not_finite_in_the_computation_dtype():
    raises(ValueError, lambda: _checks.finite([1.0, 1e39], "x"), "x", F32, "1e+39")


def test_a_std_whose_square_overflows_names_the_square_and_the_range():
    std = 1e20  # finite in float32, but std**2 = 1e40 is not
    message = raises(
        ValueError, lambda: _checks.positive_finite(std, "std", power=2), "std**2", "1e+20"
    )
    assert re.search(r"must lie in \[[^]]+\]", message), message


def test_a_std_that_flushes_to_zero_in_float32_is_refused():
    raises(ValueError, lambda: _checks.positive_scalar(1e-40, "std"), "std must lie in", "1e-40")


def test_positive_integers_judged_in_the_computation_dtype():
    raises(ValueError, lambda: _checks.positive_integers([2.0, 1e39], "dims"), F32, "1e+39")


def test_representable_names_the_result_and_its_inputs():
    message = raises(
        ValueError,
        lambda: _checks.representable(jnp.array([1.0, jnp.inf]), "the draw", std=3e38),
        "the draw is not representable",
        "std = 3e+38",
    )
    assert "exceeds" in message


# --- wrong types --------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["1.0", 1 + 2j, True, [[1.0], [1.0, 2.0]], None])
def test_real_names_the_argument_and_the_value_of_a_wrong_type(bad):
    raises(TypeError, lambda: _checks.real(bad, "x"), "x must be a real number or array")


def test_a_longdouble_array_is_refused_with_its_dtype():
    wide = np.ones(2, dtype=np.longdouble)
    if wide.dtype.itemsize <= 8:
        pytest.skip("longdouble is float64 on this platform")
    raises(TypeError, lambda: _checks.real(wide, "x"), "x must be a float64", str(wide.dtype))


@pytest.mark.parametrize("bad", [1.5, "3", True, None])
def test_positive_int_refuses_a_non_integer(bad):
    raises(TypeError, lambda: _checks.positive_int(bad, "steps"), "steps must be an integer >= 1")


@pytest.mark.parametrize(
    ("call", "pieces"),
    [
        (lambda: _checks.flag("yes", "standardise_x"), ("standardise_x must be True", "'yes'")),
        (lambda: _checks.prng_key(0), ("key must be a JAX random key", "0")),
        (lambda: _checks.sample_shape("5"), ("shape must be a tuple of integers", "'5'")),
        (lambda: _checks.sample_shape((2, True)), ("shape must be a tuple", "(2, True)")),
        (lambda: _checks.indices([0.0, 1.0], 3), ("idx must list", "float64")),
        (lambda: _checks.network([1.0]), ("params must be a dict with keys w1", "[1.0]")),
        (
            lambda: _checks.scaling({"x_scale": 1.0}),
            ("scaling must be a dict with keys", "x_scale"),
        ),
        (lambda: _checks.target(1.0), ("target must be a regression.Target", "1.0")),
        (lambda: _checks.fitted({}, 2), ("fit must be the first output of a fit", "{}")),
        (lambda: _checks.target_coefficient("a", "Target.slope"), ("Target.slope", "'a'")),
        (lambda: _checks.positive_integers(["a"], "dims"), ("dims must be an integer", "'a'")),
    ],
)
def test_a_wrong_type_raises_type_error_naming_argument_and_value(call, pieces):
    raises(TypeError, call, *pieces)


def test_one_of_names_the_options():
    raises(ValueError, lambda: _checks.one_of("adagrad", "optimizer", ("adam", "sgd")), "adagrad")


def test_a_target_with_an_inverted_range_is_refused():
    bad = target_f1._replace(x_low=2.0, x_high=1.0)  # each field is valid alone
    raises(ValueError, lambda: _checks.target(bad), "x_low < x_high", "2.0", "1.0")


# --- what passes, and what it becomes ----------------------------------------------------


def test_array_returns_a_floating_jax_array():
    out = _checks.array([1, 2, 3], "x", ndim=1)
    assert isinstance(out, jax.Array) and jnp.issubdtype(out.dtype, jnp.floating)


def test_a_raw_prng_key_and_a_typed_key_both_pass():
    for key in (jax.random.key(0), jax.random.PRNGKey(0)):
        assert _checks.prng_key(key) is key


def test_traced_values_pass_unchecked_but_shapes_are_still_checked():
    seen = jax.jit(lambda x: _checks.finite(x, "x") * 1.0)(jnp.array([1.0, 2.0]))
    np.testing.assert_allclose(seen, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"x must have 2 dimension\(s\), got shape \(3,\)"):
        jax.jit(lambda x: _checks.array(x, "x", ndim=2))(jnp.ones(3))


# --- the decorator ------------------------------------------------------------------------


def _check_pair(x, scale):
    """Converts `x`; leaves `scale` to pass unchanged."""
    return {"x": _checks.array(x, "x", ndim=1)}


def _doubled_result(out, x, scale):
    return _checks.representable(out, "the product", x=x, scale=scale)


@_checks.checked(_check_pair, result=_doubled_result)
@jax.jit
def _scaled(x, *, scale=2.0):
    """`scale * x`."""
    return scale * x


def test_checked_keeps_the_name_docstring_and_signature():
    assert _scaled.__name__ == "_scaled" and _scaled.__doc__ == "`scale * x`."
    assert list(inspect.signature(_scaled).parameters) == ["x", "scale"]


def test_checked_converts_what_its_check_returns_and_passes_the_rest():
    np.testing.assert_allclose(_scaled([1, 2]), [2.0, 4.0])
    np.testing.assert_allclose(_scaled([1.0], scale=3.0), [3.0])


def test_checked_raises_before_the_body_and_checks_the_result():
    raises(ValueError, lambda: _scaled([1.0, NAN]), "x must be finite", "nan")
    raises(ValueError, lambda: _scaled([2e38], scale=4.0), "the product", "scale = 4.0")


def test_checked_functions_compose_under_jit_and_vmap():
    out = jax.vmap(lambda row: _scaled(row, scale=0.5))(jnp.ones((3, 2)))
    np.testing.assert_allclose(out, np.full((3, 2), 0.5))


def test_the_package_has_one_checking_decorator():
    """`nn` and every module use `_checks.checked`; no module defines its own."""
    import gaussml

    root = Path(gaussml.__file__).parent
    for path in sorted(root.glob("*.py")):
        text = path.read_text()
        assert not re.search(r"^def _?checked\(", text, re.M) or path.name == "_checks.py", path


# --- properties over bounded strategies ---------------------------------------------------

MAGNITUDES = st.floats(1e-30, 1e30)
FLOAT32_MAX = float(np.finfo(np.float32).max)


@settings(max_examples=60)
@given(st.lists(st.floats(-1e30, 1e30), min_size=1, max_size=6))
def test_scaled_norm_matches_numpy_in_float64(values):
    x = np.asarray(values, np.float32)
    expected = np.linalg.norm(x.astype(np.float64))
    np.testing.assert_allclose(float(_checks.scaled_norm(jnp.asarray(x))), expected, rtol=1e-5)


@settings(max_examples=60)
@given(MAGNITUDES)
def test_power_of_two_scale_brackets_its_magnitude(magnitude):
    m = np.float32(magnitude)
    scale = np.float32(_checks.power_of_two_scale(jnp.asarray(m)))
    assert 1.0 <= m / scale < 2.0
    assert int(scale.view(np.int32)) & 0x7FFFFF == 0  # a power of 2: no mantissa bits


@settings(max_examples=60)
@given(st.floats(-FLOAT32_MAX, FLOAT32_MAX))
def test_finite_accepts_every_float32_value(value):
    assert _checks.finite(value, "x") is value


@settings(max_examples=60)
@given(st.floats(3.5e38, 1e300), st.sampled_from([-1.0, 1.0]))
def test_finite_refuses_every_value_beyond_float32(magnitude, sign):
    if F32 != "float32":
        pytest.skip("x64 is on: these values are finite")
    raises(ValueError, lambda: _checks.finite(sign * magnitude, "x"), "x must be finite", F32)


@settings(max_examples=60)
@given(st.integers(1, 10**6), st.integers(-(10**6), 0))
def test_positive_int_accepts_from_one_and_names_a_value_below(good, bad):
    assert _checks.positive_int(good, "n") == good
    raises(
        ValueError, lambda: _checks.positive_int(bad, "n"), "n must be an integer >= 1", str(bad)
    )


SHAPES = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@settings(max_examples=60)
@given(SHAPES, SHAPES)
def test_broadcastable_agrees_with_numpy(shape_a, shape_b):
    a, b = np.zeros(shape_a), np.zeros(shape_b)
    try:
        expected = np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        raises(ValueError, lambda: _checks.broadcastable(a=a, b=b), f"a {shape_a}", f"b {shape_b}")
    else:
        assert _checks.broadcastable(a=a, b=b) == expected


@settings(max_examples=60)
@given(
    st.integers(1, 20).flatmap(lambda size: st.tuples(st.just(size), st.permutations(range(size))))
)
def test_indices_accept_distinct_positions_in_range(size_and_order):
    size, order = size_and_order
    chosen = order[: max(1, size // 2)]
    np.testing.assert_array_equal(_checks.indices(chosen, size), chosen)


@settings(max_examples=60)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5))
def test_unit_interval_accepts_exactly_the_values_in_zero_one(values):
    inside = all(0.0 <= v <= 1.0 for v in values)
    if inside:
        assert _checks.unit_interval(values, "w") is values
    else:
        raises(ValueError, lambda: _checks.unit_interval(values, "w"), "w must lie in [0, 1]")


@settings(max_examples=40)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=5))
def test_prefix_indices_are_the_dimensions_minus_one(dims):
    np.testing.assert_array_equal(_checks.prefix_indices(dims, 50), np.asarray(dims) - 1)


@settings(max_examples=40)
@given(st.text(max_size=400))
def test_short_never_exceeds_its_width(text):
    assert len(_checks.short(text)) <= 120
