// The SIP edge's shared state: createEdgeState() in each edge process, startStateBrokerInPrimary() in the
// cluster primary. One file per concern; each holds its interface and its Memory and Redis implementations.
export {
  type AcceptedTransactions,
  MemoryAcceptedTransactions,
  RedisAcceptedTransactions,
} from './accepted-transactions.ts';
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
export { type StateBroker, type StateBrokerOptions, startStateBrokerInPrimary } from './cluster-broker.ts';
export {
  type ClusterStateClient,
  type ClusterStateClientOptions,
  createClusterStateClient,
} from './cluster-client.ts';
export { isStateMessage } from './cluster-protocol.ts';
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
  type EdgeAcceptedTransactions,
  type EdgeBanList,
  type EdgeCpsLimiter,
  type EdgeRegistrar,
  type EdgeState,
  type EdgeStateBackend,
  type EdgeStateConfig,
  type EdgeStateHealth,
  type EdgeStateOptions,
} from './edge-state.ts';
export { DEFAULT_PACKET_RATE_PER_SECOND, PacketRateLimiter, type PacketRateOptions } from './packet-rate.ts';
export {
  type Binding,
  DEFAULT_MAX_BINDINGS_PER_AOR,
  MemoryRegistrarStore,
  RedisRegistrarStore,
  type RegistrarStore,
  type SetBindingResult,
} from './registrar-store.ts';
export { StateUnavailableError } from './state-unavailable-error.ts';
