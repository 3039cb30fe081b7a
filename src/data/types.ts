/**
 * An image set held as bytes in NHWC order (the layout tfjs wants), with integer labels.
 * Bytes keep 70k Fashion-MNIST images in 55 MB; `toFloat` normalises a subset on demand.
 */
export interface ImageSet {
  /** Pixel bytes, NHWC: index ((n * height + y) * width + x) * channels + c. */
  readonly images: Uint8Array;
  /** One label per image, 0..numClasses-1. */
  readonly labels: Uint8Array;
  /** [count, height, width, channels]. */
  readonly shape: readonly [number, number, number, number];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Where it came from, for reports: a path or "synthetic(seed=...)". */
  readonly source: string;
}

/** A data set in memory: training and test images with their labels, shape, class count and names. */
export interface Dataset {
  readonly name: string;
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** A float tensor-to-be: NHWC float32 data plus its shape, ready for tf.tensor4d. */
export interface FloatImages {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number, number];
}
