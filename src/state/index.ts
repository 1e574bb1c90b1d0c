// All mutable state of a trunkgate node, in one module (docs/architecture.md, "Edge runtime and
// state"): the shared-memory tables every edge thread reads and writes (shared-state.ts and one file
// per table), each thread's view with Redis for what spans nodes (edge-state.ts), and the API's
// counters — rate limits and the auth-failure lockout (counter-store.ts) — on Redis with a per-node
// fallback. One key rule for source addresses on both sides (source-key.ts) and one failure window
// implementation (failure-table.ts).
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { CounterStore } from './counter-store.ts';
import { MemoryCounterStore } from './memory-counter-store.ts';
import { ResilientCounterStore } from './resilient-counter-store.ts';

export type {
  BucketLimit,
  CounterStatus,
  CounterStore,
  FailureLimit,
  RateDecision,
} from './counter-store.ts';
export { createEdgeState, type EdgeState, type EdgeStateHealth } from './edge-state.ts';
export { MemoryCounterStore } from './memory-counter-store.ts';
export { ResilientCounterStore } from './resilient-counter-store.ts';
export {
  attachSharedState,
  createSharedStateMemory,
  type SharedState,
  type SharedStateMemory,
} from './shared-state.ts';
export { sourceKey } from './source-key.ts';

export function createCounterStore(config: Readonly<Config>, log: Logger): CounterStore {
  if (config.redisUrl === undefined) return new MemoryCounterStore();
  return new ResilientCounterStore({ url: config.redisUrl, prefix: config.redisKeyPrefix, log });
}
