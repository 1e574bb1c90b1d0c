// What key rotation and the start-up key check need from a place that stores sealed secrets
// (one implementation per encrypted column; the store layer lists them in one place). No SQL here.
import type { OpenOutcome } from './secret-box.ts';

export type OpenFailureKind = Exclude<OpenOutcome['kind'], 'ok'>;

export interface KeyUsage {
  keyId: string;
  count: number;
}

export interface ReencryptFailure {
  id: string;
  reason: OpenFailureKind;
  keyId: string | undefined;
}

export interface ReencryptBatchResult {
  /** Rows read in this batch (under a key other than the newest). Fewer than asked: no more rows. */
  examined: number;
  /** The last id read: the next batch continues after it. */
  lastId: string | undefined;
  reencrypted: number;
  /** Changed by someone else between read and write; a later run picks them up if still needed. */
  skipped: number;
  failures: ReencryptFailure[];
}

export interface EncryptedSecretColumn {
  /** e.g. `provider_credentials.auth_password`; also shown to operators. */
  readonly label: string;
  /** How many stored secrets each key id holds. */
  countByKeyId(): Promise<KeyUsage[]>;
  /** Tries to open one stored secret sealed under `keyId` (undefined when there is none). */
  probe(keyId: string): Promise<{ id: string; outcome: OpenOutcome['kind'] } | undefined>;
  /**
   * Re-encrypts, in one committed transaction, up to `limit` secrets not yet under `currentKeyId`
   * whose row id sorts after `afterId`.
   */
  reencryptBatch(
    currentKeyId: string,
    afterId: string | undefined,
    limit: number,
  ): Promise<ReencryptBatchResult>;
}
