// The IPC messages between cluster workers (cluster-client.ts) and the state broker in the cluster
// primary (cluster-broker.ts). Plain arrays of strings and numbers, so they survive both 'json' and
// 'advanced' serialization. Every message carries `tgState: 1`; other 'message' listeners (the lead's
// own worker messages) should ignore messages for which isStateMessage() is true.
//
//   worker → primary   { tgState: 1, calls: [[id, op, ...args], …] }        all calls of one event-loop turn;
//                                                                            id 0 = fire-and-forget, no reply
//   primary → worker   { tgState: 1, replies: [id, value, id, value, …],     one reply message per calls message
//                        errors?: [id, message, …] }
//   primary → workers  { tgState: 1, bans: [address, remainingMs, …] }      new bans (broadcast)
//
// A new worker's client sends the 'bans' call to load the bans that are already active (a push sent
// before the worker's listener existed would be lost).

export const STATE_OPS = [
  'nc',
  'fail',
  'cps',
  'regSet',
  'regGet',
  'regDel',
  'bans',
  'txAdd',
  'txHas',
] as const;
export type StateOp = (typeof STATE_OPS)[number];

export function isStateOp(v: unknown): v is StateOp {
  return typeof v === 'string' && (STATE_OPS as readonly string[]).includes(v);
}

/** [requestId, op, ...args]; requestId 0 asks for no reply. */
export type StateCall = [number, StateOp, ...Array<string | number>];

export type StateReplyValue = number | Array<string | number>;

export interface StateMessage {
  tgState: 1;
  calls?: StateCall[];
  replies?: Array<number | StateReplyValue>;
  errors?: Array<number | string>;
  bans?: Array<string | number>;
}

export function isStateMessage(msg: unknown): msg is StateMessage {
  return typeof msg === 'object' && msg !== null && (msg as { tgState?: unknown }).tgState === 1;
}
