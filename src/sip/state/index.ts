// The SIP edge's per-thread state: createEdgeState() over this node's shared-memory tables
// (src/state/), with Redis for what spans nodes. One file per concern.
export { BanCache } from './ban-cache.ts';
export {
  type BanList,
  type BanPolicy,
  DEFAULT_BAN_POLICY,
  type FailureOutcome,
  MemoryBanList,
  RedisBanList,
  resolveBanPolicy,
} from './ban-list.ts';
export {
  type CpsDecision,
  type CpsLimiter,
  type CpsWindow,
  cpsWindow,
  MAX_CPS_CAPACITY,
  MemoryCpsLimiter,
  RedisCpsLimiter,
} from './cps-limiter.ts';
export {
  createEdgeState,
  type EdgeState,
  type EdgeStateBackend,
  type EdgeStateHealth,
  type EdgeStateOptions,
} from './edge-state.ts';
export {
  type Binding,
  DEFAULT_MAX_BINDINGS_PER_AOR,
  MemoryRegistrarStore,
  RedisRegistrarStore,
  type RegistrarStore,
  type SetBindingResult,
} from './registrar-store.ts';
