"""The Python side of test/interop/python.test.ts (run only where `import onnx, torch` works).

    python3 test/interop/pytorch_check.py DIR

For each case in DIR/cases.json (models nabla exported, with inputs and nabla's outputs):
onnx.checker.check_model(full_check=True), then docs/interop.md's recipe "by reading the
initializers" builds a torch.nn.Sequential whose outputs are compared with nabla's. Then the
reverse: a torch Sequential exported with torch.onnx.export (opset 13) to DIR/torch.onnx, with
inputs and torch's outputs for the Node side to compare with fromONNX. Prints one JSON object.
"""
import json
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ACTS = {"Sigmoid": torch.nn.Sigmoid, "Tanh": torch.nn.Tanh, "Relu": torch.nn.ReLU,
        "LeakyRelu": lambda: torch.nn.LeakyReLU(0.01), "Softmax": lambda: torch.nn.Softmax(dim=-1)}


def from_initializers(m):
    """docs/interop.md's recipe: nabla's (n_out, n_in) weights are torch.nn.Linear's layout."""
    w = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    layers = []
    if "preprocessing.mean" in w:
        mean, std = w["preprocessing.mean"], w["preprocessing.std"]

        class Standardize(torch.nn.Module):
            def forward(self, x):
                return (x - mean) / std
        layers.append(Standardize())
    for node in m.graph.node:
        if node.op_type == "Gemm":
            W, b = w[node.input[1]], w[node.input[2]]
            lin = torch.nn.Linear(W.shape[1], W.shape[0])
            with torch.no_grad():
                lin.weight.copy_(W)
                lin.bias.copy_(b)
            layers.append(lin)
        elif node.op_type in ACTS:
            layers.append(ACTS[node.op_type]())
    return torch.nn.Sequential(*layers)


def main(d):
    cases = json.load(open(f"{d}/cases.json"))
    results = []
    for c in cases:
        m = onnx.load(f"{d}/{c['onnx']}")
        onnx.checker.check_model(m, full_check=True)
        x = np.fromfile(f"{d}/{c['inputs']}", dtype="<f4").reshape(-1, c["nIn"])
        y = np.fromfile(f"{d}/{c['outputs']}", dtype="<f4").reshape(-1, c["nOut"])
        with torch.no_grad():
            t = from_initializers(m)(torch.from_numpy(x)).numpy()
        err = float(np.max(np.abs(t - y) / np.maximum(1, np.abs(y))))
        results.append({"name": c["name"], "checker": True, "maxRelError": err})

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6),
                                torch.nn.LeakyReLU(0.01), torch.nn.Linear(6, 4), torch.nn.Softmax(dim=-1))
    x = torch.rand(1000, 5) * 4 - 2
    torch.onnx.export(model, x[:1], f"{d}/torch.onnx", input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13)
    x.numpy().astype("<f4").tofile(f"{d}/torch.x.bin")
    with torch.no_grad():
        model(x).numpy().astype("<f4").tofile(f"{d}/torch.y.bin")
    ops = [n.op_type for n in onnx.load(f"{d}/torch.onnx").graph.node]
    print(json.dumps({"cases": results, "torch": {"ops": ops, "version": torch.__version__, "onnx": onnx.__version__}}))


if __name__ == "__main__":
    main(sys.argv[1])
