// Messages between the main thread (edge-runtime.ts) and each edge thread (edge-thread.ts).
import type { MessagePort } from 'node:worker_threads';
import type { SharedStateMemory } from '../../state/shared-state.ts';

export interface EdgeThreadData {
  index: number;
  threads: number;
  /** SIP port to bind (0: any, only for the first thread). */
  port: number;
  clusterSecret: string;
  memory: SharedStateMemory;
  /** Int32 per thread: 1 while its Redis is configured but unusable. */
  degraded: Int32Array;
}

/** Main → thread. */
export type EdgeControlMessage =
  | { type: 'metrics'; id: number }
  | { type: 'peer'; index: number; port: MessagePort }
  | { type: 'stop' };

/** Thread → main. */
export type EdgeThreadMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: string }
  | { type: 'metrics'; id: number; metrics: unknown };
