/**
 * The V8 flags `npm start` runs the bridge with (package.json `start` and `serve`; README §
 * Configuration explains them). Benchmarks fork the bridge with the same flags so their figures
 * are the product's.
 */
export const BRIDGE_NODE_FLAGS = ['--no-memory-reducer', '--max-semi-space-size=64'];
