"""Validation at the Python boundary, shared by every module: the one home of every check.

Each public function checks its arguments once, here, and then computes on
trusted values. Where the body of a public function is the mathematics alone,
the checks are attached by the decorator `checked`: they run eagerly at the
call, then the (usually jitted) body runs on the checked arguments, so the
function the book prints is the one a user calls. A message names the argument, the value received and what
was expected. Values are judged in the dtype the computation uses (float32
unless JAX's x64 mode is on): a std of `1e-40` is positive in float64 but
rounds to a subnormal that the CPU flushes to 0 in float32, so it is an error.

Values are checked only when concrete: inside `jax.jit`, `jax.grad` or
`jax.vmap` they are tracers, which cannot be inspected, and pass unchecked
(the caller validated them before tracing). Under tracing, finiteness and
ranges are therefore not checked; shapes still are.
"""

from __future__ import annotations

import functools
import inspect
import math

import jax
import jax.numpy as jnp
import numpy as np


def is_traced(value) -> bool:
    """True for a JAX tracer (a value inside jit, grad or vmap), which cannot be inspected."""
    return isinstance(value, jax.core.Tracer)


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def compute_dtype(value=None):
    """The floating dtype JAX computes `value` in: float32 unless x64 is enabled."""
    if value is not None and not is_traced(value):
        dtype = np.asarray(value).dtype
        if np.issubdtype(dtype, np.floating):
            return jax.dtypes.canonicalize_dtype(dtype)
    return jax.dtypes.canonicalize_dtype(np.float64)


def real(value, name: str) -> np.ndarray | jax.Array:
    """`value` as an array after checking that it is real and numeric (not bool, not complex)."""
    if is_traced(value):
        return value
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{name} must be a real number or array, got {short(value)}") from err
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real number or array, got {short(value)}")
    not_wider_than_float64(arr, name)
    return arr


def finite(value, name: str):
    """Return `value` unchanged after checking that every entry is real and finite
    in the dtype of the computation (1e39 is infinite in float32)."""
    if is_traced(value):
        return value
    arr = real(value, name)
    with np.errstate(over="ignore"):
        cast = arr.astype(compute_dtype(arr))
    if not np.all(np.isfinite(cast)):
        dtype = compute_dtype(arr)
        raise ValueError(f"{name} must be finite (in {dtype}), got {short(value)}")
    return value


def positive_finite(value, name: str, *, power: int = 1):
    """Return `value` unchanged after checking that every entry is finite and > 0,
    and that `value ** power` is a normal, finite number of the computation dtype.

    `power=2` is for a std whose square the computation forms (a variance).
    """
    if is_traced(value):
        return value
    arr = real(value, name)
    if not np.all(np.isfinite(arr)) or not np.all(arr > 0):
        raise ValueError(f"{name} must be finite and > 0, got {short(value)}")
    dtype = compute_dtype(arr)
    info = np.finfo(dtype)
    low, high = float(info.tiny) ** (1 / power), float(info.max) ** (1 / power)
    a = arr.astype(np.float64)
    if not (np.all(a >= low) and np.all(a <= high)):
        what = name if power == 1 else f"{name}**{power}"
        raise ValueError(
            f"{name} must lie in [{low:.3g}, {high:.3g}] so that {what} is a normal finite "
            f"{dtype} number, got {short(value)}"
        )
    return value


def scalar(value, name: str) -> float:
    """A finite real scalar (a Python number or 0-d array), returned as a float."""
    if is_traced(value):
        return value
    arr = real(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    finite(value, name)  # the value as given, in the message
    return float(arr)


def positive_scalar(value, name: str, *, power: int = 1) -> float:
    """A finite scalar > 0 (see `positive_finite`), returned as a float."""
    if is_traced(value):
        return value
    arr = real(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    positive_finite(value, name, power=power)  # the value as given, in the message
    return float(arr)


def positive_int(value, name: str) -> int:
    """Return `value` as an int after checking that it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer >= 1, got {short(value)}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value}")
    return int(value)


def flag(value, name: str) -> bool:
    """A boolean (True or False), not a truthy string or number."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {short(value)}")
    return bool(value)


def one_of(value, name: str, options: tuple):
    """`value`, after checking that it is one of `options`."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {short(value)}")
    return value


def prng_key(value, name: str = "key"):
    """A JAX random key: a typed key `jax.random.key(seed)` or a raw `PRNGKey` (uint32, (2,))."""
    if is_traced(value):
        return value
    if isinstance(value, jax.Array):
        if jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key):
            if value.shape != ():
                raise ValueError(f"{name} must be a single key (shape ()), got shape {value.shape}")
            return value
        if value.dtype == jnp.uint32 and value.shape == (2,):
            return value
    raise TypeError(
        f"{name} must be a JAX random key such as jax.random.key(0), got {short(value)}"
    )


def array(value, name: str, *, ndim: int | None = None, nonempty: bool = True):
    """A finite real array of rank `ndim` with at least one entry, returned as a JAX array."""
    if is_traced(value):
        if ndim is not None and value.ndim != ndim:
            raise ValueError(f"{name} must have {ndim} dimension(s), got shape {value.shape}")
        return value
    arr = real(value, name)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    finite(arr, name)
    out = jnp.asarray(value)
    return out if jnp.issubdtype(out.dtype, jnp.floating) else out.astype(compute_dtype())


def design(X, y=None, beta=None, *, features: int | None = None, beta_name: str = "beta"):
    r"""Check the book's shapes and values: `X` (m, n) features by samples, `y` (n,), `beta` (m,).

    Every entry must be finite and n >= 1. `features` fixes m (1 for the
    networks, whose inputs are `(1, n)`); `beta_name` is the name of the
    coefficients' argument in the messages (`beta_init` for a start).

    Returns:
      `(X, y, beta)` as JAX arrays (None where not given).
    """
    shape = np.shape(X)
    if len(shape) != 2 or (features is not None and shape[0] != features):
        want = "(m, n) (features by samples)" if features is None else f"({features}, n)"
        raise ValueError(f"X must have shape {want}, got shape {shape}")
    m, n = shape
    if m == 0 or n == 0:
        raise ValueError(f"X must have at least one feature and one sample, got shape {shape}")
    X = array(X, "X", ndim=2)
    if y is not None:
        if np.shape(y) != (n,):
            raise ValueError(
                f"y must have shape (n,) = ({n},) to match X {shape}, got {np.shape(y)}"
            )
        y = array(y, "y", ndim=1)
    if beta is not None:
        if np.shape(beta) != (m,):
            raise ValueError(
                f"{beta_name} must have shape (m,) = ({m},) to match X {shape}, "
                f"got {np.shape(beta)}"
            )
        beta = array(beta, beta_name, ndim=1)
    return X, y, beta


def network(params, name: str = "params", *, outputs: int | None = None) -> int:
    """Check a network's parameters (a dict from `init_mlp`): keys, shapes, finite values.

    Returns:
      The number of outputs.
    """
    if not isinstance(params, dict) or set(params) != {"w1", "b1", "w2", "b2"}:
        raise TypeError(
            f"{name} must be a dict with keys w1, b1, w2, b2 (from init_mlp), got {short(params)}"
        )
    shapes = {k: np.shape(v) for k, v in params.items()}
    ok = (
        len(shapes["w1"]) == 2
        and shapes["w1"][1] == 1
        and shapes["b1"] == (shapes["w1"][0],)
        and len(shapes["w2"]) == 2
        and shapes["w2"][1] == shapes["w1"][0]
        and shapes["b2"] == (shapes["w2"][0],)
    )
    if not ok:
        raise ValueError(
            f"{name} must hold w1 (M, 1), b1 (M,), w2 (k, M), b2 (k,) for M hidden units, got shapes {shapes}"
        )
    for key, value in params.items():
        finite(value, f"{name}[{key!r}]")
    k = shapes["w2"][0]
    if outputs is not None and k != outputs:
        raise ValueError(f"{name} must be a network with {outputs} output(s), got {k} output(s)")
    return k


def positive_integers(value, name: str):
    """`value` after checking that every entry is an integer >= 1 (a dimension, say)."""
    if is_traced(value):
        return value
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be an integer >= 1, got {short(value)}")
    not_wider_than_float64(arr, name)
    with np.errstate(over="ignore"):  # judged in the computation dtype: 1e39 is inf in float32
        fits = np.isfinite(arr.astype(compute_dtype()))
    bad = ~np.isfinite(arr) | (arr < 1)
    bad |= np.isfinite(arr) & (np.round(np.where(np.isfinite(arr), arr, 0)) != arr)
    if np.any(bad):
        raise ValueError(f"{name} must be an integer >= 1, got {arr[bad].ravel()[:5].tolist()}")
    if not np.all(fits):
        raise ValueError(
            f"{name} must be finite in {compute_dtype()}, got {arr[~fits].ravel()[:5].tolist()}"
        )
    return value


def unit_interval(value, name: str):
    """`value` after checking that every entry is finite and lies in [0, 1] (a weight)."""
    if is_traced(value):
        return value
    finite(value, name)
    arr = np.asarray(value)
    if np.any((arr < 0) | (arr > 1)):
        bad = arr[(arr < 0) | (arr > 1)].ravel()[:5].tolist()
        raise ValueError(f"{name} must lie in [0, 1], got {bad}")
    return value


def same_shape_finite(a, b, names: tuple[str, str]):
    """Check that `a` and `b` (two end points, say) have the same shape and are finite."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, got {np.shape(a)} and "
            f"{np.shape(b)}"
        )
    finite(a, names[0])
    finite(b, names[1])


def prefix_indices(dims, dim_max: int, name: str = "dims"):
    """The index of the last coordinate of each prefix, after checking 1 <= dims <= dim_max."""
    positive_integers(dims, name)
    arr = np.asarray(dims)
    if arr.ndim != 1 or np.any(arr > dim_max):
        raise ValueError(
            f"{name} must be a 1-D sequence of integers in [1, {dim_max}], got {short(dims)}"
        )
    return jnp.asarray(arr.astype(int) - 1)


#: `beta_mle` refuses a design with cond(X) * eps above this bound. Least squares
#: by Householder QR is backward stable, so its relative error is at most about
#: cond(X) * eps, plus cond(X)^2 * eps * |r| / (|X| |beta|) when the residual r
#: is not small (Higham 2002, ch. 20); keeping the first term below 1e-3
#: leaves a factor 10 for the constants of that bound and at least two
#: correct digits. float32 (eps = 1.2e-7) accepts cond(X) up to 8.4e3,
#: float64 (eps = 2.2e-16) up to 4.5e12.
MAX_ERROR_BOUND = 1e-3


def max_condition(dtype) -> float:
    """The largest cond(X) that `beta_mle` accepts in `dtype`: `MAX_ERROR_BOUND / eps`."""
    return MAX_ERROR_BOUND / float(np.finfo(dtype).eps)


def well_posed_design(X):
    """Raise unless X has rank m and cond(X) = s_max / s_min is small for X's dtype.

    n >= m and rank m are required; then cond(X) (computed in float64 from the
    singular values of X as stored) times the machine epsilon of X's dtype
    must not exceed `MAX_ERROR_BOUND`, the first-order bound on the relative
    error of least squares by QR.
    """
    if is_traced(X):
        return
    m, n = np.shape(X)
    if n < m:
        raise ValueError(
            f"need at least as many samples as features: n = {n} < m = {m}, so X has rank "
            f"at most {n} < m and the least-squares problem has infinitely many minimisers "
            "(beta_min_norm picks the smallest, beta_ridge regularises)"
        )
    singular = np.linalg.svd(np.asarray(X, dtype=np.float64), compute_uv=False)
    rank = int(np.sum(singular > singular[0] * max(m, n) * np.finfo(np.float64).eps))
    if rank < m:
        raise ValueError(
            f"X ({m} by {n}) has rank {rank} < m = {m} (linearly dependent features), so "
            "X X^T is singular and the least-squares problem has infinitely many minimisers "
            "(beta_min_norm picks the smallest, beta_ridge regularises)"
        )
    dtype = np.dtype(X.dtype)
    eps = float(np.finfo(dtype).eps)
    cond = float(singular[0] / singular[-1])
    if not cond * eps <= MAX_ERROR_BOUND:
        if max_condition(np.float64) < cond:
            remedy = "rescale and centre the features, or regularise with beta_ridge"
        elif jax.config.jax_enable_x64:
            remedy = "rescale and centre the features, or pass X and y as float64 arrays"
        else:
            remedy = (
                "rescale and centre the features, or enable float64 "
                "(jax.config.update('jax_enable_x64', True))"
            )
        raise ValueError(
            f"X is ill-conditioned: cond(X) = {cond:.3g}, so least squares in {dtype} "
            f"(eps = {eps:.2g}) can lose all accuracy: cond(X) * eps = {cond * eps:.2g} > "
            f"{MAX_ERROR_BOUND:g}; expected cond(X) <= {max_condition(dtype):.3g} in {dtype}; "
            f"{remedy}"
        )


def target(value, name: str = "target"):
    """`value` after checking that it is a regression `Target` with finite coefficients."""
    from gaussml.regression import Target  # here: regression imports this module

    if not isinstance(value, Target):
        raise TypeError(f"{name} must be a regression.Target such as target_f1, got {short(value)}")
    for field, coefficient in value._asdict().items():
        scalar(coefficient, f"{name}.{field}")
        if field in ("noise", "noise_slope"):
            nonnegative_finite(coefficient, f"{name}.{field}")
    if not value.x_low < value.x_high:
        raise ValueError(f"{name} needs x_low < x_high, got {value.x_low} and {value.x_high}")
    return value


def fitted(fit, outputs: int | None):
    """Check the first output of a fit: an `nn.Fit(params, scaling)` with a valid network."""
    from gaussml.nn import Fit  # here: nn imports this module

    if not isinstance(fit, Fit):
        raise TypeError(
            f"fit must be the first output of a fit, an nn.Fit(params, scaling), got {short(fit)}"
        )
    network(fit.params, "fit.params", outputs=outputs)
    scaling(fit.scaling, "fit.scaling")


# --- added for issue 30: dtypes, overflow-safe norms, containers --------------------------


def not_wider_than_float64(arr, name: str):
    """Reject a floating array wider than float64 (`np.longdouble`): JAX cannot compute in it,
    and a value such as 1e300 or 1e4000 would be judged finite before being cast."""
    dtype = getattr(arr, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating) and np.dtype(dtype).itemsize > 8:
        raise TypeError(
            f"{name} must be a float64, float32 or integer array, got dtype {dtype} "
            "(longdouble is not supported)"
        )
    return arr


def representable(result, what: str, **inputs):
    """Return `result` after checking that it is finite; otherwise the true value is beyond
    the computation dtype (the safe forms already ran), so raise, naming the inputs, instead
    of returning inf."""
    leaves = jax.tree_util.tree_leaves(result)
    if any(is_traced(leaf) for leaf in leaves):
        return result
    bad = [leaf for leaf in leaves if not bool(jnp.all(jnp.isfinite(leaf)))]
    if bad:
        dtype = jnp.asarray(bad[0]).dtype
        given = ", ".join(f"{k} = {short(v)}" for k, v in inputs.items())
        raise ValueError(
            f"{what} is not representable in {dtype} for {given}: its magnitude exceeds "
            f"{float(jnp.finfo(dtype).max):.3g} (rescale the input, or enable float64)"
        )
    return result


def squares_are_safe(x, terms: int) -> bool:
    """True if a plain sum of `terms` squares of entries of `x` neither overflows nor loses a
    nonzero entry to underflow in the computation dtype (the fast path of a norm).

    Traced values cannot be inspected, so they take the scaled (always safe) path.
    """
    if is_traced(x):
        return False
    if np.size(x) == 0:
        return True
    info = np.finfo(compute_dtype(x))
    high = math.sqrt(float(info.max) / max(terms, 1)) / 2
    low = math.sqrt(float(info.tiny) / float(info.eps))
    largest, smallest_nonzero = (float(v) for v in _magnitude_range(jnp.asarray(x)))
    return largest <= high and (smallest_nonzero == math.inf or smallest_nonzero >= low)


@jax.jit
def _magnitude_range(x):
    """max |x| and the smallest nonzero |x| (inf if there is none), on the device."""
    a = jnp.abs(x)
    return jnp.max(a), jnp.min(jnp.where(a > 0, a, jnp.inf))


def nonnegative_finite(value, name: str):
    """`value` after checking that every entry is finite and >= 0 (a noise std that may vanish)."""
    if is_traced(value):
        return value
    finite(value, name)
    if np.any(np.asarray(value) < 0):
        raise ValueError(f"{name} must be >= 0, got {short(value)}")
    return value


#: The keys of a network's scaling constants (`nn.TrainerState.scaling`, `nn.Fit.scaling`).
SCALING_KEYS = ("x_center", "x_scale", "y_center", "y_scale")


def scaling(value, name: str = "scaling"):
    """`value` after checking that it is a dict of the four scaling constants: finite real
    scalars, the two scales > 0 (a zero, negative or NaN scale would divide the data by it)."""
    if not isinstance(value, dict) or set(value) != set(SCALING_KEYS):
        raise TypeError(
            f"{name} must be a dict with keys {', '.join(SCALING_KEYS)}, got {short(value)}"
        )
    for key in SCALING_KEYS:
        if key.endswith("scale"):
            positive_scalar(value[key], f"{name}[{key!r}]")
        else:
            scalar(value[key], f"{name}[{key!r}]")
    return value


def target_coefficient(value, name: str, *, nonnegative: bool = False):
    """A coefficient of a regression `Target` as it is constructed.

    Numbers and concrete arrays are checked (finite and real, >= 0 for a noise
    std; an array of them is allowed, for a batch of targets under `jax.vmap`);
    anything else (a tracer, or the placeholders JAX's tree utilities put in a
    pytree's leaves) passes, so a target stays a pytree. The public functions
    that take a target check it again, as scalars (`target`).
    """
    if isinstance(value, str | bytes | bool | complex | np.bool_):
        raise TypeError(f"{name} must be a real number, got {short(value)}")
    if isinstance(value, int | float | np.number | np.ndarray) or (
        isinstance(value, jax.Array) and not is_traced(value)
    ):
        finite(value, name)
        if nonnegative:
            nonnegative_finite(value, name)
    return value


def power_of_two_scale(magnitude):
    """A power of 2 near `magnitude` (>= 0) to divide by exactly, jittable: 2^(e-1) for
    `magnitude` = m 2^e, m in [0.5, 1), with e clipped so that the scale and its
    reciprocal stay normal numbers (no flush to zero; 0 gives 2^-1)."""
    magnitude = jnp.asarray(magnitude)
    limit = jnp.finfo(magnitude.dtype).maxexp - 3
    _, exponent = jnp.frexp(magnitude)
    return jnp.ldexp(jnp.ones((), magnitude.dtype), jnp.clip(exponent - 1, -limit, limit))


def broadcastable(**arrays):
    """The shape the named arrays broadcast to, after checking that they do (named in the
    error: JAX's own message names an operation, not an argument)."""
    shapes = {name: np.shape(value) for name, value in arrays.items()}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        names = ", ".join(shapes)
        given = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"{names} must broadcast together, got shapes {given}") from None


def indices(value, size: int, name: str = "idx", *, max_count: int | None = None) -> np.ndarray:
    """`value` as a 1-D numpy int array, after checking that it lists between 1 and
    `max_count` (default `size`) distinct positions in [0, size)."""
    limit = size if max_count is None else max_count
    expected = f"{name} must list 1 to {limit} distinct integer positions in [0, {size})"
    if is_traced(value):
        raise TypeError(f"{expected} as concrete values (not traced), got {short(value)}")
    try:
        arr = np.atleast_1d(np.asarray(value))
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{expected}, got {short(value)}") from err
    if arr.ndim != 1 or arr.size == 0 or arr.size > limit:
        raise ValueError(f"{expected}, got shape {np.shape(value)}: {short(value)}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{expected}, got dtype {arr.dtype}: {short(value)}")
    if np.any((arr < 0) | (arr >= size)):
        raise ValueError(f"{expected}, got {arr.tolist()} (out of range)")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"{expected}, got {arr.tolist()} (repeated)")
    return arr.astype(int)


# --- issue 32: a public pure function, checked at the Python boundary ----------------------


def checked(check, *, result=None):
    """Decorate a pure function with eager checks of its arguments (and of its result).

    `check` takes the function's arguments by name (as the function does),
    raises the package's clear errors (each naming the argument, the value
    and what was expected) and returns a dict of the arguments it converted
    (a list to an array, say); an argument it leaves out passes unchanged.
    The function then runs on them, and `result(out, **arguments)`, if
    given, checks its output (for example that it is representable). Stack
    `@checked(check)` over `@jax.jit` so the body runs compiled, one
    compilation per shape. Under `jit`, `grad` or `vmap` the arguments are
    tracers, which the checks pass (shapes are still checked), at no cost per
    call of the compiled program. The decorated function keeps its name,
    docstring and signature, and its body is the mathematics;
    `f.__wrapped__` is the body alone.
    """

    def decorate(body):
        signature = inspect.signature(body)

        @functools.wraps(body)
        def checked_call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = {**bound.arguments, **check(**bound.arguments)}
            out = body(**arguments)
            return out if result is None else result(out, **arguments)

        return checked_call

    return decorate


def sample_shape(value, name: str = "shape") -> tuple[int, ...]:
    """A sample shape as a tuple of integers >= 1, as `jax.random.normal` takes it;
    an integer n stands for (n,)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, tuple | list) or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value
    ):
        raise TypeError(
            f"{name} must be a tuple of integers >= 1 (or one integer n for (n,)), "
            f"got {short(value)}"
        )
    if any(v < 1 for v in value):
        raise ValueError(f"{name} must be a tuple of integers >= 1, got {short(tuple(value))}")
    return tuple(int(v) for v in value)


def scaled_norm(x, axis: int = -1):
    """The Euclidean norm along `axis` as `m ||x / m||` with `m = max |x|`: no square
    overflows and no small one underflows (jittable; 0 for a zero vector)."""
    top = jnp.max(jnp.abs(x), axis=axis, keepdims=True)
    safe = jnp.where(top > 0, top, 1.0)
    return jnp.squeeze(safe, axis) * jnp.sqrt(jnp.sum((x / safe) ** 2, axis=axis))
