/**
 * Multi-objective helpers (pure): the non-dominated points of a set (the Pareto front) and the
 * hypervolume a 2-D front dominates up to a reference point, each objective maximised or
 * minimised. A point dominates another when it is at least as good in every objective and better
 * in one; equal points do not dominate each other, so both stay on the front.
 */
import { fail, show } from "../core/errors.js";
import type { Direction } from "../core/types.js";
import { checkArray, checkNumbers, checkOneOf, checkRecords } from "../core/validate.js";

/** One point of a multi-objective study: its id and one value per objective. */
export interface ParetoPoint {
  readonly id: string;
  readonly values: readonly number[];
}

const DIRECTIONS: readonly Direction[] = ["maximize", "minimize"];

/** `directions` (one per objective) and `points` (ids, one finite value per direction) must match. */
export function checkParetoInput(points: unknown, directions: unknown, name = "points"): Direction[] {
  checkArray<Direction>("directions", directions, {
    min: 1,
    what: '"maximize" or "minimize" per objective',
    item: (n, v) => checkOneOf(n, v, DIRECTIONS),
    fix: 'pass e.g. ["maximize", "minimize"].',
  });
  const dirs = directions as Direction[];
  checkRecords(name, points, {
    what: "a point",
    fields: { id: "string", values: "array" },
    fix: "pass { id, values: [one number per objective] } per point.",
  });
  (points as ParetoPoint[]).forEach((p, i) => {
    checkNumbers(`${name}[${i}].values`, p.values);
    if (p.values.length !== dirs.length)
      fail("invalid-argument", {
        parameter: `${name}[${i}].values`,
        rule: `must hold one value per direction (${dirs.length})`,
        received: show(p.values),
        fix: "pass as many directions as objectives.",
      });
  });
  return dirs;
}

/** Whether a dominates b: at least as good in every objective and better in one. */
function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  let better = false;
  for (let k = 0; k < directions.length; k++) {
    const d = directions[k] === "maximize" ? a[k]! - b[k]! : b[k]! - a[k]!;
    if (d < 0) return false;
    if (d > 0) better = true;
  }
  return better;
}

/** The points no other point dominates, in their input order (O(n^2); fine for a study's trials). */
export function nonDominated<P extends ParetoPoint>(points: readonly P[], directions: readonly Direction[]): P[] {
  const dirs = checkParetoInput(points, directions);
  return points.filter((p) => !points.some((q) => q !== p && dominates(q.values, p.values, dirs)));
}

/**
 * The area a 2-D set of points dominates up to `reference` (a point worse than every point of
 * interest in both objectives). Points not strictly better than the reference in both objectives
 * add nothing; dominated points add nothing either.
 */
export function hypervolume2d(
  points: readonly ParetoPoint[],
  reference: readonly [number, number],
  directions: readonly [Direction, Direction],
): number {
  const dirs = checkParetoInput(points, directions);
  if (dirs.length !== 2)
    fail("invalid-argument", {
      parameter: "directions",
      rule: "must hold two directions (a 2-D hypervolume)",
      received: show(directions),
      fix: "pass two directions, one per objective.",
    });
  checkNumbers("reference", reference);
  if (reference.length !== 2)
    fail("invalid-argument", {
      parameter: "reference",
      rule: "must be two numbers (one per objective)",
      received: show(reference),
      fix: "pass e.g. [0, 1e6]: worse than every point in both objectives.",
    });
  // Both objectives as losses (smaller is better); the reference bounds the region from above.
  const sign = dirs.map((d) => (d === "maximize" ? -1 : 1));
  const [rx, ry] = [reference[0] * sign[0]!, reference[1] * sign[1]!];
  const losses = points
    .map((p) => [p.values[0]! * sign[0]!, p.values[1]! * sign[1]!] as const)
    .filter(([x, y]) => x < rx && y < ry)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let yPrev = ry;
  for (const [x, y] of losses) {
    if (y >= yPrev) continue; // dominated by a point with a smaller (or equal) x
    area += (rx - x) * (yPrev - y);
    yPrev = y;
  }
  return area;
}

/**
 * Non-dominated sorting (Deb et al. 2002, NSGA-II): the points in fronts, the first holding the
 * points no other dominates, the next those only the first dominates, and so on. Each front keeps
 * the input order. O(m n^2): fine for a study's trials.
 */
export function nonDominatedSort<P extends ParetoPoint>(points: readonly P[], directions: readonly Direction[]): P[][] {
  const dirs = checkParetoInput(points, directions);
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const beats: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!.values, points[j]!.values, dirs)) {
        beats[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!.values, points[i]!.values, dirs)) {
        beats[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  const fronts: P[][] = [];
  let current = points.map((_, i) => i).filter((i) => dominatedBy[i] === 0);
  while (current.length) {
    fronts.push(current.map((i) => points[i]!));
    const next: number[] = [];
    for (const i of current) for (const j of beats[i]!) if (--dominatedBy[j]! === 0) next.push(j);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * NSGA-II's crowding distance of each point of one front (same order): the sum over objectives of
 * the gap between its two neighbours, normalised by the front's range; the extremes get Infinity,
 * so selection keeps a front's spread.
 */
export function crowdingDistance(front: readonly ParetoPoint[]): number[] {
  checkRecords("front", front, {
    what: "a point",
    fields: { id: "string", values: "array" },
    fix: "pass one front of nonDominatedSort: { id, values: [one number per objective] } per point.",
  });
  front.forEach((p, i) => {
    checkNumbers(`front[${i}].values`, p.values);
    if (p.values.length !== front[0]!.values.length)
      fail("invalid-argument", {
        parameter: `front[${i}].values`,
        rule: `must hold as many values as front[0].values (${front[0]!.values.length})`,
        received: show(p.values),
        fix: "pass points of one study: one value per objective each.",
      });
  });
  const n = front.length;
  const d = new Array<number>(n).fill(0);
  if (n === 0) return d;
  const m = front[0]!.values.length;
  for (let k = 0; k < m; k++) {
    const order = front.map((_, i) => i).sort((a, b) => front[a]!.values[k]! - front[b]!.values[k]!);
    const lo = front[order[0]!]!.values[k]!;
    const hi = front[order[n - 1]!]!.values[k]!;
    d[order[0]!] = Infinity;
    d[order[n - 1]!] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < n - 1; r++)
      d[order[r]!]! += (front[order[r + 1]!]!.values[k]! - front[order[r - 1]!]!.values[k]!) / (hi - lo);
  }
  return d;
}
