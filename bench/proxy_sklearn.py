"""Peer for bench/proxy-fit.mjs: scikit-learn RidgeCV (efficient leave-one-out over the same
lambda grid) on the same concatenated, l2-normalised features. Prints {"seconds", "accuracy"}."""
import json, sys, time
import numpy as np
from sklearn.linear_model import RidgeCV

path, n_tr, n_va, d, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
raw = np.fromfile(path, dtype=np.float64)
xtr = raw[: n_tr * d].reshape(n_tr, d); o = n_tr * d
xva = raw[o: o + n_va * d].reshape(n_va, d); o += n_va * d
ytr = raw[o: o + n_tr].astype(int); o += n_tr
yva = raw[o: o + n_va].astype(int)
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    Y = np.eye(ytr.max() + 1)[ytr]
    G = xtr - xtr.mean(0)
    mean_eig = (G * G).sum() / d
    alphas = mean_eig * 10.0 ** np.arange(-6, 3.01, 0.25)
    model = RidgeCV(alphas=alphas).fit(xtr, Y)
    acc = float((model.predict(xva).argmax(1) == yva).mean())
    times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": float(np.median(times)), "accuracy": acc}))
