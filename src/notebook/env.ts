import { checkShape } from "../core/validate.js";
import { fail, show } from "../core/errors.js";
/** FH_CI_SIZE=1 asks notebooks for their reduced CI size (small data, few epochs). */
export const CI_SIZE_VARIABLE = "FH_CI_SIZE";

/** Whether notebooks should run at their reduced CI size (FH_CI_SIZE=1). */
export function isCiSize(): boolean {
  const v = process.env[CI_SIZE_VARIABLE];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** `full` normally, `ci` under FH_CI_SIZE=1: `const epochs = fh.notebook.size({ full: 12, ci: 2 })`. */
export function size<T>(choices: { full: T; ci: T }): T {
  checkShape("choices", choices, "{ full, ci }", {}, "pass { full: 5000, ci: 300 }.");
  if (!("full" in choices) || !("ci" in choices))
    fail("invalid-argument", {
      parameter: "choices",
      rule: "must have both full and ci",
      received: show(choices),
      fix: "pass { full: 5000, ci: 300 }.",
    });
  return isCiSize() ? choices.ci : choices.full;
}
