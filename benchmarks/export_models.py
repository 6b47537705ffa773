#!/usr/bin/python3
"""Exports the benchmark models to ONNX with Debian's python3-torchvision (seeded random weights,
opset 17, batch 1; static shapes). Usage: /usr/bin/python3 benchmarks/export_models.py OUT_DIR
[--batch N] [NAME...]. With --batch N (N > 1) the files are NAME_bN.onnx: the same weights (same
seed) with a batch of N, for the GPU benchmark (benchmarks/gpu.sh)."""
import os
import sys

import torch
import torchvision

OPSET = 17


class TinyTransformer(torch.nn.Module):
    """Token embedding 1000x128, two encoder layers (d_model 128, 4 heads, FF 512, GELU,
    batch-first), mean over the sequence, linear to 2."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(1000, 128)
        layer = torch.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, activation="gelu", batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = torch.nn.Linear(128, 2)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(dim=1))


def image_model(name):
    return getattr(torchvision.models, name)(weights=None), torch.rand(1, 3, 224, 224), "input"


MODELS = {
    "resnet18": lambda: image_model("resnet18"),
    "mobilenet_v2": lambda: image_model("mobilenet_v2"),
    "squeezenet1_1": lambda: image_model("squeezenet1_1"),
    "transformer": lambda: (TinyTransformer(), torch.randint(0, 1000, (1, 64)), "tokens"),
    # architectures the issue does not name: checks that the work generalizes
    "shufflenet_v2_x1_0": lambda: image_model("shufflenet_v2_x1_0"),
    "efficientnet_b0": lambda: image_model("efficientnet_b0"),
}


def main():
    args = sys.argv[1:]
    batch = 1
    if "--batch" in args:
        i = args.index("--batch")
        batch = int(args[i + 1])
        del args[i:i + 2]
    out = args[0]
    names = args[1:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, f"{name}.onnx" if batch == 1 else f"{name}_b{batch}.onnx")
        if os.path.exists(path):
            continue
        torch.manual_seed(0)
        model, example, input_name = MODELS[name]()
        if batch > 1:  # the batch-1 example keeps the random stream, so the weights are the same
            example = example.expand(batch, *example.shape[1:]).contiguous()
        model.eval()
        # randomize BatchNorm statistics too, so folding them is exercised with real numbers
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        torch.onnx.export(model, example, path, opset_version=OPSET, input_names=[input_name],
                          output_names=["output"], do_constant_folding=True)
        print(f"exported {path}")


if __name__ == "__main__":
    main()
