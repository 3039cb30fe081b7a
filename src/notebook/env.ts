/** FH_CI_SIZE=1 asks notebooks for their reduced CI size (small data, few epochs). */
export const CI_SIZE_VARIABLE = "FH_CI_SIZE";

export function isCiSize(): boolean {
  const v = process.env[CI_SIZE_VARIABLE];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** `full` normally, `ci` under FH_CI_SIZE=1: `const epochs = fh.notebook.size({ full: 12, ci: 2 })`. */
export function size<T>(choices: { full: T; ci: T }): T {
  return isCiSize() ? choices.ci : choices.full;
}
