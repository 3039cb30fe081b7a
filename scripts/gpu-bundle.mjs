// npm run gpu:bundle [-- OUT_DIR]: a self-contained folder (default out/gpu-check, < 60 MiB) for a
// machine with an NVIDIA GPU and no network: `bash <folder>/run.sh` trains the benchmark models
// with the toolkit on the webgpu backend, checks it against the cpu backend, and runs the same
// models in PyTorch CUDA side by side (img/s, ratio). It carries Node (xz), Dawn's dawn.node (xz),
// Debian 12's Vulkan loader and glibc/libstdc++ (for hosts older than Debian 12), the toolkit and
// tfjs bundled by esbuild into two files, and a Fashion-MNIST subset.
// Compressed blobs are cached in ~/.cache/feature-histories/gpu-bundle (FH_NATIVE_CACHE).
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { root } from "./jupyter-env.mjs";

const out = process.argv[2] ?? join(root, "out", "gpu-check");
const cache = join(
  process.env.FH_NATIVE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "feature-histories"),
  "gpu-bundle",
);
const step = (m) => console.log(`== ${m}`);
mkdirSync(cache, { recursive: true });
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "blobs"), { recursive: true });

/** xz-compress `src` into the cache once (python's lzma: no xz binary needed), then copy it. */
function xzBlob(src, name) {
  const cached = join(cache, name);
  if (!existsSync(cached) || statSync(cached).mtimeMs < statSync(src).mtimeMs) {
    step(`xz ${src} (once; cached in ${cache})`);
    execFileSync("python3", [
      "-c",
      "import lzma,shutil,sys\nwith open(sys.argv[1],'rb') as i, lzma.open(sys.argv[2]+'.part','wb',preset=6) as o: shutil.copyfileobj(i,o,1<<22)",
      src,
      cached,
    ]);
    execFileSync("mv", [`${cached}.part`, cached]);
  }
  copyFileSync(cached, join(out, "blobs", name));
}

step("bundling the toolkit and tfjs (esbuild)");
const banner = {
  js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
};
for (const [entry, file] of [
  [join(root, "build", "test", "helpers", "webgpu-check.js"), "check.mjs"],
  [join(root, "bench", "gpu", "bench-entry.mjs"), "bench.mjs"],
]) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build && npm run build:test first`);
  await build({
    entryPoints: [entry],
    outfile: join(out, file),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node18",
    banner,
    // Native packages stay out: webgpu is carried below; the tfjs-node ones are never loaded here.
    external: ["webgpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"],
    logLevel: "error",
    minify: true,
  });
}

step("webgpu (Dawn)");
const webgpu = join(root, "node_modules", "webgpu");
mkdirSync(join(out, "pkgs", "webgpu"), { recursive: true });
for (const f of ["package.json", "index.js", "LICENSE.md"])
  copyFileSync(join(webgpu, f), join(out, "pkgs", "webgpu", f));
xzBlob(join(webgpu, "dist", "linux-x64", "dawn.node"), "dawn.node.linux-x64.xz");

step(`node ${process.version}`);
xzBlob(process.execPath, `node-${process.version}-linux-x64.xz`);

step("Vulkan loader (Debian 12 libvulkan1) and glibc / libstdc++ for older hosts");
const debs = readdirSync(cache).filter((f) => /^libvulkan1_.*_amd64\.deb$/.test(f));
if (debs.length === 0) execFileSync("apt-get", ["download", "-qq", "libvulkan1"], { cwd: cache, stdio: "inherit" });
const deb = readdirSync(cache).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f));
copyFileSync(join(cache, deb), join(out, "blobs", deb));
const compat = join(cache, "glibc-compat");
if (!existsSync(join(cache, "glibc-compat.tar.xz"))) {
  rmSync(compat, { recursive: true, force: true });
  mkdirSync(join(compat, "glibc-compat"), { recursive: true });
  const libdir = "/lib/x86_64-linux-gnu";
  for (const f of [
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libstdc++.so.6",
    "libgcc_s.so.1",
  ])
    copyFileSync(join(libdir, f), join(compat, "glibc-compat", f));
  copyFileSync("/lib64/ld-linux-x86-64.so.2", join(compat, "glibc-compat", "ld-linux-x86-64.so.2"));
  execFileSync("tar", ["cJf", join(cache, "glibc-compat.tar.xz"), "-C", compat, "glibc-compat"]);
}
copyFileSync(join(cache, "glibc-compat.tar.xz"), join(out, "blobs", "glibc-compat.tar.xz"));

step("Fashion-MNIST subset (8,192 training and 1,000 test images)");
const dataDir = process.env.FH_DATA_DIR || "/usr/share/datasets/fashion-mnist";
mkdirSync(join(out, "data"), { recursive: true });
/** The first `n` records of an IDX file, header rewritten. */
function idxHead(name, n) {
  const b = gunzipSync(readFileSync(join(dataDir, `${name}.gz`)));
  const dims = b[3];
  const header = Buffer.from(b.subarray(0, 4 + 4 * dims));
  header.writeUInt32BE(n, 4);
  let per = 1;
  for (let d = 1; d < dims; d++) per *= b.readUInt32BE(4 + 4 * d);
  writeFileSync(
    join(out, "data", `${name}.gz`),
    gzipSync(Buffer.concat([header, b.subarray(4 + 4 * dims, 4 + 4 * dims + n * per)])),
  );
}
idxHead("train-images-idx3-ubyte", 8192);
idxHead("train-labels-idx1-ubyte", 8192);
idxHead("t10k-images-idx3-ubyte", 1000);
idxHead("t10k-labels-idx1-ubyte", 1000);

step("scripts");
for (const f of ["run.sh", "unpack.py", "README.txt"])
  copyFileSync(join(root, "scripts", "gpu-check", f), join(out, f));
copyFileSync(join(root, "bench", "train_torch.py"), join(out, "train_torch.py"));

const du = spawnSync("du", ["-sb", out], { encoding: "utf8" }).stdout.split("\t")[0];
const mib = Number(du) / 2 ** 20;
console.log(`\n${out}: ${mib.toFixed(1)} MiB${mib >= 60 ? " (OVER the 60 MiB limit)" : ""}`);
console.log(`Run it there with: bash ${join(dirname(out), "gpu-check")}/run.sh   (OUT=<dir> for the log)`);
if (mib >= 60) process.exit(1);
