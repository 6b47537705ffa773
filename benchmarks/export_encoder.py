# A PyTorch transformer encoder (nn.TransformerEncoder: 2 layers, d_model 64, 4 heads, GELU,
# seeded weights) exported with a dynamic sequence axis, for test/boundedDims.test.ts and benchmarks/bounded.ts: what a
# user's exporter writes (Shape -> Gather -> arithmetic -> Slice/Reshape chains around the
# attention), not a graph written for onnxc. Usage: export_encoder.py OUT.onnx
import sys
import torch
import torch.nn as nn

torch.manual_seed(0)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Linear(32, 64)
        layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, dropout=0.0, batch_first=True, activation='gelu')
        self.enc = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.enc(self.emb(x)))


torch.onnx.export(Encoder().eval(), (torch.randn(1, 16, 32),), sys.argv[1], input_names=['x'], output_names=['y'],
                  dynamic_axes={'x': {1: 'seq'}, 'y': {1: 'seq'}}, opset_version=17)
