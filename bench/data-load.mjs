// Benchmark: load all 70k Fashion-MNIST images (train + test) with the toolkit's loader, and in
// the same run with the peer: Python reading the same .gz IDX files (gzip + bytes, the way
// torchvision's read_sn3_pascalvincent_tensor does before numpy). Prints medians and the ratio.
// Target (issue 2): under 2 s for our loader.
import { spawnSync } from "node:child_process";
import { loadFashionMnist, DEFAULT_DATA_DIR } from "../dist/data/index.js";
import { jupyterPython } from "../scripts/jupyter-env.mjs";

const dir = process.env.FH_DATA_DIR || DEFAULT_DATA_DIR;
const runs = Number(process.env.RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ours = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const ds = await loadFashionMnist({ dir });
  ours.push((performance.now() - t0) / 1000);
  if (ds.train.shape[0] + ds.test.shape[0] !== 70000) throw new Error("expected 70k images");
  process.stdout.write(`  ours run ${i + 1}/${runs}: ${ours.at(-1).toFixed(3)} s\n`);
}

const peerCode = `
import gzip, os, struct, sys, time
d = sys.argv[1]; runs = int(sys.argv[2])
def read(name):
    with gzip.open(os.path.join(d, name + ".gz"), "rb") as f:
        b = f.read()
    nd = b[3]
    dims = struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd])
    return dims, memoryview(b)[4 + 4 * nd:]
for r in range(runs):
    t0 = time.perf_counter()
    n = 0
    for p in ("train", "t10k"):
        dims, _ = read(p + "-images-idx3-ubyte"); read(p + "-labels-idx1-ubyte"); n += dims[0]
    assert n == 70000
    print(time.perf_counter() - t0, flush=True)
`;
const py = jupyterPython([]);
const r = spawnSync(py, ["-c", peerCode, dir, String(runs)], { encoding: "utf8" });
if (r.status !== 0) throw new Error(r.stderr);
const peer = r.stdout.trim().split("\n").map(Number);

const mo = median(ours);
const mp = median(peer);
console.log(`\nFashion-MNIST, 70k images from ${dir}, median of ${runs}:`);
console.log(`  feature-histories loadFashionMnist: ${mo.toFixed(3)} s  (target < 2 s: ${mo < 2 ? "met" : "NOT met"})`);
console.log(`  peer, Python gzip read:             ${mp.toFixed(3)} s`);
console.log(`  ratio ours / peer: ${(mo / mp).toFixed(2)} (lower is faster; ours also validates and splits labels)`);
