"""Writes the bundled architectures (the YAML files beside this one) from their published definitions:
`python -m nnsolve.bundled.generate`. The YAML files are what nnsolve reads; this script is how they
were made, kept so a layout can be checked against its source (torchvision, Keras, TF-slim)."""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Net:
    def __init__(self):
        self.layers: list[dict] = []

    def __call__(self, kind: str, name: str | None = None, inputs=None, **settings) -> str:
        layer = {"kind": kind, **({"name": name} if name else {}), **({"inputs": list(inputs)} if inputs else {}),
                 **settings}
        self.layers.append(layer)
        return name or ""

    def conv_bn(self, name, filters, kernel, stride=1, padding=0, act="relu", inputs=None, groups=1, bn=True,
                bn_name=None, act_name=None):
        """conv → batch norm → activation, named `name`, `name_bn`, `name_relu` unless named otherwise."""
        self("conv2d", f"{name}", inputs, filters=filters, kernel=kernel, stride=stride, padding=padding,
             **({"groups": groups} if groups > 1 else {}), bias=not bn)
        last = name
        if bn:
            last = self("batch_norm", bn_name or f"{name}_bn")
        if act:
            last = self("activation", act_name or f"{name}_{act}", function=act)
        return last


def lenet5() -> tuple[dict, Net]:
    n = Net()
    n("conv2d", "c1", filters=6, kernel=5, activation="tanh")
    n("avg_pool2d", "s2", pool=2)
    n("conv2d", "c3", filters=16, kernel=5, activation="tanh")
    n("avg_pool2d", "s4", pool=2)
    n("conv2d", "c5", filters=120, kernel=5, activation="tanh")
    n("flatten", "flatten")
    n("dense", "f6", units=84, activation="tanh")
    n("dense", "output", units=10, activation="softmax")
    return {"shape": [32, 32, 1], "layout": "channels_last"}, n


def alexnet():
    n = Net()
    for i, (f, k, s, p, pool) in enumerate([(64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False),
                                            (256, 3, 1, 1, False), (256, 3, 1, 1, True)], start=1):
        n("conv2d", f"conv{i}", filters=f, kernel=k, stride=s, padding=p)
        n("activation", f"relu{i}", function="relu")
        if pool:
            n("max_pool2d", f"pool{i}", pool=3, stride=2)
    _classifier(n, [4096, 4096], dropout_first=True)
    return {"shape": [3, 224, 224], "layout": "channels_first"}, n


def _classifier(n: Net, hidden, dropout_first: bool, keras: bool = False):
    n("flatten", "flatten")
    for i, units in enumerate(hidden, start=1):
        if dropout_first and not keras:
            n("dropout", f"drop{i}", rate=0.5)
        n("dense", f"fc{i}", units=units, **({"activation": "relu"} if keras else {}))
        if not keras:
            n("activation", f"fc{i}_relu", function="relu")
            if not dropout_first:
                n("dropout", f"drop{i}", rate=0.5)
    n("dense", "predictions" if keras else f"fc{len(hidden) + 1}", units=1000,
      **({"activation": "softmax"} if keras else {}))


def vgg16(keras: bool = False):
    n = Net()
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for c in range(1, convs + 1):
            if keras:
                n("conv2d", f"block{block}_conv{c}", filters=filters, kernel=3, padding="same", activation="relu")
            else:
                n("conv2d", f"block{block}_conv{c}", filters=filters, kernel=3, padding=1)
                n("activation", f"block{block}_relu{c}", function="relu")
        n("max_pool2d", f"pool{block}", pool=2, stride=2)
    _classifier(n, [4096, 4096], dropout_first=False, keras=keras)
    shape = {"shape": [224, 224, 3], "layout": "channels_last"} if keras else {"shape": [3, 224, 224], "layout": "channels_first"}
    return shape, n


def resnet(units, bottleneck: bool, slim: bool = False):
    """torchvision (v1.5: stride on the 3×3 conv of the first unit of a stage) or TF-slim resnet_v1
    (stride on the 3×3 conv of the last unit of a stage, none in the last stage). The torchvision layouts
    use torchvision's module names (`layer1.0.conv1`, `layer1.0.bn1`, `layer1.0.downsample.0`); its one
    `relu` module, called after each batch norm but the last and after the addition, is `relu`,
    `relu_1`, `relu_2` here (a layer list names each call), and the addition, no module in torch, `add`."""
    n = Net()
    if slim:
        n.conv_bn("conv1", 64, 7, 2, 3)
    else:
        n.conv_bn("conv1", 64, 7, 2, 3, bn_name="bn1", act_name="relu")
    n("max_pool2d", "maxpool", pool=3, stride=2, padding="same" if slim else 1)
    last, channels = "maxpool", 64
    for stage, count in enumerate(units, start=1):
        width = 64 * 2 ** (stage - 1)
        out = width * 4 if bottleneck else width
        for u in range(1, count + 1):
            if slim:
                stride = 2 if (u == count and stage < len(units)) else 1
            else:
                stride = 2 if (u == 1 and stage > 1) else 1
            p = f"layer{stage}.{u}" if slim else f"layer{stage}.{u - 1}"
            relus = iter(["relu", "relu_1", "relu_2"])

            def names(i: int, act: bool):
                if slim:
                    return {}
                return {"bn_name": f"{p}.bn{i}", **({"act_name": f"{p}.{next(relus)}"} if act else {})}
            if bottleneck:
                x = n.conv_bn(f"{p}.conv1", width, 1, 1, 0, inputs=[last], **names(1, True))
                x = n.conv_bn(f"{p}.conv2", width, 3, stride, 1, **names(2, True))
                x = n.conv_bn(f"{p}.conv3", out, 1, 1, 0, act=None, **names(3, False))
            else:
                x = n.conv_bn(f"{p}.conv1", width, 3, stride, 1, inputs=[last], **names(1, True))
                x = n.conv_bn(f"{p}.conv2", width, 3, 1, 1, act=None, **names(2, False))
            shortcut = last
            if stride != 1 or channels != out:
                if slim and channels == out:
                    shortcut = n("max_pool2d", f"{p}.subsample", inputs=[last], pool=1, stride=stride)
                elif slim:
                    shortcut = n.conv_bn(f"{p}.downsample", out, 1, stride, 0, act=None, inputs=[last])
                else:
                    shortcut = n.conv_bn(f"{p}.downsample.0", out, 1, stride, 0, act=None, inputs=[last],
                                         bn_name=f"{p}.downsample.1")
            n("add", f"{p}.add", inputs=[x, shortcut])
            last = n("activation", f"{p}.relu" if slim else f"{p}.{next(relus)}", function="relu")
            channels = out
    n("global_avg_pool", "avgpool")
    n("dense", "fc", units=1000)
    return ({"shape": [224, 224, 3], "layout": "channels_last"} if slim
            else {"shape": [3, 224, 224], "layout": "channels_first"}), n


def mobilenet_v2():
    n = Net()
    last = n.conv_bn("features.0", 32, 3, 2, 1, act="relu6")
    channels, index = 32, 1
    for t, c, count, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]:
        for u in range(count):
            stride = s if u == 0 else 1
            hidden, p, x = channels * t, f"features.{index}", last
            if t != 1:
                x = n.conv_bn(f"{p}.expand", hidden, 1, 1, 0, act="relu6", inputs=[x])
            x = n.conv_bn(f"{p}.depthwise", hidden, 3, stride, 1, act="relu6", groups=hidden, inputs=[x])
            x = n.conv_bn(f"{p}.project", c, 1, 1, 0, act=None)
            if stride == 1 and channels == c:
                x = n("add", f"{p}.add", inputs=[last, x])
            last, channels, index = x, c, index + 1
    n.conv_bn(f"features.{index}", 1280, 1, 1, 0, act="relu6", inputs=[last])
    n("global_avg_pool", "avgpool")
    n("dropout", "dropout", rate=0.2)
    n("dense", "classifier", units=1000)
    return {"shape": [3, 224, 224], "layout": "channels_first"}, n


def inception_v3(aux: bool = False):
    """torchvision's Inception-v3 (299×299; every conv is conv–BN–ReLU without bias), with or without
    the auxiliary classifier that reads Mixed_6e during training."""
    n = Net()
    for name, filters, kernel, stride, padding in [("Conv2d_1a_3x3", 32, 3, 2, 0), ("Conv2d_2a_3x3", 32, 3, 1, 0),
                                                   ("Conv2d_2b_3x3", 64, 3, 1, 1)]:
        last = n.conv_bn(name, filters, kernel, stride, padding)
    n("max_pool2d", "maxpool1", pool=3, stride=2)
    n.conv_bn("Conv2d_3b_1x1", 80, 1)
    n.conv_bn("Conv2d_4a_3x3", 192, 3)
    last = n("max_pool2d", "maxpool2", pool=3, stride=2)

    def chain(prefix, source, convs):
        """Convolutions one after another, each (suffix, filters, kernel, stride, padding)."""
        x = source
        for suffix, filters, kernel, stride, padding in convs:
            x = n.conv_bn(f"{prefix}.{suffix}", filters, kernel, stride, padding, inputs=[x])
        return x

    def avg_pool_branch(prefix, source, filters):
        n("avg_pool2d", f"{prefix}.branch_pool.avg", inputs=[source], pool=3, stride=1, padding=1)
        return chain(prefix, f"{prefix}.branch_pool.avg", [("branch_pool", filters, 1, 1, 0)])

    def concat(prefix, branches):
        return n("concat", prefix, inputs=branches)

    for block, pool_features in [("Mixed_5b", 32), ("Mixed_5c", 64), ("Mixed_5d", 64)]:      # InceptionA
        last = concat(block, [
            chain(block, last, [("branch1x1", 64, 1, 1, 0)]),
            chain(block, last, [("branch5x5_1", 48, 1, 1, 0), ("branch5x5_2", 64, 5, 1, 2)]),
            chain(block, last, [("branch3x3dbl_1", 64, 1, 1, 0), ("branch3x3dbl_2", 96, 3, 1, 1),
                                ("branch3x3dbl_3", 96, 3, 1, 1)]),
            avg_pool_branch(block, last, pool_features)])
    block = "Mixed_6a"                                                                        # InceptionB
    last = concat(block, [
        chain(block, last, [("branch3x3", 384, 3, 2, 0)]),
        chain(block, last, [("branch3x3dbl_1", 64, 1, 1, 0), ("branch3x3dbl_2", 96, 3, 1, 1),
                            ("branch3x3dbl_3", 96, 3, 2, 0)]),
        n("max_pool2d", f"{block}.branch_pool", inputs=[last], pool=3, stride=2)])
    row, column = ([1, 7], [0, 3]), ([7, 1], [3, 0])
    for block, c7 in [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)]:  # InceptionC
        last = concat(block, [
            chain(block, last, [("branch1x1", 192, 1, 1, 0)]),
            chain(block, last, [("branch7x7_1", c7, 1, 1, 0), ("branch7x7_2", c7, row[0], 1, row[1]),
                                ("branch7x7_3", 192, column[0], 1, column[1])]),
            chain(block, last, [("branch7x7dbl_1", c7, 1, 1, 0), ("branch7x7dbl_2", c7, column[0], 1, column[1]),
                                ("branch7x7dbl_3", c7, row[0], 1, row[1]),
                                ("branch7x7dbl_4", c7, column[0], 1, column[1]),
                                ("branch7x7dbl_5", 192, row[0], 1, row[1])]),
            avg_pool_branch(block, last, 192)])
    if aux:
        n("avg_pool2d", "AuxLogits.pool", inputs=[last], pool=5, stride=3)
        n.conv_bn("AuxLogits.conv0", 128, 1)
        n.conv_bn("AuxLogits.conv1", 768, 5)
        n("global_avg_pool", "AuxLogits.avgpool")
        n("dense", "AuxLogits.fc", units=1000)
    block = "Mixed_7a"                                                                        # InceptionD
    last = concat(block, [
        chain(block, last, [("branch3x3_1", 192, 1, 1, 0), ("branch3x3_2", 320, 3, 2, 0)]),
        chain(block, last, [("branch7x7x3_1", 192, 1, 1, 0), ("branch7x7x3_2", 192, row[0], 1, row[1]),
                            ("branch7x7x3_3", 192, column[0], 1, column[1]), ("branch7x7x3_4", 192, 3, 2, 0)]),
        n("max_pool2d", f"{block}.branch_pool", inputs=[last], pool=3, stride=2)])
    for block in ("Mixed_7b", "Mixed_7c"):                                                    # InceptionE
        three = chain(block, last, [("branch3x3_1", 384, 1, 1, 0)])
        double = chain(block, last, [("branch3x3dbl_1", 448, 1, 1, 0), ("branch3x3dbl_2", 384, 3, 1, 1)])
        last = concat(block, [
            chain(block, last, [("branch1x1", 320, 1, 1, 0)]),
            concat(f"{block}.branch3x3", [chain(block, three, [("branch3x3_2a", 384, [1, 3], 1, [0, 1])]),
                                          chain(block, three, [("branch3x3_2b", 384, [3, 1], 1, [1, 0])])]),
            concat(f"{block}.branch3x3dbl", [chain(block, double, [("branch3x3dbl_3a", 384, [1, 3], 1, [0, 1])]),
                                             chain(block, double, [("branch3x3dbl_3b", 384, [3, 1], 1, [1, 0])])]),
            avg_pool_branch(block, last, 192)])
    n("global_avg_pool", "avgpool", inputs=[last])
    n("dropout", "dropout", rate=0.5)
    n("dense", "fc", units=1000)
    return {"shape": [3, 299, 299], "layout": "channels_first"}, n


ARCHITECTURES = {
    "lenet5": ("LeNet-5 (LeCun et al. 1998; tanh, average pooling, Keras layout)", "keras", lenet5),
    "alexnet": ("AlexNet, torchvision layout", "pytorch", alexnet),
    "vgg16": ("VGG16, torchvision layout", "pytorch", vgg16),
    "vgg16_keras": ("VGG16 with top, Keras layout", "keras", lambda: vgg16(keras=True)),
    "resnet18": ("ResNet-18, torchvision layout", "pytorch", lambda: resnet([2, 2, 2, 2], False)),
    "resnet50": ("ResNet-50, torchvision layout (stride in the first unit of each stage)", "pytorch",
                 lambda: resnet([3, 4, 6, 3], True)),
    "resnet152": ("ResNet-152, torchvision layout", "pytorch", lambda: resnet([3, 8, 36, 3], True)),
    "resnet50_slim": ("ResNet-50 v1, TF-slim layout (stride in the last unit of each stage)", "keras",
                      lambda: resnet([3, 4, 6, 3], True, slim=True)),
    "mobilenet_v2": ("MobileNetV2, torchvision layout", "pytorch", mobilenet_v2),
    "inception_v3": ("Inception-v3, torchvision layout at 299×299, without the auxiliary classifier (inference)",
                     "pytorch", inception_v3),
    "inception_v3_aux": ("Inception-v3, torchvision layout at 299×299, with the auxiliary classifier (training)",
                         "pytorch", lambda: inception_v3(aux=True)),
}


def write_all() -> None:
    for name, (title, framework, build) in ARCHITECTURES.items():
        shape, net = build()
        lines = [f"# {title}. Written by nnsolve/bundled/generate.py.", "problem: architecture",
                 f"title: {json.dumps(title)}", f"framework: {framework}",
                 f"input: {json.dumps(shape)}", "layers:"]
        lines += [f"  - {json.dumps(layer)}" for layer in net.layers]
        (HERE / f"{name}.yaml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write_all()
