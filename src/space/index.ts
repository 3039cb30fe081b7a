export { float, int, categorical, fixed, cell } from "./params.js";
export type {
  Param,
  FloatParam,
  IntParam,
  CategoricalParam,
  FixedParam,
  CellParam,
  Condition,
  Scalar,
  RangeOptions,
} from "./params.js";
export {
  defineSpace,
  sample,
  sampleMany,
  mutate,
  encode,
  encodingLength,
  configKey,
  validateConfig,
  spaceToJSON,
  spaceFromJSON,
} from "./space.js";
export type { Config, SearchSpace } from "./space.js";
export {
  CELL_OPS,
  CELL_EDGES,
  cellToString,
  parseCell,
  canonicalCellKey,
  sampleCell,
  mutateCell,
  encodeCell,
} from "./cell.js";
export type { CellOp } from "./cell.js";
export { hpoCnnSpace, nasCellSpace, jointSpace } from "./presets.js";
