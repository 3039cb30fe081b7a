// danfojs-node requires "@tensorflow/tfjs-node"; the real one downloads libtensorflow at install
// time, which fails offline. danfojs only needs tfjs-core ops, which @tensorflow/tfjs provides.
module.exports = require("@tensorflow/tfjs");
