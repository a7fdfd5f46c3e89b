"""What a PyTorch model holds besides the layers its forward runs: PyTorch's module names for every module
(`layer1.0.conv1`), the nn.Parameters modules hold (parameter layers beside the input), and the layers
__init__ builds and forward never calls (their weights counted as model.parameters() counts them).
Mixed into TorchReader (pytorch.py)."""
from __future__ import annotations

from ..ir import Layer
from .common import SnippetError
from .torch_values import BUILT_IN, MODULE_VALUES, Filled, Module, SequentialModule, Weights
from .values import Instance


class HoldingsMixin:
    def name_modules(self, value, path, seen: set, record_only: bool = False) -> None:
        """PyTorch's module names (`layer1.0.conv1`): each module is named where it is first reached."""
        if not isinstance(value, MODULE_VALUES) or id(value) in seen:
            return
        if path is not None or record_only:
            seen.add(id(value))
        if not record_only and value.path is None:
            value.path = path
        sub = (lambda name: path if name == BUILT_IN else f"{path}.{name}" if path else name) \
            if path is not None else (lambda name: None)
        if isinstance(value, SequentialModule):
            for name, child in value.children:
                self.name_modules(child, sub(name), seen, record_only)
        elif isinstance(value, Instance):
            for name, attr in value.attributes.items():
                items = attr.items() if isinstance(attr, dict) else enumerate(attr) \
                    if isinstance(attr, (list, tuple)) else None
                if items is None:
                    self.name_modules(attr, sub(name), seen, record_only)
                else:
                    for key, item in items:
                        self.name_modules(item, sub(f"{name}.{key}"), seen, record_only)

    def input_hint(self, model) -> tuple[str, str]:
        """An input shape the model's first layer with a stated size takes, for the refusal that asks for one:
        (the example, why)."""
        found: list = []

        def walk(value, seen):
            if found or id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, Module):
                found.append(value)
                return
            children = [c for _, c in value.children] if isinstance(value, SequentialModule) else \
                [c for k, c in value.attributes.items() if k != BUILT_IN] + \
                ([value.attributes[BUILT_IN]] if BUILT_IN in value.attributes else []) \
                if isinstance(value, Instance) else []
            for child in children:
                walk(child, seen)
        walk(model, set())
        first = found[0] if found else None
        if first is None:
            return "3x224x224", ""
        s, why = first.settings, f" ({first.written} at line {first.line} reads "
        if first.kind == "conv2d" and isinstance(s.get("in_channels"), int):
            return f"{s['in_channels']}x32x32", why + f"{_count(s['in_channels'], 'channel')} of some height and width)"
        if first.kind == "conv1d" and isinstance(s.get("in_channels"), int):
            return f"{s['in_channels']}x100", why + f"{_count(s['in_channels'], 'channel')} of some length)"
        if first.kind == "dense" and isinstance(s.get("in_features"), int):
            return str(s["in_features"]), why + f"{_count(s['in_features'], 'feature')})"
        if first.kind == "embedding":
            return "16", why + "token indices: the input shape is the sequence length)"
        if first.kind in ("lstm", "gru", "simple_rnn") and isinstance(s.get("input_size"), int):
            return f"10x{s['input_size']}", why + f"steps of {_count(s['input_size'], 'feature')}: steps × features)"
        return "3x224x224", ""

    def count_weights(self, model) -> None:
        """Each nn.Parameter the model's modules hold: a parameter layer beside the input, named by its
        module path (`ln_f.weight`), so the totals count it as PyTorch's model.parameters() does."""
        seen: set = set()
        found: list = []
        registered = {id(value): line for _, _, value, line in self.buffers if isinstance(value, Filled)}

        def walk(value, path):
            if id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, Weights) or id(value) in registered:
                found.append((path, value))
            items = [(k, c) for k, c in value.children] if isinstance(value, SequentialModule) else \
                list(value.attributes.items()) if isinstance(value, Instance) else \
                list(value.items()) if isinstance(value, dict) else list(enumerate(value)) \
                if isinstance(value, (list, tuple)) else []
            for key, child in items:
                walk(child, f"{path}.{key}" if path else str(key))
        walk(model, "")
        for k, (path, weights) in enumerate(found):
            name = self.namer.fresh(path or "parameter")
            if isinstance(weights, Weights):
                settings = {"shape": weights.shape, **({} if weights.trainable else {"trainable": False})}
                layer = Layer(name, "parameter", settings, ("input",), weights.line, "Parameter")
            else:                                 # a registered buffer: saved with the model, not a parameter
                layer = Layer(name, "buffer", {"shape": weights.shape, "held": True}, ("input",),
                              registered[id(weights)], "Buffer")
            self.layers.insert(1 + k, layer)

    def count_uncalled(self, model) -> None:
        """A layer with weights that __init__ builds and forward never calls (EfficientNet's expansion conv
        when its ratio is 1): PyTorch's model.parameters() holds its weights, so the summary counts them
        too — beside the input, as that module's parameters (and buffers), with no output and no MACs —
        and says so. A module whose size cannot be told without an input is refused."""
        from .torch_modules import PARAMETER_FREE
        seen: set = set()

        def walk(value):
            if id(value) in seen:
                return
            seen.add(id(value))
            if isinstance(value, Module) and not value.calls and value.kind not in PARAMETER_FREE \
                    and not (value.tied and value.tied["layer"]):          # its tied weight is counted where it ran
                self.uncalled(value)
            children = [c for _, c in value.children] if isinstance(value, SequentialModule) else \
                list(value.attributes.values()) if isinstance(value, Instance) else \
                list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, (list, tuple)) \
                else []
            for child in children:
                walk(child)
        walk(model)

    def uncalled(self, module: Module) -> None:
        effect = held_weights(module)
        name = module.path or module.written
        if effect is None:
            raise SnippetError(f"module '{name}' ({module.written}, line {module.line}) is built but forward never "
                               "calls it: PyTorch counts its parameters in the model, and its size is not known "
                               "without an input", module.line)
        self.assume(module.line, f"{name} ({module.written}) is built but forward never calls it: its "
                               f"{effect.trainable + effect.non_trainable:,} parameters are counted, as PyTorch's "
                               "model.parameters() holds them; no output, no MACs")
        at = 1 + sum(1 for layer in self.layers if layer.kind in ("parameter", "buffer"))
        written = f"{module.written} (never called)"
        for kind, values, settings in (("parameter", effect.trainable, {}),
                                       ("parameter", effect.non_trainable, {"trainable": False}),
                                       ("buffer", effect.buffers, {})):
            if values:
                layer_name = self.namer.fresh(name if kind == "parameter" else f"{name}.buffers")
                self.layers.insert(at, Layer(layer_name, kind, {"shape": (values,), **settings}, ("input",),
                                             module.line, written))
                at += 1


def held_weights(module: Module):
    """The parameters and buffers a built-in module holds, from the sizes it states (in_channels,
    in_features, num_features, …): its rule applied to an input of that size whose spatial axes a window
    fits in (m² + 1 ≥ d·(k − 1) + 1 for m the largest of the kernel and dilation sizes); None when it states
    none (a Lazy layer)."""
    from ..conventions import Conventions
    from ..rules import ArchitectureError
    from ..kinds import DECLARED, KINDS
    stated = [module.settings[key] for key in DECLARED if isinstance(module.settings.get(key), int)]
    kind = KINDS.get(module.kind)
    if not stated or kind is None:
        return None
    size = stated[0]
    reach = 1 + max([int(v) for key in ("kernel", "dilation") for v in _ints(module.settings.get(key))] or [1]) ** 2
    shapes = [(size,) + (reach,) * kind.spatial_axes] if kind.spatial_axes is not None else [(size,), (1, size)]
    layer = Layer("uncalled", module.kind, {k: v for k, v in module.settings.items() if k in kind.takes}, ("input",))
    for shape in shapes:
        try:
            return kind.rule(layer, [shape], "channels_first", Conventions(rnn="pytorch", running_stats="buffers"))
        except (ArchitectureError, ValueError, TypeError, ZeroDivisionError):
            continue
    return None


def _ints(value) -> list:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
