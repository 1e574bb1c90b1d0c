// All hot-path state of one node's SIP edge, in SharedArrayBuffers that every edge thread attaches
// to: the main thread creates the memory once per start (createSharedStateMemory) and hands it to
// each worker thread (worker_threads shares, never copies, a SharedArrayBuffer); each thread builds
// its views with attachSharedState. Sizes are fixed here — the bound on memory — and the eviction
// rule of each table is in its file.
//
//   table            key                 slots (default)           file
//   nonces           nonce sequence      1,048,576 (16 MiB)        nonce-table.ts
//   failures, bans   source key (/64)    8,192 each                failure-table.ts
//   packet rate      source key (/64)    65,536                    packet-rate-table.ts
//   CPS              trunk / cpsKey      4,096                     cps-table.ts
//   transactions     branch+method+src   262,144                   transaction-table.ts
//   bindings         trunk|AoR           8,192 × 10 contacts       binding-table.ts
import { randomBytes } from 'node:crypto';
import { BindingTable, bindingTableSpec } from './binding-table.ts';
import { CpsTable, cpsTableSpec } from './cps-table.ts';
import { banTableSpec, type FailurePolicy, FailureTable, failureTableSpec } from './failure-table.ts';
import {
  createNonceTableMemory,
  DEFAULT_NONCE_SLOTS,
  NonceTable,
  type NonceTableSpec,
} from './nonce-table.ts';
import { PacketRateTable, packetRateTableSpec } from './packet-rate-table.ts';
import { createTableMemory, SharedTable, type TableSpec } from './shared-table.ts';
import { TransactionTable, transactionTableSpec } from './transaction-table.ts';

export interface SharedStateSizes {
  nonceSlots: number;
  /** Buckets (× 8 ways) of the failure and ban tables. */
  failureBuckets: number;
  packetRateBuckets: number;
  cpsBuckets: number;
  transactionBuckets: number;
  bindingBuckets: number;
}

export const DEFAULT_SIZES: Readonly<SharedStateSizes> = Object.freeze({
  nonceSlots: DEFAULT_NONCE_SLOTS,
  failureBuckets: 1024,
  packetRateBuckets: 8192,
  cpsBuckets: 1024,
  transactionBuckets: 32768,
  bindingBuckets: 2048,
});

interface Table {
  sab: SharedArrayBuffer;
  spec: TableSpec;
}

/** Plain data (structured-clonable, SharedArrayBuffers shared): hand it to worker threads as is. */
export interface SharedStateMemory {
  /** Random per start, named in every nonce this node issues (src/sip/auth/nonce.ts). */
  nodeId: number;
  policy: FailurePolicy;
  packetRatePerSecond: number;
  nonces: { sab: SharedArrayBuffer; spec: NonceTableSpec };
  failures: Table;
  bans: Table;
  packetRate: Table;
  cps: Table;
  transactions: Table;
  bindings: Table;
}

function table(spec: TableSpec): Table {
  return { sab: createTableMemory(spec), spec };
}

export function createSharedStateMemory(options: {
  policy: FailurePolicy;
  packetRatePerSecond: number;
  sizes?: Partial<SharedStateSizes>;
}): SharedStateMemory {
  const s = { ...DEFAULT_SIZES, ...options.sizes };
  const nonceSpec = { slots: s.nonceSlots };
  return {
    nodeId: randomBytes(4).readUInt32BE(0),
    policy: { ...options.policy },
    packetRatePerSecond: options.packetRatePerSecond,
    nonces: { sab: createNonceTableMemory(nonceSpec), spec: nonceSpec },
    failures: table(failureTableSpec(options.policy, s.failureBuckets)),
    bans: table(banTableSpec(s.failureBuckets)),
    packetRate: table(packetRateTableSpec(s.packetRateBuckets)),
    cps: table(cpsTableSpec(s.cpsBuckets)),
    transactions: table(transactionTableSpec(s.transactionBuckets)),
    bindings: table(bindingTableSpec(s.bindingBuckets)),
  };
}

export interface SharedState {
  readonly nodeId: number;
  readonly nonces: NonceTable;
  readonly failures: FailureTable;
  readonly packetRate: PacketRateTable;
  readonly cps: CpsTable;
  readonly transactions: TransactionTable;
  readonly bindings: BindingTable;
  /** Live records overwritten because their bucket was full, per table (for /metrics). */
  evictions(): Record<string, number>;
  /** Live accepted-transaction records (walks the table: tests and metrics only). */
  transactionCount(): number;
}

export function attachSharedState(memory: SharedStateMemory, now: () => number = Date.now): SharedState {
  const t = (x: Table) => new SharedTable(x.sab, x.spec);
  const failures = t(memory.failures);
  const bans = t(memory.bans);
  const packetRate = t(memory.packetRate);
  const cps = t(memory.cps);
  const transactions = t(memory.transactions);
  const bindings = t(memory.bindings);
  return {
    nodeId: memory.nodeId,
    nonces: new NonceTable(memory.nonces.sab, memory.nonces.spec),
    failures: new FailureTable(failures, bans, memory.policy, now),
    packetRate: new PacketRateTable(packetRate, memory.packetRatePerSecond, now),
    cps: new CpsTable(cps, now),
    transactions: new TransactionTable(transactions, now),
    bindings: new BindingTable(bindings, now),
    transactionCount: () => transactions.liveCount(now()),
    evictions: () => ({
      failures: failures.evictions,
      bans: bans.evictions,
      packet_rate: packetRate.evictions,
      cps: cps.evictions,
      transactions: transactions.evictions,
      bindings: bindings.evictions,
    }),
  };
}
