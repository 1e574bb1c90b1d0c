// Key rotation: re-encrypt every stored secret under the newest key, one committed batch at a
// time. Progress lives in the data itself (which key id each row names), so an interrupted run
// loses nothing and the next run continues with the rows still under older keys.
import type { EncryptedSecretColumn, ReencryptBatchResult, ReencryptFailure } from './encrypted-column.ts';

export interface RotationOptions {
  currentKeyId: string;
  batchSize: number;
  /** Stop after this many batches (an operator's throttle; also how tests interrupt a run). */
  maxBatches?: number;
  onBatch?: (column: string, batch: number, result: ReencryptBatchResult) => void;
}

export interface RotationReport {
  batches: number;
  reencrypted: number;
  skipped: number;
  failures: Array<ReencryptFailure & { column: string }>;
  /** True when maxBatches ended the run before every column was walked. */
  stoppedEarly: boolean;
}

export async function rotateSecrets(
  columns: readonly EncryptedSecretColumn[],
  opts: RotationOptions,
): Promise<RotationReport> {
  const report: RotationReport = {
    batches: 0,
    reencrypted: 0,
    skipped: 0,
    failures: [],
    stoppedEarly: false,
  };
  for (const column of columns) {
    // The cursor only moves forward within a run, so rows that fail to open are reported once
    // per run instead of being re-read forever.
    let afterId: string | undefined;
    for (;;) {
      if (opts.maxBatches !== undefined && report.batches >= opts.maxBatches) {
        report.stoppedEarly = true;
        return report;
      }
      const result = await column.reencryptBatch(opts.currentKeyId, afterId, opts.batchSize);
      if (result.examined === 0) break;
      report.batches++;
      report.reencrypted += result.reencrypted;
      report.skipped += result.skipped;
      for (const f of result.failures) report.failures.push({ ...f, column: column.label });
      opts.onBatch?.(column.label, report.batches, result);
      if (result.examined < opts.batchSize) break;
      afterId = result.lastId;
    }
  }
  return report;
}
