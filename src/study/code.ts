/**
 * Code of a shared study, by name: a job in the database names each module it needs (model,
 * objective, data, estimator) only as a path relative to a code root and the SHA-256 of the file's
 * contents that the scheduler read when it sent the job. A worker resolves the name against the
 * roots it was started with (`feature-histories worker --code DIR`, `fh.study.worker({ code })`),
 * never against a path, URL or scheme from the database: anything but a plain relative path is
 * refused, the resolved file (symlinks resolved) must lie inside a root, and its contents must hash
 * to the recorded value. Someone who can write the database can at most choose among files the
 * worker's operator put under its roots, at the contents the scheduler had.
 *
 * Written here because nothing in the ecosystem does this job: Node's own `--experimental-policy`
 * integrity manifests are deprecated and apply to a whole process, not to names read at run time.
 */
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fail, show } from "../core/errors.js";

/** A module export as a job names it: a relative path under a code root, the export, the file's hash. */
export interface CodeRef {
  /** POSIX path relative to one of the worker's code roots, e.g. "models/cnn.mjs". */
  readonly module: string;
  readonly exportName: string;
  /** SHA-256 (hex) of the file's contents when the scheduler sent the job. */
  readonly sha256: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const EXTENSIONS = /\.(mjs|cjs|js)$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** SHA-256 of a file's bytes, hex. */
export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** A module given in this process (absolute path, file: URL, or relative to the working directory) as a file path. */
function localPath(module: string, parameter: string): string {
  let path = module;
  if (module.startsWith("file:")) {
    try {
      path = fileURLToPath(module);
    } catch {
      fail("invalid-argument", {
        parameter: `${parameter}.module`,
        rule: "must be a file path or file: URL",
        received: show(module),
        fix: "pass the file's path, e.g. new URL('./model.mjs', import.meta.url).pathname.",
      });
    }
  } else if (SCHEME.test(module) || (!/[/\\]/.test(module) && !EXTENSIONS.test(module)))
    fail("invalid-argument", {
      parameter: `${parameter}.module`,
      rule: "must be a file (.js, .mjs, .cjs) for a study in PostgreSQL: workers import code only from files under their code roots, never a package, URL or data: module named by the database",
      received: show(module),
      fix: "pass the path of a file that exports it, e.g. new URL('./model.mjs', import.meta.url).pathname, and deploy that folder on every worker (--code DIR).",
    });
  const abs = resolve(path);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (err) {
    return fail("invalid-argument", {
      parameter: `${parameter}.module`,
      rule: "must be an existing file",
      received: `${show(module)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      fix: "pass the absolute path of the file that exports it.",
    });
  }
  if (!statSync(real).isFile() || !EXTENSIONS.test(real))
    fail("invalid-argument", {
      parameter: `${parameter}.module`,
      rule: "must be a JavaScript file (.js, .mjs, .cjs)",
      received: show(module),
      fix: "point to the compiled module that exports it.",
    });
  return real;
}

function realRoot(root: unknown, parameter: string): string {
  if (typeof root !== "string" || root.length === 0 || root.includes("\0") || SCHEME.test(root))
    fail("invalid-argument", {
      parameter,
      rule: "must be the path of a folder that holds the study's code",
      received: show(root),
      fix: "pass a folder, e.g. --code ./models (repeatable).",
    });
  let real: string;
  try {
    real = realpathSync(resolve(root));
  } catch (err) {
    return fail("invalid-argument", {
      parameter,
      rule: "must be an existing folder",
      received: `${show(root)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      fix: "create it or correct the path.",
    });
  }
  if (!statSync(real).isDirectory())
    fail("invalid-argument", {
      parameter,
      rule: "must be a folder, not a file",
      received: show(root),
      fix: "pass the folder that holds the module.",
    });
  if (real === sep || real === "/")
    fail("invalid-argument", {
      parameter,
      rule: "must not be the file system's root: a code root is what a job may import from",
      received: show(root),
      fix: "pass the folder that holds the study's code only.",
    });
  return real;
}

/** The folder of a module given in this process (its default code root). */
export function moduleFolder(module: string, parameter: string): string {
  return dirname(localPath(module, parameter));
}

/** Check code roots (folders), resolved and deduplicated. */
export function codeRoots(roots: unknown, parameter: string): string[] {
  const list = typeof roots === "string" ? [roots] : roots;
  if (!Array.isArray(list) || list.length === 0)
    fail("invalid-argument", {
      parameter,
      rule: "must be a folder or a non-empty array of folders",
      received: show(roots),
      fix: "pass the folder(s) the study's code lives in, e.g. [new URL('./models', import.meta.url).pathname].",
    });
  return [...new Set(list.map((r, i) => realRoot(r, `${parameter}[${i}]`)))];
}

/**
 * The scheduler's side: the module given to optimize as a reference relative to a code root
 * (the first root that holds it; with no roots, the module's own folder) with its file's hash.
 */
export function codeRefOf(
  m: { readonly module: string; readonly exportName: string },
  roots: readonly string[] | undefined,
  parameter: string,
): CodeRef {
  const exportName = checkExportName(m.exportName, `${parameter}.exportName`);
  const file = localPath(m.module, parameter);
  const candidates = roots?.length ? roots : [dirname(file)];
  for (const root of candidates) {
    const rel = relative(root, file);
    if (rel && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
      return { module: rel.split(sep).join("/"), exportName, sha256: sha256File(file) };
  }
  return fail("invalid-argument", {
    parameter: `${parameter}.module`,
    rule: `must lie inside one of the study's code roots (options.code: ${candidates.join(", ")})`,
    received: show(m.module),
    fix: "move the file under a code root, or add its folder to options.code.",
  });
}

function checkExportName(name: unknown, parameter: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name) || name.length > 200)
    fail("invalid-argument", {
      parameter,
      rule: "must be the name of an export (letters, digits, _ and $)",
      received: show(name),
      fix: "pass the exported name, e.g. 'model' for export function model(...).",
    });
  return name;
}

/** A refusal of a job's code reference: names the module, the rule and the fix. */
function refuse(ref: unknown, parameter: string, rule: string, fix: string): never {
  const m = (ref as { module?: unknown } | null)?.module;
  return fail("invalid-argument", {
    parameter,
    rule,
    received: show(typeof m === "string" ? m.slice(0, 200) : ref),
    fix,
  });
}

/**
 * The worker's side: a job's code reference resolved against this worker's roots to a file: URL
 * it may import. Refuses anything but a plain relative path to a .js/.mjs/.cjs file, a file that
 * (after resolving symlinks) lies outside every root, and contents that do not hash to the value
 * the scheduler recorded.
 */
export function resolveCodeRef(ref: unknown, roots: readonly string[], parameter: string): string {
  const r = ref as Partial<CodeRef> | null;
  if (!r || typeof r !== "object" || typeof r.module !== "string" || typeof r.sha256 !== "string")
    refuse(
      ref,
      parameter,
      "must name its code as { module: a path relative to the worker's code roots, exportName, sha256 } (jobs of an older scheduler named absolute paths)",
      "run the scheduler with this version of feature-histories.",
    );
  checkExportName(r.exportName, `${parameter}.exportName`);
  const module = r.module;
  const segments = module.split("/");
  if (
    module.length === 0 ||
    module.length > 1024 ||
    module.includes("\0") ||
    module.includes("\\") ||
    SCHEME.test(module) ||
    module.startsWith("/") ||
    segments.some((s) => s === "" || s === "." || s === "..") ||
    !EXTENSIONS.test(module)
  )
    refuse(
      ref,
      `${parameter}.module`,
      "must be a plain relative path to a .js, .mjs or .cjs file under the worker's code roots: no URL, scheme (data:, http:, node:, file:), absolute path or '..'",
      "the job was not written by a feature-histories scheduler: check who can write the study's database (docs/scale-out.md, threat model).",
    );
  if (!/^[0-9a-f]{64}$/.test(r.sha256))
    refuse(
      ref,
      `${parameter}.sha256`,
      "must be a SHA-256 in hex",
      "run the scheduler with this version of feature-histories.",
    );
  for (const root of roots) {
    const path = resolve(root, ...segments);
    try {
      lstatSync(path);
    } catch {
      continue;
    }
    const real = realpathSync(path);
    if (!real.startsWith(root + sep))
      refuse(
        ref,
        `${parameter}.module`,
        `must resolve inside the worker's code root ${root} (symlinks resolved): it resolves to ${real}`,
        "remove the link, or deploy the file itself under the code root.",
      );
    if (!statSync(real).isFile()) continue;
    const found = sha256File(real);
    if (found !== r.sha256)
      refuse(
        ref,
        `${parameter}.module`,
        `must have the contents the scheduler sent: ${real} hashes to sha256 ${found}, the job names ${r.sha256}`,
        "deploy the same version of the code on this machine as on the scheduler's (or restart the scheduler after changing it).",
      );
    return pathToFileURL(real).href;
  }
  return refuse(
    ref,
    `${parameter}.module`,
    `must be a file under one of this worker's code roots (${roots.join(", ")})`,
    "deploy the study's code there, or start the worker with --code DIR (fh.study.worker({ code })) naming the folder that holds it.",
  );
}
