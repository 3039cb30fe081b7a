"""The peer for bench/train-throughput.mjs: the same models trained with PyTorch on CPU,
2 threads, on the same Fashion-MNIST images, batch 128, SGD momentum 0.9, weight decay 5e-4.
TORCH_DEVICE=cuda runs them on the GPU instead (the GPU check, scripts/gpu-bundle.mjs).
Prints one JSON line per model: {"model", "img_per_s", "device"}."""
import gzip, json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "2")
import numpy as np
import torch
from torch import nn

device = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
if device.type == "cpu":
    torch.set_num_threads(2)
torch.manual_seed(0)
data_dir, n_images = sys.argv[1], int(sys.argv[2])
wanted = sys.argv[3].split(",") if len(sys.argv) > 3 else ["tiny-cnn", "small-resnet", "nas-cell"]

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

# The NAS-cell candidate of bench/models.mjs: NAS-Bench-201 cell "|conv3x3~0|+|skip~0|conv1x1~1|+
# |avgpool3x3~0|conv3x3~1|conv3x3~2|", 16 channels, 2 stages x 2 cells, stem stride 2, as
# src/train/models.ts builds it (ReLU-Conv-BN ops; 3x3 average pooling that excludes padding,
# as TensorFlow's "same" pooling does).
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]
CELL = ["conv3x3", "skip", "conv1x1", "avgpool3x3", "conv3x3", "conv3x3"]

def rcb(c, k):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, k, 1, k // 2, bias=False), nn.BatchNorm2d(c, momentum=0.1))

class Cell(nn.Module):
    def __init__(self, c):
        super().__init__()
        def op(name):
            if name == "skip": return nn.Identity()
            if name == "conv1x1": return rcb(c, 1)
            if name == "conv3x3": return rcb(c, 3)
            return nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.ops = nn.ModuleList([op(o) for o in CELL])
    def forward(self, x):
        nodes = [x]
        for j in (1, 2, 3):
            nodes.append(sum(self.ops[e](nodes[i]) for e, (to, i) in enumerate(EDGES) if to == j))
        return nodes[3]

def nas_cell(c=16, stages=2, cells=2):
    layers = [nn.Conv2d(1, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c)]
    for s in range(stages):
        ch = c * 2 ** s
        if s > 0:
            layers += [nn.Conv2d(ch // 2, ch, 3, 2, 1, bias=False), nn.BatchNorm2d(ch), nn.ReLU()]
        layers += [Cell(ch) for _ in range(cells)]
    ch = c * 2 ** (stages - 1)
    return nn.Sequential(*layers, nn.BatchNorm2d(ch), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(ch, 10))

for name, make in [("tiny-cnn", tiny), ("small-resnet", resnet), ("nas-cell", nas_cell)]:
    if name not in wanted:
        continue
    model = make().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    batches = [(x[i:i + 128].to(device), y[i:i + 128].to(device)) for i in range(0, n_images, 128)]
    for xb, yb in batches[:3]:  # warm-up
        opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()
    t0 = time.perf_counter()
    seen = 0
    for xb, yb in batches[3:]:
        opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step(); seen += len(xb)
    if device.type == "cuda":
        torch.cuda.synchronize()
    print(json.dumps({"model": name, "img_per_s": seen / (time.perf_counter() - t0), "device": device.type}), flush=True)
