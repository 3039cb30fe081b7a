export type { ImageSet, Dataset, FloatImages } from "./types.js";
export {
  loadIdxDataset,
  loadFashionMnist,
  DEFAULT_DATA_DIR,
  DATA_DIR_VARIABLE,
  FASHION_MNIST_CLASSES,
} from "./mnist.js";
export type { IdxDatasetOptions } from "./mnist.js";
export { loadCifar10, CIFAR10_CLASSES } from "./cifar.js";
export type { Cifar10Options } from "./cifar.js";
export { syntheticDataset } from "./synthetic.js";
export type { SyntheticOptions } from "./synthetic.js";
export { makeSplits, subset, sampleIndices, channelStats, toFloat, classCounts } from "./splits.js";
export type { SplitOptions, Splits, ToFloatOptions } from "./splits.js";
export { fromArrays } from "./arrays.js";
export type { FromArraysOptions, ArraySplit } from "./arrays.js";
