import { readFile, writeFile, rename } from "node:fs/promises";
import { fail, show } from "../core/errors.js";
import { checkHistory, type FeatureHistory } from "./feature-history.js";
import { checkString } from "../core/validate.js";

/**
 * Binary format, version 1:
 *   bytes 0..7   magic "FHHIST\0\x01"
 *   bytes 8..11  header length L (uint32 little-endian)
 *   bytes 12..   L bytes of UTF-8 JSON: {format, version, epochs, samples, dims, dtype}
 *   then         the labels (samples bytes), padded to a multiple of 4,
 *   then         epochs x samples x dims values (float32 or float16 bits), little-endian.
 * Version 2 (a history that records the network's outputs) adds `classes` to the header and,
 * after the features, epochs x samples x classes output values in the same dtype. A history
 * without outputs is written as version 1, so earlier releases still read it.
 */
const MAGIC = Buffer.from([0x46, 0x48, 0x48, 0x49, 0x53, 0x54, 0x00, 0x01]);
/** The version of the binary feature-history format (.fhh) this toolkit writes. */
export const HISTORY_FORMAT_VERSION = 2;

export function encodeHistory(h: FeatureHistory): Uint8Array {
  const header = Buffer.from(
    JSON.stringify({
      format: "feature-histories/history",
      version: h.outputs ? 2 : 1,
      epochs: h.blocks.length,
      samples: h.samples,
      dims: h.dims,
      dtype: h.dtype,
      ...(h.outputs ? { classes: h.outputs.classes } : {}),
    }),
    "utf8",
  );
  const pad = (n: number) => (4 - (n % 4)) % 4;
  const headPad = pad(12 + header.length);
  const labelPad = pad(h.samples);
  const bytesPer = h.dtype === "float16" ? 2 : 4;
  const outputBytes = h.outputs ? h.outputs.blocks.length * h.samples * h.outputs.classes * bytesPer : 0;
  const total =
    12 + header.length + headPad + h.samples + labelPad + h.blocks.length * h.samples * h.dims * bytesPer + outputBytes;
  const out = Buffer.alloc(total);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(header.length + headPad, 8);
  header.copy(out, 12);
  out.fill(0x20, 12 + header.length, 12 + header.length + headPad); // JSON whitespace
  let o = 12 + header.length + headPad;
  out.set(h.labels, o);
  o += h.samples + labelPad;
  for (const b of [...h.blocks, ...(h.outputs?.blocks ?? [])]) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), o);
    o += b.byteLength;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function decodeHistory(bytes: Uint8Array, source = "history"): FeatureHistory {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (rule: string, received: string): never =>
    fail("data-corrupt", {
      parameter: source,
      rule,
      received,
      fix: "re-save the history with saveHistory (format version 1 or 2).",
    });
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC))
    bad("must start with the feature-history magic FHHIST", show(buf.subarray(0, 8).toString("latin1")));
  const len = buf.readUInt32LE(8);
  if (12 + len > buf.length) bad(`must hold a ${len}-byte header`, `${buf.length} bytes in all`);
  let head: {
    format?: string;
    version?: number;
    epochs: number;
    samples: number;
    dims: number;
    dtype: "float32" | "float16";
    classes?: number;
  };
  try {
    head = JSON.parse(buf.subarray(12, 12 + len).toString("utf8"));
  } catch (err) {
    return bad("must have a JSON header", (err as Error).message);
  }
  if (head.format !== "feature-histories/history")
    bad('must have format "feature-histories/history"', show(head.format));
  if (head.version !== 1 && head.version !== 2)
    bad(`must be format version 1 or 2 (this release reads those)`, show(head.version));
  const classes = head.version === 2 ? head.classes : 0;
  if (head.version === 2 && !(Number.isInteger(classes) && classes! >= 2 && classes! <= 256))
    bad("must name its number of classes (2..256) in a version-2 header", show(head.classes));
  const bytesPer = head.dtype === "float16" ? 2 : 4;
  const labelPad = (4 - (head.samples % 4)) % 4;
  let o = 12 + len;
  const need = o + head.samples + labelPad + head.epochs * head.samples * (head.dims + classes!) * bytesPer;
  if (buf.length !== need)
    bad(
      `must hold ${need} bytes for ${head.epochs} x ${head.samples} x ${head.dims} ${head.dtype}`,
      `${buf.length} bytes`,
    );
  const labels = new Uint8Array(buf.subarray(o, o + head.samples));
  o += head.samples + labelPad;
  const read = (width: number) => {
    const blocks: (Float32Array | Uint16Array)[] = [];
    const n = head.samples * width;
    for (let e = 0; e < head.epochs; e++) {
      const slice = buf.buffer.slice(buf.byteOffset + o, buf.byteOffset + o + n * bytesPer);
      blocks.push(head.dtype === "float16" ? new Uint16Array(slice) : new Float32Array(slice));
      o += n * bytesPer;
    }
    return blocks;
  };
  const blocks = read(head.dims);
  return {
    samples: head.samples,
    dims: head.dims,
    dtype: head.dtype,
    labels,
    blocks,
    ...(classes ? { outputs: { classes, blocks: read(classes) } } : {}),
  };
}

/** Save atomically (write to a temporary file, then rename), so a crash never leaves half a file. */
export async function saveHistory(path: string, h: FeatureHistory): Promise<void> {
  checkString("path", path);
  checkHistory("history", h);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, encodeHistory(h));
  await rename(tmp, path);
}

/** Read a feature history written by saveHistory. */
export async function loadHistory(path: string): Promise<FeatureHistory> {
  // A number would be read as a file descriptor (0 is stdin: a call that never returns).
  checkString("path", path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return fail(
      "data-missing",
      {
        parameter: path,
        rule: "must be a readable history file",
        received: (err as Error).message,
        fix: "check the path.",
      },
      err,
    );
  }
  return decodeHistory(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
