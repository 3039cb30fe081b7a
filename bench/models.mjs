// The benchmark models, shared by bench/train-throughput.mjs and bench/profile-step.mjs; the
// PyTorch peer (bench/train_torch.py) builds the same architectures.
export const BENCH_MODELS = {
  // ENVIRONMENT.md's tiny CNN: conv16-relu-pool, conv32-relu-pool, flatten, dense.
  "tiny-cnn": {
    family: "cnn",
    depth: 2,
    width: 16,
    kernel: 3,
    pooling: "max",
    batchNorm: false,
    dropout: 0,
    head: "flatten",
  },
  // 3 stages x 2 basic blocks, widths 16/32/64 (6 blocks).
  "small-resnet": { family: "resnet", stages: 3, blocksPerStage: 2, width: 16 },
  // A candidate of the study's joint space (fh.space.jointSpace): a NAS-Bench-201 cell, 2 stages
  // x 2 cells, 16 channels, stem stride 2 (cells at 14x14).
  "nas-cell": {
    family: "nas-cell",
    cell: "|conv3x3~0|+|skip~0|conv1x1~1|+|avgpool3x3~0|conv3x3~1|conv3x3~2|",
    channels: 16,
    stages: 2,
    cellsPerStage: 2,
    stemStride: 2,
  },
};

// The training options of every benchmark run, the PyTorch peer's too (bench/train_torch.py):
// one epoch, batch 128, SGD with momentum 0.9, lr 0.05, weight decay 5e-4.
export const BENCH_TRAIN = { epochs: 1, batchSize: 128, lr: 0.05, momentum: 0.9, weightDecay: 5e-4 };
