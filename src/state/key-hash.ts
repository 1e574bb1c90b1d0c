// Hashing of table keys: two independent 32-bit hashes of a string. The first picks the bucket, both
// together (64 bits) identify the key inside it, so tables store fixed-size fingerprints, never the
// key itself. Both are seeded per start (the seeds live in each table's header, shared by every
// thread), so a sender cannot precompute keys that collide in one bucket to evict others' records.

/** Result slots of hashKey (module-level, one per thread: no allocation per call). */
export const keyHash = { h1: 0, h2: 0 };

export function hashKey(key: string, seed1: number, seed2: number): void {
  let a = (seed1 ^ 0x811c9dc5) | 0;
  let b = (seed2 ^ 0x9747b28c) | 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  keyHash.h1 = fmix32(a);
  keyHash.h2 = fmix32(b ^ key.length);
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
