// Picks the counter store for a deployment: Redis (with the in-memory fallback) when REDIS_URL is set.
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
export { MemoryCounterStore } from './memory-counter-store.ts';
export { ResilientCounterStore } from './resilient-counter-store.ts';

export function createCounterStore(config: Readonly<Config>, log: Logger): CounterStore {
  if (config.redisUrl === undefined) return new MemoryCounterStore();
  return new ResilientCounterStore({ url: config.redisUrl, prefix: config.redisKeyPrefix, log });
}
