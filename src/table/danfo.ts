import { createRequire } from "node:module";
import * as aq from "arquero";
import { fail, show } from "../core/errors.js";
import type { Table } from "./tables.js";
import { checkTable } from "./tables.js";
import { checkShape } from "../core/validate.js";

const require = createRequire(import.meta.url);

/** The part of a danfojs-node DataFrame the conversion uses. */
export interface DanfoFrame {
  readonly columns: string[];
  column(name: string): { values: unknown[] };
}

interface DanfoModule {
  DataFrame: new (data: Record<string, unknown[]>) => DanfoFrame;
}

/** danfojs-node loads TensorFlow.js and mathjs: only on first use, with an actionable message. */
function danfo(): DanfoModule {
  try {
    return require("danfojs-node") as DanfoModule;
  } catch (err) {
    return fail(
      "backend-unavailable",
      {
        parameter: "danfojs-node",
        rule: "must be installed for DataFrame interop",
        received: (err as Error).message.split("\n")[0]!,
        fix: "run npm ci in the project (danfojs-node is a dependency).",
      },
      err,
    );
  }
}

/** An arquero table as a danfojs-node DataFrame (nulls become null cells). */
export function toDanfo(table: Table): DanfoFrame {
  checkTable("table", table);
  const cols: Record<string, unknown[]> = {};
  for (const name of table.columnNames()) cols[name] = Array.from(table.array(name) as ArrayLike<unknown>);
  return new (danfo().DataFrame)(cols);
}

/** A danfojs-node DataFrame as an arquero table. */
export function fromDanfo(frame: DanfoFrame): Table {
  checkShape(
    "frame",
    frame,
    "a danfojs-node DataFrame",
    { columns: "array", column: "function" },
    "pass a DataFrame, e.g. fh.table.toDanfo(table).",
  );
  const cols: Record<string, unknown[]> = {};
  frame.columns.forEach((name, i) => {
    if (typeof name !== "string")
      fail("invalid-argument", {
        parameter: `frame.columns[${i}]`,
        rule: "must be a column name (a string)",
        received: show(name),
        fix: "pass a DataFrame, e.g. fh.table.toDanfo(table).",
      });
    const column = frame.column(name) as unknown;
    checkShape(
      `frame.column(${show(name)})`,
      column,
      "a column with values",
      { values: "array" },
      "pass a DataFrame, e.g. fh.table.toDanfo(table).",
    );
    cols[name] = [...(column as { values: unknown[] }).values];
  });
  return aq.table(cols);
}
