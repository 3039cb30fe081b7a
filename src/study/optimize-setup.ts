/**
 * The set-up steps of study.optimize that depend on its options alone: the data (splits, or a
 * module that returns them), how many worker processes, the pruner's estimator on the workers,
 * and a shared study's run spec (code by name under its roots), each checked at the call.
 */
import { availableParallelism } from "node:os";
import { fail, show } from "../core/errors.js";
import { checkKeys, checkNumber } from "../core/validate.js";
import type { Splits } from "../data/splits.js";
import type { Pruner } from "../search/pruners.js";
import { codeRefOf, codeRoots, moduleFolder } from "./code.js";
import { importFunction, type ModelSource } from "./jobs.js";
import { isModuleExport, type OptimizeOptions } from "./optimize-options.js";
import type { ModuleExport, RunSpec } from "./queue.js";

/** The pruner's estimator fitted on the workers (a shared study's option scoreOnWorkers). */
export interface WorkerScore {
  readonly estimator: ModuleExport;
  readonly t: number;
}

/** options.data: the splits (loaded here from a module for a local study), or the module a shared study's workers load. */
export async function optimizeData(
  options: OptimizeOptions,
  source: ModelSource,
  shared: boolean,
): Promise<{ splits: Splits | undefined; dataModule: ModuleExport | undefined }> {
  let splits: Splits | undefined;
  let dataModule: ModuleExport | undefined;
  if (source.kind !== "objective" || options.data !== undefined) {
    if (isModuleExport(options.data)) {
      checkKeys("options.data", options.data, ["module", "exportName"]);
      dataModule = { module: options.data.module, exportName: options.data.exportName };
      if (!shared) {
        const load = await importFunction<() => Splits | Promise<Splits>>(
          dataModule.module,
          dataModule.exportName,
          "data",
        );
        splits = await load();
      }
    } else if (shared)
      fail("invalid-argument", {
        parameter: "options.data",
        rule: `must be { module, exportName } for a study in PostgreSQL: its workers (other processes and machines) load the data themselves`,
        received: show(options.data),
        fix: "export a function returning fh.data.makeSplits(...) from a module deployed on every machine and pass { module: <its absolute path>, exportName }.",
      });
    else splits = options.data as Splits | undefined;
    if (!shared && (!splits || typeof splits !== "object" || !splits.train || !splits.probeTrain))
      fail("invalid-argument", {
        parameter: "options.data",
        rule: "must be the splits of a data set (training, validation, test and probe sets), or { module, exportName } returning them",
        received: show(splits),
        fix: "pass fh.data.makeSplits(dataset, { train, validation, probeTrain, probeValidation, seed }).",
      });
  }
  return { splits, dataModule };
}

/** options.workers (default: one per core, at most one per trial), and where a model function can train. */
export function checkWorkers(options: OptimizeOptions, source: ModelSource, shared: boolean, target: number): number {
  const cores = availableParallelism();
  const workers = checkNumber("options.workers", options.workers ?? Math.min(cores, target), {
    integer: true,
    min: 0,
    max: 256,
  });
  if (shared && source.kind === "function")
    fail("invalid-argument", {
      parameter: "options.model",
      rule: "a study in PostgreSQL trains on workers that import the model by module, never a function's source",
      received: "a function",
      fix: "pass { module: <absolute path of the file that exports it, deployed on every machine>, exportName }.",
    });
  if (source.kind === "function" && workers > 0)
    fail("invalid-argument", {
      parameter: "options.model",
      rule: "a function can only train in this process (workers: 0): worker processes import the model by module",
      received: `a function with workers: ${workers}`,
      fix: "pass { module: <absolute path of the file that exports it>, exportName } for workers, or workers: 0.",
    });
  return workers;
}

/** options.scoreOnWorkers: { module, exportName } of the pruner's estimator, for a shared study with a pruner. */
export function workerScore(
  options: OptimizeOptions,
  shared: boolean,
  pruner: Pruner | undefined,
): WorkerScore | undefined {
  let score: WorkerScore | undefined;
  if (options.scoreOnWorkers !== undefined) {
    if (!shared || !isModuleExport(options.scoreOnWorkers) || !pruner)
      fail("invalid-argument", {
        parameter: "options.scoreOnWorkers",
        rule: "is { module, exportName } of the pruner's estimator, for a study in PostgreSQL with a pruner",
        received: !shared ? "a local study" : !pruner ? "a study without a pruner" : show(options.scoreOnWorkers),
        fix: "export the estimator from a module every worker imports (export const fhEstimator = fh.proxy.featureHistoryProxy()) and pass { module, exportName }.",
      });
    checkKeys("options.scoreOnWorkers", options.scoreOnWorkers, ["module", "exportName"]);
    score = {
      estimator: { module: options.scoreOnWorkers.module, exportName: options.scoreOnWorkers.exportName },
      t: pruner.epochs,
    };
  }
  return score;
}

/** A shared study's run spec: every module named relative to a code root, with its file's hash. */
export function sharedRunSpec(
  options: OptimizeOptions,
  budget: number,
  source: ModelSource,
  dataModule: ModuleExport | undefined,
  score: WorkerScore | undefined,
): { spec: RunSpec; roots: string[] } {
  // Code travels by name: each module as a path relative to a code root, with its file's hash.
  // Default roots: the working directory (workers started in the same project folder find the
  // same paths), else each module's own folder.
  const given = [
    source.kind === "module" || source.kind === "objective" ? source : undefined,
    dataModule,
    score?.estimator,
  ];
  const roots =
    options.code !== undefined
      ? codeRoots(options.code, "options.code")
      : [
          ...new Set([
            ...(process.cwd() === "/" ? [] : codeRoots(process.cwd(), "the working directory")),
            ...given.flatMap((m, i) =>
              m ? [moduleFolder(m.module, ["options.model", "options.data", "options.scoreOnWorkers"][i]!)] : [],
            ),
          ]),
        ];
  const model: RunSpec["model"] =
    source.kind === "module"
      ? {
          kind: "module",
          ...codeRefOf(source, roots, "options.model"),
          ...(source.featuresLayer ? { featuresLayer: source.featuresLayer } : {}),
        }
      : source.kind === "objective"
        ? { kind: "objective", ...codeRefOf(source, roots, "options.objective") }
        : { kind: "builtin" };
  const spec: RunSpec = {
    ...(score ? { score: { t: score.t, estimator: codeRefOf(score.estimator, roots, "options.scoreOnWorkers") } } : {}),
    budget,
    model,
    ...(dataModule ? { data: codeRefOf(dataModule, roots, "options.data") } : {}),
    ...(options.train ? { train: options.train } : {}),
    ...(options.historyDtype ? { historyDtype: options.historyDtype } : {}),
  };
  return { spec, roots };
}
