"""The peer for bench/train-throughput.mjs: the same two models trained with PyTorch on CPU,
2 threads, on the same Fashion-MNIST images, batch 128, SGD momentum 0.9, weight decay 5e-4.
Prints one JSON line per model: {"model", "img_per_s"}."""
import gzip, json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np
import torch
from torch import nn

torch.set_num_threads(2)
torch.manual_seed(0)
data_dir, n_images = sys.argv[1], int(sys.argv[2])

def idx(name):
    with gzip.open(os.path.join(data_dir, name + ".gz"), "rb") as f:
        b = f.read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)

x = torch.tensor(idx("train-images-idx3-ubyte")[:n_images], dtype=torch.float32).unsqueeze(1) / 255.0
x = (x - x.mean()) / x.std()
y = torch.tensor(idx("train-labels-idx1-ubyte")[:n_images], dtype=torch.long)

def tiny():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))

class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.b1 = nn.BatchNorm2d(cout, momentum=0.1)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.b2 = nn.BatchNorm2d(cout, momentum=0.1)
        self.sc = None
        if stride != 1 or cin != cout:
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(self, t):
        o = torch.relu(self.b1(self.c1(t)))
        o = self.b2(self.c2(o))
        return torch.relu(o + (t if self.sc is None else self.sc(t)))

def resnet():
    layers, cin = [nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for s, ch in enumerate([16, 32, 64]):
        for b in range(2):
            layers.append(Block(cin, ch, 2 if s > 0 and b == 0 else 1)); cin = ch
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

for name, make in [("tiny-cnn", tiny), ("small-resnet", resnet)]:
    model = make()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    batches = [(x[i:i + 128], y[i:i + 128]) for i in range(0, n_images, 128)]
    for xb, yb in batches[:3]:  # warm-up
        opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()
    t0 = time.perf_counter()
    seen = 0
    for xb, yb in batches[3:]:
        opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step(); seen += len(xb)
    print(json.dumps({"model": name, "img_per_s": seen / (time.perf_counter() - t0)}), flush=True)
