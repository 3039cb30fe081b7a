import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { readFile } from "node:fs/promises";
import { fail } from "../core/errors.js";

const gunzipAsync = promisify(gunzip);

/** IDX type code 0x08 = unsigned byte; the magic is 0x0000 0x08 <ndims>. */
const UBYTE = 0x08;

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Read a file and gunzip it when it starts with the gzip magic (1f 8b). */
export async function readMaybeGzip(path: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EISDIR") throw err;
    return fail(
      "data-missing",
      {
        parameter: path,
        rule: "must be a file (an IDX file, raw or gzipped)",
        received: "a folder",
        fix: "move the folder out of the way and put the file itself there (apt-get install --reinstall dataset-fashion-mnist).",
      },
      err,
    );
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return new Uint8Array(await gunzipAsync(raw));
    } catch (err) {
      fail(
        "data-corrupt",
        {
          parameter: path,
          rule: "must be a complete gzip file",
          received: `a file of ${raw.length} bytes that does not decompress (${(err as Error).message})`,
          fix: "download or reinstall the file (apt-get install --reinstall dataset-fashion-mnist).",
        },
        err,
      );
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Parse an IDX unsigned-byte array with the expected number of dimensions. */
export function parseIdx(bytes: Uint8Array, expectedDims: number, path: string): IdxArray {
  const fix = "check that the file is an MNIST-style IDX file and not truncated; reinstall it if needed.";
  if (bytes.length < 4 + 4 * expectedDims) {
    fail("data-corrupt", {
      parameter: path,
      rule: `must hold an IDX header of ${4 + 4 * expectedDims} bytes`,
      received: `${bytes.length} bytes`,
      fix,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expectedMagic = (UBYTE << 8) | expectedDims;
  if (magic !== expectedMagic) {
    fail("data-corrupt", {
      parameter: path,
      rule: `must start with the IDX magic number 0x${expectedMagic.toString(16).padStart(8, "0")} (unsigned bytes, ${expectedDims} dimension${expectedDims > 1 ? "s" : ""})`,
      received: `0x${magic.toString(16).padStart(8, "0")}`,
      fix:
        expectedDims === 3 ? "pass an images file (*-images-idx3-ubyte)." : "pass a labels file (*-labels-idx1-ubyte).",
    });
  }
  const dims: number[] = [];
  let total = 1;
  for (let i = 0; i < expectedDims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    total *= d;
  }
  const offset = 4 + 4 * expectedDims;
  const have = bytes.length - offset;
  if (have !== total) {
    fail("data-corrupt", {
      parameter: path,
      rule: `must hold ${total} data bytes after its header (dimensions ${dims.join(" x ")})`,
      received: `${have} bytes${have < total ? " (truncated)" : " (trailing data)"}`,
      fix,
    });
  }
  return { dims, data: bytes.subarray(offset) };
}
