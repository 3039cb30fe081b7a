/** Tables to and from Apache Arrow IPC bytes (arquero's writer and reader), checked before reading. */
import * as aq from "arquero";
import { fail, show } from "../core/errors.js";
import { checkTable, type Table } from "./tables.js";

/** Apache Arrow IPC bytes (arquero's writer). */
export function tableToArrow(table: Table): Uint8Array {
  checkTable("table", table);
  return aq.toArrowIPC(table);
}

/**
 * The Arrow reader (flechette) trusts every count in the bytes: a flipped vector length makes it
 * allocate billions of entries and run the process out of memory. So the messages' metadata are
 * walked first, along the paths the reader takes (schema fields and their children, metadata,
 * union type ids, a record batch's nodes, buffers and variadic counts, a file's blocks), and each
 * count must fit in the bytes that hold it. Returns a reason when it does not.
 */
function arrowProblem(bytes: Uint8Array): string | undefined {
  const i32 = (buf: Uint8Array, o: number) =>
    (buf[o] ?? 0) | ((buf[o + 1] ?? 0) << 8) | ((buf[o + 2] ?? 0) << 16) | ((buf[o + 3] ?? 0) << 24);
  const i16 = (buf: Uint8Array, o: number) => (((buf[o] ?? 0) | ((buf[o + 1] ?? 0) << 8)) << 16) >> 16;
  const i64 = (buf: Uint8Array, o: number) =>
    i32(buf, o) + 4294967296 * i32(buf, o + 4) + (i32(buf, o) < 0 ? 4294967296 : 0);
  class Bad extends Error {}
  /** A flatbuffer table at `index`: its fields' absolute positions (undefined when absent). */
  const table = (buf: Uint8Array, index: number) => {
    const pos = index + i32(buf, index);
    const vtable = pos - i32(buf, pos);
    if (pos < 0 || pos >= buf.length || vtable < 0 || vtable + 2 > buf.length)
      throw new Bad("a table outside the bytes");
    const size = i16(buf, vtable);
    return (field: number): number | undefined => {
      if (field >= size) return undefined;
      const off = i16(buf, vtable + field);
      return off ? pos + off : undefined;
    };
  };
  /** A vector at `offset` with entries of `stride` bytes: the entries' positions, each checked to fit. */
  const vector = (buf: Uint8Array, offset: number | undefined, stride: number): number[] => {
    if (!offset) return [];
    const base = offset + i32(buf, offset);
    const n = i32(buf, base);
    if (base < 0 || n < 0 || base + 4 + n * stride > buf.length)
      throw new Bad(`a vector of ${n} entries that does not fit in its ${buf.length} bytes`);
    return Array.from({ length: n }, (_, i) => base + 4 + i * stride);
  };
  const metadata = (buf: Uint8Array, offset: number | undefined) => {
    for (const e of vector(buf, offset, 4)) table(buf, e);
  };
  const field = (buf: Uint8Array, index: number, depth: number): void => {
    if (depth > 64) throw new Bad("fields nested more than 64 deep");
    const get = table(buf, index);
    const typeId = buf[get(8) ?? -1] ?? 0;
    for (const child of vector(buf, get(14), 4)) field(buf, child, depth + 1);
    metadata(buf, get(16));
    const type = get(10);
    if (type !== undefined && typeId === 14) vector(buf, table(buf, type)(6), 4);
    const dict = get(12);
    if (dict !== undefined) table(buf, dict);
  };
  const schema = (buf: Uint8Array, index: number) => {
    const get = table(buf, index);
    for (const f of vector(buf, get(6), 4)) field(buf, f, 0);
    metadata(buf, get(8));
  };
  const batch = (buf: Uint8Array, index: number, version: number, bodyLength: number) => {
    const get = table(buf, index);
    const length = get(4) === undefined ? 0 : i64(buf, get(4)!);
    const nodes = vector(buf, get(6), 16);
    const regions = vector(buf, get(8), 16 + (version < 3 ? 8 : 0));
    for (const v of vector(buf, get(12), 8)) {
      const count = i64(buf, v);
      if (count < 0 || count > regions.length) throw new Bad(`a variadic buffer count of ${count}`);
    }
    // Every row costs at least a bit of some buffer; columns of nulls cost none, so 65,536 rows of
    // slack let a table of nulls through (a flipped count of billions would exhaust the memory).
    for (const n of nodes) {
      const nulls = i64(buf, n + 8);
      if (nulls < 0 || nulls > i64(buf, n)) throw new Bad(`a column of ${i64(buf, n)} values with ${nulls} nulls`);
    }
    const rows = Math.max(length, ...nodes.map((n) => i64(buf, n)));
    if (rows < 0 || rows > 8 * bodyLength + 65536)
      throw new Bad(`a record batch of ${rows} rows in a body of ${bodyLength} bytes`);
  };
  const message = (index: number): number | undefined => {
    let length = i32(bytes, index);
    index += 4;
    if (length === -1) {
      length = i32(bytes, index);
      index += 4;
    }
    if (length === 0) return undefined;
    if (length < 0 || index + length > bytes.length) throw new Bad(`a message of ${length} metadata bytes`);
    const head = bytes.subarray(index, index + length);
    index += length;
    const get = table(head, 0);
    const version = get(4) === undefined ? 0 : i16(head, get(4)!);
    const type = head[get(6) ?? -1] ?? 0;
    const header = get(8);
    const bodyLength = get(10) === undefined ? 0 : i64(head, get(10)!);
    if (bodyLength < 0 || index + bodyLength > bytes.length) throw new Bad(`a message body of ${bodyLength} bytes`);
    if (header !== undefined) {
      if (type === 1) schema(head, header);
      else if (type === 2) {
        const data = table(head, header)(6);
        if (data !== undefined) batch(head, data, version, bodyLength);
      } else if (type === 3) batch(head, header, version, bodyLength);
    }
    return index + bodyLength;
  };
  try {
    const magic = [65, 82, 82, 79, 87, 49];
    if (bytes.length >= 6 && magic.every((m, i) => bytes[i] === m)) {
      const at = bytes.length - 10;
      const footer = table(bytes, at - i32(bytes, at));
      const s = footer(6);
      if (s !== undefined) schema(bytes, s);
      metadata(bytes, footer(12));
      for (const blocks of [footer(8), footer(10)])
        for (const b of vector(bytes, blocks, 24)) {
          const offset = i64(bytes, b);
          if (offset < 0 || offset >= bytes.length) throw new Bad(`a block at byte ${offset}`);
          if (message(offset) === undefined) throw new Bad(`no message at byte ${offset}`);
        }
      return undefined;
    }
    for (let index: number | undefined = 0, n = 0; index !== undefined && index < bytes.length; n++) {
      if (n > bytes.length) throw new Bad("more messages than bytes");
      index = message(index);
    }
    return undefined;
  } catch (err) {
    if (err instanceof Bad) return err.message;
    throw err;
  }
}

/** A table back from Apache Arrow IPC bytes. */
export function tableFromArrow(bytes: Uint8Array): Table {
  if (!(bytes instanceof Uint8Array))
    fail("invalid-argument", {
      parameter: "bytes",
      rule: "must be Apache Arrow IPC bytes (a Uint8Array)",
      received: show(bytes),
      fix: "pass what tableToArrow wrote.",
    });
  const problem = arrowProblem(bytes);
  if (problem !== undefined)
    fail("data-corrupt", {
      parameter: "bytes",
      rule: "must be Apache Arrow IPC bytes (a whole stream or file)",
      received: `${bytes.length} bytes holding ${problem}`,
      fix: "pass all the bytes tableToArrow wrote (a truncated or altered file cannot be read).",
    });
  try {
    const table = aq.fromArrow(bytes);
    // The reader is lazy: read every value now, so that a damaged value (e.g. an int64 beyond
    // 2^53) is this call's error rather than a bare one at the table's first use.
    for (const name of table.columnNames()) table.array(name);
    return table;
  } catch (err) {
    return fail(
      "data-corrupt",
      {
        parameter: "bytes",
        rule: "must be Apache Arrow IPC bytes (a whole stream or file)",
        received: `${bytes.length} bytes that do not read as Arrow (${String((err as Error)?.message ?? err).split("\n")[0]})`,
        fix: "pass all the bytes tableToArrow wrote (a truncated or altered file cannot be read).",
      },
      err,
    );
  }
}
