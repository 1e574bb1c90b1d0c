// Ids of trunks and applications. Plivo's are decimal strings ("trunk_id": "21784177241578",
// "app_id": "20372631212782780"), and ours also appear in SIP: a trunk's domain is
// `{trunk_id}.{sip_domain}` (a DNS label) and an application's URI `sip:{app_id}@{sip_domain}`
// (a SIP user part). Digits are safe in both.
import { randomInt } from 'node:crypto';

export const NUMERIC_ID_DIGITS = 18;
export const NUMERIC_ID_PATTERN = /^[1-9][0-9]{17}$/;

/** 18 random decimal digits, never starting with 0 (about 2^59 values). */
export function generateNumericId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 1; i < NUMERIC_ID_DIGITS; i++) id += String(randomInt(0, 10));
  return id;
}
