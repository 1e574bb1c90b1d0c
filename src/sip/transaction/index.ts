// Public surface of the RFC 3261 §17 transaction layer; docs/sip-transactions.md describes it.
export { newBranch } from './branch.ts';
export { buildCancel } from './cancel-request.ts';
export type { ClientTransactionUser, ReceiveResponseOutcome } from './client-transaction-user.ts';
export type { InviteClientState } from './invite-client-transaction.ts';
export { INVITE_CLIENT_STATES, InviteClientTransaction } from './invite-client-transaction.ts';
export type { InviteServerState } from './invite-server-transaction.ts';
export { INVITE_SERVER_STATES, InviteServerTransaction } from './invite-server-transaction.ts';
export { buildNon2xxAck } from './non-2xx-ack.ts';
export type { NonInviteClientState } from './non-invite-client-transaction.ts';
export { NON_INVITE_CLIENT_STATES, NonInviteClientTransaction } from './non-invite-client-transaction.ts';
export type { NonInviteServerState } from './non-invite-server-transaction.ts';
export { NON_INVITE_SERVER_STATES, NonInviteServerTransaction } from './non-invite-server-transaction.ts';
export type {
  ReceiveRequestOutcome,
  RespondOutcome,
  ServerTransactionUser,
} from './server-transaction-user.ts';
export type { TimerDurations, TimerName, TimerValues, TransactionClock } from './timers.ts';
export { DEFAULT_TIMER_VALUES, systemClock, TIMER_NAMES, timerDurations } from './timers.ts';
export type { TransactionKind, TransactionOptions } from './transaction.ts';
export { cancelTargetKey, clientRequestKey, requestKey, responseKey } from './transaction-key.ts';
export type {
  AddOutcome,
  AnyTransaction,
  ClientTransaction,
  ServerTransaction,
  TransactionTableOptions,
} from './transaction-table.ts';
export { DEFAULT_MAX_TRANSACTIONS, TransactionTable } from './transaction-table.ts';
export type { TransactionTransport } from './transaction-transport.ts';
