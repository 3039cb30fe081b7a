import { test } from "node:test";
import assert from "node:assert/strict";
import { setDisplaySink, type DisplayRequest } from "../../src/notebook/display.js";
import { progressBar, progressBundle } from "../../src/notebook/progress.js";
import { imageGridBundle } from "../../src/notebook/images.js";
import { imageGridInfo } from "../../src/plot/image-grid.js";
import { encodePng } from "../../src/plot/png.js";
import { syntheticDataset } from "../../src/data/synthetic.js";
import { assertFails } from "../helpers/fixtures.js";

function capture(fn: () => void): DisplayRequest[] {
  const got: DisplayRequest[] = [];
  const restore = setDisplaySink((r) => got.push(r));
  try {
    fn();
  } finally {
    restore();
  }
  return got;
}

test("a progress bar updates one display id in place, throttled", () => {
  let clock = 0;
  const outputs = capture(() => {
    const bar = progressBar(10, "train", { minIntervalMs: 100, now: () => clock });
    for (let i = 1; i <= 10; i++) {
      clock += 30;
      bar.update(i, `step ${i}`);
    }
    bar.finish("done");
  });
  const ids = new Set(outputs.map((o) => o.displayId));
  assert.equal(ids.size, 1, "one output");
  assert.equal(outputs[0]!.update, false);
  assert.ok(outputs.slice(1).every((o) => o.update));
  assert.ok(outputs.length < 10, `throttled: ${outputs.length} renders`);
  assert.match(outputs.at(-1)!.data["text/plain"] as string, /train \[#{30}\] 10\/10 \(100 %\).*done/);
});

test("progress bundles carry HTML and text with an ETA, escaped", () => {
  const b = progressBundle({ done: 2, total: 4, label: "<x>", detail: "a&b", elapsedSeconds: 10 });
  assert.match(b["text/plain"] as string, /2\/4 \(50 %\) · 10\.0 s · ~10 s left · a&b/);
  assert.match(b["text/html"] as string, /&lt;x&gt;/);
  assert.match(b["text/html"] as string, /width:50%/);
  assert.doesNotMatch(b["text/html"] as string, /<x>/);
});

test("image grids: pixels, layout and labels are data; the bundle embeds one PNG", () => {
  const ds = syntheticDataset({ train: 50, test: 10, size: 6, seed: 1 });
  const info = imageGridInfo(ds.train, { count: 10, columns: 5, scale: 2, gap: 1, seed: 3 });
  assert.equal(info.rows, 2);
  assert.equal(info.width, 5 * 12 + 6);
  assert.equal(info.height, 2 * 12 + 3);
  assert.equal(new Set(info.labels).size, 10, "stratified: every class once");
  const i0 = info.indices[0]!;
  // Top-left pixel of the first image, inverted (dark on light).
  assert.equal(info.rgb[(1 * info.width + 1) * 3], 255 - ds.train.images[i0 * 36]!);
  const bundle = imageGridBundle(ds.train, { count: 10, columns: 5 });
  assert.match(bundle["text/html"] as string, /^<figure.*data:image\/png;base64,iVBORw0KGgo/s);
  assert.match(bundle["text/plain"] as string, /10 images of synthetic/);
});

test("image grid options are validated", async () => {
  const ds = syntheticDataset({ train: 20, test: 5, size: 4, seed: 1 });
  await assertFails(() => imageGridInfo(ds.train, { count: 21 }), "invalid-argument", /options\.count/, /<= 20/);
  await assertFails(() => imageGridInfo(ds.train, { indices: [25] }), "invalid-argument", /options\.indices/);
  await assertFails(() => imageGridInfo(ds.train, { colums: 3 } as never), "unknown-option", /"columns"/);
});

test("encodePng writes a valid PNG signature and IHDR, and checks its input", () => {
  const png = encodePng(2, 1, Uint8Array.from([255, 0, 0, 0, 255, 0]));
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(Buffer.from(png.subarray(12, 16)).toString("ascii"), "IHDR");
  assert.equal(Buffer.from(png).readUInt32BE(16), 2);
  assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /12 bytes/);
});

test("a live session saves no plotly.js: figures emit no loader unless asked (loadPlotly() or FH_PLOTLY_LOADER=1)", async () => {
  const { showFigure, loadPlotly, resetPlotlyLoader, LOADER_METADATA } = await import("../../src/notebook/figures.js");
  const fig = { data: [{ type: "scatter" as const, x: [1, 2], y: [3, 4] }], layout: { title: { text: "f" } } };
  resetPlotlyLoader();
  const isLoader = (o: DisplayRequest) => JSON.stringify(o.metadata ?? {}).includes("plotly-loader");
  const plain = capture(() => {
    showFigure(fig);
    showFigure(fig);
  });
  assert.equal(plain.length, 2);
  assert.ok(!plain.some(isLoader), "no loader by default");
  assert.ok(
    plain.reduce((s, o) => s + JSON.stringify(o.data).length, 0) < 20_000,
    "two small figures, no 4.8 MB library",
  );
  const optIn = capture(() => {
    loadPlotly();
    showFigure(fig);
    loadPlotly(); // once per session
  });
  assert.equal(optIn.filter(isLoader).length, 1);
  assert.deepEqual(LOADER_METADATA, { "feature-histories": { role: "plotly-loader" } });
  resetPlotlyLoader();
  process.env.FH_PLOTLY_LOADER = "1";
  try {
    assert.equal(capture(() => showFigure(fig)).filter(isLoader).length, 1);
  } finally {
    delete process.env.FH_PLOTLY_LOADER;
    resetPlotlyLoader();
  }
});
