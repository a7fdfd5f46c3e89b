"""The output size of a conv or pooling layer as a worked solution states it, each axis's formula with its
numbers (nnsolve.geometry writes the formula): `output size: ⌊(5 + 2·1 − 3)/2⌋ + 1 = 3 (rows and columns)`."""
from __future__ import annotations

from ...geometry import size_equation, slide, transposed

AXIS_NAMES = {1: ("length",), 2: ("rows", "columns")}


def output_size_note(spatial: tuple[int, ...], kernel: tuple[int, ...] | None, kind: str, settings: dict) -> str:
    """`kernel` None: a pooling layer (its window and ceil mode are in `settings`)."""
    if kind == "conv_transpose2d":
        axes = transposed(spatial, kernel, settings["stride"], settings["padding"], settings["dilation"],
                          settings["output_padding"])
        texts = [size_equation(a, transposed_conv=True) for a in axes]
    elif kernel is None:
        pool = settings["pool"]
        axes = slide(spatial, pool, pool if settings["stride"] is None else settings["stride"], settings["padding"],
                     1, ceil_mode=settings["ceil_mode"], setting="pool")
        texts = [size_equation(a, settings["ceil_mode"]) for a in axes]
    else:
        axes = slide(spatial, kernel, settings["stride"], settings["padding"], settings["dilation"])
        texts = [size_equation(a) for a in axes]
    names = AXIS_NAMES.get(len(texts), tuple(f"axis {i + 1}" for i in range(len(texts))))
    if len(set(texts)) == 1:
        both = "" if len(texts) == 1 else f" ({' and '.join(names)})"
        return f"output size: {texts[0]}{both}" if len(texts) > 1 else f"output {names[0]}: {texts[0]}"
    return "output size: " + ", ".join(f"{name} {text}" for name, text in zip(names, texts))


def backward_paddings(spatial: tuple[int, ...], kernel: tuple[int, ...], settings: dict) -> dict:
    """The zero-padding a convolution's backward formulas show: `full_padding`, the gradient's for ∂L/∂x (a full
    convolution: e − 1 − p per side, plus after it the rows the stride left unread), and `padding_text`, the
    input's for ∂L/∂K (None without padding)."""
    axes = slide(spatial, kernel, settings["stride"], settings["padding"], settings["dilation"])
    forward = [(a.before, a.after) for a in axes]
    full = [(a.extent - 1 - a.before,
             a.extent - 1 - a.after + (a.size + a.before + a.after - a.extent) % a.stride) for a in axes]
    return {"full_padding": _sides(full), "padding_text": None if not any(map(any, forward)) else _sides(forward)}


def _sides(pairs: list[tuple[int, int]]) -> str:
    """`1` for the same padding on every side; otherwise `(before, after)` per axis."""
    if len(set(pairs)) == 1 and pairs[0][0] == pairs[0][1]:
        return str(pairs[0][0])
    return ", ".join(f"({b}, {a})" for b, a in pairs)


def full_padding_note(spatial: tuple[int, ...], kernel: tuple[int, ...], settings: dict, flip: bool = False) -> str:
    """How ∂L/∂x's full convolution is padded, in numbers: `the full convolution: ∂L/∂z dilated by the stride 2
    (1 zero between entries), padded by e − 1 − p = 2 − 1 − 0 = 1 on every side, ⋆ the kernel rotated 180°`."""
    axes = slide(spatial, kernel, settings["stride"], settings["padding"], settings["dilation"])
    sides = []
    for a in axes:
        r = (a.size + a.before + a.after - a.extent) % a.stride
        before = f"{a.extent} − 1 − {a.before} = {a.extent - 1 - a.before}"
        after = f"{a.extent} − 1 − {a.after}{f' + {r}' if r else ''} = {a.extent - 1 - a.after + r}"
        sides.append(f"by e − 1 − p = {before} on each side" if before == after else
                     f"by e − 1 − p = {before} before and {after} after (+ the {r} the stride left unread)"
                     if r else f"by e − 1 − p = {before} before and {after} after")
    names = AXIS_NAMES.get(len(sides), tuple(f"axis {i + 1}" for i in range(len(sides))))
    padded = sides[0] if len(set(sides)) == 1 else "; ".join(f"{n} {t}" for n, t in zip(names, sides))
    strides = {a.stride for a in axes}
    dilated = "" if strides == {1} else (
        f" dilated by the stride {axes[0].stride} ({axes[0].stride - 1} zero{'s' if axes[0].stride > 2 else ''} "
        "between entries)," if len(strides) == 1 else " dilated by the strides,")
    kernel_used = "the kernel as given (the forward pass rotated it)" if flip else "the kernel rotated 180°"
    return f"the full convolution: the gradient{dilated} zero-padded {padded}, then ⋆ {kernel_used}"
