# Exports torchvision's SSDlite (ssdlite320_mobilenet_v3_large, 91 classes) with seeded weights
# (no download) to ONNX opset 13, the detector of issue 12's bar: NonZero per class, TopK with
# K = min(count, 300), a Concat of 90 run-time parts, an If around a batched NonMaxSuppression.
# Usage: export_ssdlite.py OUT.onnx [SCALE BIAS_STD]. With SCALE, the classification head's last
# convolutions are multiplied by SCALE and their biases drawn with BIAS_STD, so that the seeded
# scores spread (the plain seeded head scores every class ~1/91) and NMS and the per-class
# counts have something to decide.
import sys

import torch
import torchvision

torch.manual_seed(0)
m = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=91)
if len(sys.argv) > 2:
    with torch.no_grad():
        for mod in m.head.classification_head.modules():
            if isinstance(mod, torch.nn.Conv2d) and mod.bias is not None:
                mod.weight.mul_(float(sys.argv[2]))
                mod.bias.normal_(0, float(sys.argv[3]))
m.eval()
torch.onnx.export(m, ([torch.rand(3, 320, 320)],), sys.argv[1], opset_version=13,
                  input_names=['images'], output_names=['boxes', 'scores', 'labels'])
