// Writes the kernelspec's PNG logos (32x32, 64x64): four rising bars, a feature history's
// accuracy climbing over epochs. Run once by hand; the PNGs are committed (under 1 KB each).
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
function png(size) {
  const s = size / 64;
  const bars = [
    [10, 36, "56b4e9"],
    [22, 28, "56b4e9"],
    [34, 20, "e69f00"],
    [46, 12, "e69f00"],
  ];
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let col = "1f3a5f";
      for (const [bx, by, c] of bars) if (x >= bx * s && x < (bx + 8) * s && y >= by * s && y < 54 * s) col = c;
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = parseInt(col.slice(0, 2), 16);
      raw[o + 1] = parseInt(col.slice(2, 4), 16);
      raw[o + 2] = parseInt(col.slice(4, 6), 16);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
const dir = new URL("./jupyter/kernels/feature-histories/", import.meta.url);
for (const size of [32, 64]) writeFileSync(new URL(`logo-${size}x${size}.png`, dir), png(size));
