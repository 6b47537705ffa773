#!/usr/bin/env python3
"""Times the GPU benchmark models in PyTorch eager mode, fp32 (TF32 off), for benchmarks/gpu.sh.

The models are those of export_models.py, built the same way (seed 0, eval mode, randomized
BatchNorm statistics). torchvision is used when it is installed; without it, resnet18 and
mobilenet_v2 come from the same-architecture definitions below (other random weights, the
same work), and the JSON says which. Each configuration: W warm-up runs, then up to N timed
runs (fewer after S seconds, at least 3), each between two CUDA events and synchronized, as
runtime-cuda/onnxc_cuda_bench.cu times onnxc. Prints one JSON line per model and batch.

Usage: python3 benchmarks/gpu_torch.py [--device cuda|cpu] [--iters N] [--warmup W]
       [--max-seconds S] [--batches 1,32] [MODEL...]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torchvision  # noqa: F401
    HAVE_TV = True
except Exception:  # not installed, or built for another torch
    HAVE_TV = False


# ---- export_models.py's transformer (needs only torch) ----
class TinyTransformer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(1000, 128)
        layer = torch.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, activation="gelu", batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = torch.nn.Linear(128, 2)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(dim=1))


# ---- torchvision's resnet18 and mobilenet_v2 architectures, for machines without torchvision ----
nn = torch.nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(3, 2, 1))
        layers, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1))


def conv_bn(cin, cout, k, stride, groups=1, relu=True):
    mods = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*(mods + [nn.ReLU6(inplace=True)] if relu else mods))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.res = stride == 1 and cin == cout
        mods = [conv_bn(cin, hidden, 1, 1)] if expand != 1 else []
        mods += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, 1, relu=False)]
        self.conv = nn.Sequential(*mods)

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        feats, cin = [conv_bn(3, 32, 3, 2)], 32
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(n):
                feats.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        feats.append(conv_bn(cin, 1280, 1, 1))
        self.features = nn.Sequential(*feats)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))


def build(name):
    """(model, input shape maker, source) as export_models.py builds it, seeded."""
    torch.manual_seed(0)
    if name == "transformer":
        model, source = TinyTransformer(), "export_models.py"
    elif HAVE_TV:
        model, source = getattr(torchvision.models, name)(weights=None), f"torchvision {torchvision.__version__}"
    else:
        model, source = {"resnet18": ResNet18, "mobilenet_v2": MobileNetV2}[name](), "built-in copy (no torchvision)"
    model.eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model, source


def example(name, batch, device):
    g = torch.Generator().manual_seed(1)
    if name == "transformer":
        return torch.randint(0, 4, (batch, 64), generator=g).to(device)  # the onnxc driver's 0..3
    return (torch.rand(batch, 3, 224, 224, generator=g) * 2 - 1).to(device)


def time_model(model, x, device, iters, warmup, max_seconds):
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        if device == "cuda":
            torch.cuda.synchronize()
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        t0 = time.perf_counter()
        for k in range(iters):
            if device == "cuda":
                start.record()
                model(x)
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
            else:
                t = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - t) * 1000)
            if k >= 2 and time.perf_counter() - t0 > max_seconds:
                break
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=5.0)
    ap.add_argument("--batches", default="1,32")
    ap.add_argument("models", nargs="*", default=["resnet18", "mobilenet_v2", "transformer"])
    a = ap.parse_args()
    if a.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # eager fp32: no TF32 in matmuls or convolutions
        torch.backends.cudnn.allow_tf32 = False
    torch.set_grad_enabled(False)
    for name in a.models:
        model, source = build(name)
        model = model.to(a.device)
        for b in [int(x) for x in a.batches.split(",")]:
            try:
                x = example(name, b, a.device)
                ts = time_model(model, x, a.device, a.iters, a.warmup, a.max_seconds)
                row = {"model": f"{name}_b{b}", "iters": len(ts), "warmup": a.warmup,
                       "median_ms": round(statistics.median(ts), 4), "min_ms": round(min(ts), 4),
                       "source": source}
            except Exception as e:  # one configuration failing must not cost the others
                row = {"model": f"{name}_b{b}", "error": f"{type(e).__name__}: {e}"[:300]}
            print(json.dumps(row), flush=True)
        del model
        if a.device == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
