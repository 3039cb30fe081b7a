import { createRng } from "../core/random.js";
import { checkKeys, checkNumber } from "../core/validate.js";
import type { Dataset, ImageSet } from "./types.js";

/** Options of fh.data.syntheticDataset: sizes, image size, channels, classes, noise and seed. */
export interface SyntheticOptions {
  /** Training images. Default 2000. */
  train?: number;
  /** Test images. Default 500. */
  test?: number;
  /** Image side in pixels. Default 28. */
  size?: number;
  /** Colour channels. Default 1. */
  channels?: number;
  /** Classes. Default 10. */
  numClasses?: number;
  /** Pixel noise standard deviation, in units of the 0..255 range / 255. Default 0.2. */
  noise?: number;
  /** Seed for prototypes, noise and labels. Default 0. */
  seed?: number;
}

/**
 * A seeded synthetic image set for tests and CI-size notebooks: each class is a smooth random
 * prototype (a sum of a few oriented waves), each image its prototype shifted by up to two
 * pixels plus Gaussian noise. Small CNNs learn it in an epoch or two, not instantly.
 */
export function syntheticDataset(options: SyntheticOptions = {}): Dataset {
  checkKeys("options", options, ["train", "test", "size", "channels", "numClasses", "noise", "seed"]);
  const nTrain = checkNumber("options.train", options.train ?? 2000, { integer: true, min: 1 });
  const nTest = checkNumber("options.test", options.test ?? 500, { integer: true, min: 1 });
  const size = checkNumber("options.size", options.size ?? 28, { integer: true, min: 4, max: 256 });
  const channels = checkNumber("options.channels", options.channels ?? 1, { integer: true, min: 1, max: 4 });
  const numClasses = checkNumber("options.numClasses", options.numClasses ?? 10, { integer: true, min: 2, max: 256 });
  const noise = checkNumber("options.noise", options.noise ?? 0.2, { min: 0 });
  const seed = checkNumber("options.seed", options.seed ?? 0, { integer: true });
  const rng = createRng(seed);
  const plane = size * size * channels;
  const protos: Float32Array[] = [];
  for (let k = 0; k < numClasses; k++) {
    const p = new Float32Array(plane);
    const waves = Array.from({ length: 3 }, () => ({
      fx: (rng.next() * 2 - 1) * 0.5,
      fy: (rng.next() * 2 - 1) * 0.5,
      phase: rng.next() * Math.PI * 2,
      amp: 0.5 + rng.next(),
    }));
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          let v = 0;
          for (const w of waves) v += w.amp * Math.sin(w.fx * x + w.fy * y + w.phase + c);
          p[(y * size + x) * channels + c] = v / 3;
        }
    protos.push(p);
  }
  const make = (n: number, label: string): ImageSet => {
    const images = new Uint8Array(n * plane);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(numClasses);
      labels[i] = k;
      const dx = rng.int(5) - 2;
      const dy = rng.int(5) - 2;
      const proto = protos[k]!;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const sy = Math.min(size - 1, Math.max(0, y + dy));
          const sx = Math.min(size - 1, Math.max(0, x + dx));
          for (let c = 0; c < channels; c++) {
            const v = 0.5 + 0.35 * proto[(sy * size + sx) * channels + c]! + noise * rng.normal();
            images[i * plane + (y * size + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v * 255)));
          }
        }
    }
    return {
      images,
      labels,
      shape: [n, size, size, channels],
      numClasses,
      classNames: Array.from({ length: numClasses }, (_, k) => `class ${k}`),
      source: `synthetic(seed=${seed}, ${label})`,
    };
  };
  return { name: "synthetic", train: make(nTrain, "train"), test: make(nTest, "test") };
}
