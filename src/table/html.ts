import type { Table } from "./tables.js";
import { checkNumber, checkOptions, checkString } from "../core/validate.js";
import { checkTable } from "./tables.js";

/** Options of a table's HTML rendering in the notebook: rows shown, digits, caption and height. */
export interface TableHtmlOptions {
  /** Rows shown; the rest are counted. Default 20. */
  maxRows?: number;
  /** Significant digits of non-integer numbers. Default 3. */
  digits?: number;
  /** A caption above the table. */
  caption?: string;
  /** Height of the scroll area in pixels; the header stays visible inside it. Default 360. */
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A table cell as text: numbers to `digits` significant digits, null as empty. */
export function formatCell(v: unknown, digits = 3): string {
  checkNumber("digits", digits, { integer: true, min: 1, max: 100 });
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6)
      ? v.toExponential(digits - 1)
      : v.toFixed(Math.max(0, digits - Math.max(0, Math.floor(Math.log10(a)) + 1)));
  }
  try {
    return String(v);
  } catch {
    // An object without a string conversion (Object.create(null)).
    return Object.prototype.toString.call(v);
  }
}

/** A notebook-friendly HTML table: formatted numbers, a sticky header, capped rows with a count. */
export function tableHtml(table: Table, options: TableHtmlOptions = {}): string {
  checkTable("table", table);
  checkOptions("options", options, ["maxRows", "digits", "caption", "height"]);
  if (options.caption !== undefined && options.caption !== "") checkString("options.caption", options.caption);
  const maxRows = checkNumber("options.maxRows", options.maxRows ?? 20, { integer: true, min: 1 });
  const digits = checkNumber("options.digits", options.digits ?? 3, { integer: true, min: 1, max: 12 });
  const height = checkNumber("options.height", options.height ?? 360, { min: 50 });
  const names = table.columnNames();
  const n = table.numRows();
  const shown = table.objects({ limit: maxRows }) as Record<string, unknown>[];
  const numeric = names.map((c) => shown.some((r) => typeof r[c] === "number"));
  const th = names
    .map(
      (c) =>
        `<th style="position:sticky;top:0;background:var(--jp-layout-color1,#fff);text-align:${numeric[names.indexOf(c)] ? "right" : "left"};padding:2px 8px;border-bottom:1px solid #999">${esc(c)}</th>`,
    )
    .join("");
  const body = shown
    .map(
      (r) =>
        `<tr>${names.map((c, j) => `<td style="text-align:${numeric[j] ? "right" : "left"};padding:1px 8px;font-variant-numeric:tabular-nums">${esc(formatCell(r[c], digits))}</td>`).join("")}</tr>`,
    )
    .join("");
  const count = n > maxRows ? `showing ${maxRows} of ${n} rows` : `${n} row${n === 1 ? "" : "s"}`;
  return (
    `<div class="fh-table">${options.caption ? `<div style="font-weight:bold;margin:2px 0">${esc(options.caption)}</div>` : ""}` +
    `<div style="max-height:${height}px;overflow:auto;display:inline-block;border:1px solid #ddd">` +
    `<table style="border-collapse:collapse;font-size:12px"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>` +
    `<div style="font-size:11px;color:#666">${count} · ${names.length} columns</div></div>`
  );
}

/** A plain-text rendering (the text/plain part of a table bundle). */
export function tableText(table: Table, options: { maxRows?: number; digits?: number } = {}): string {
  checkTable("table", table);
  // A table bundle passes its HTML options here too: caption and height are for the HTML only.
  checkOptions("options", options, ["maxRows", "digits", "caption", "height"]);
  const maxRows = checkNumber("options.maxRows", options.maxRows ?? 20, { integer: true, min: 1 });
  const digits = checkNumber("options.digits", options.digits ?? 3, { integer: true, min: 1, max: 12 });
  const names = table.columnNames();
  const rows = (table.objects({ limit: maxRows }) as Record<string, unknown>[]).map((r) =>
    names.map((c) => formatCell(r[c], digits)),
  );
  const widths = names.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) => cells.map((s, j) => s.padStart(widths[j]!)).join("  ");
  const n = table.numRows();
  return [line(names), ...rows.map(line), n > maxRows ? `... showing ${maxRows} of ${n} rows` : `${n} rows`].join("\n");
}
