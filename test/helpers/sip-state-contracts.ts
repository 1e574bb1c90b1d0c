// Behaviour every implementation of a shared-state concern must have (src/state/), written once and
// run against the Memory implementations (test/unit/sip/state-*.test.ts) and the Redis ones
// (test/integration/sip-state-redis.test.ts). Time is an injected clock: nothing sleeps.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BanList, BanPolicy } from '../../src/state/ban-list.ts';
import type { CpsLimiter } from '../../src/state/cps-limiter.ts';
import type { RegistrarStore } from '../../src/state/registrar-store.ts';

export class TestClock {
  t = 1_700_000_000_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export type Case = [name: string, run: () => Promise<void>];

// ─── bans ─────────────────────────────────────────────────────────────────────────────────────────────

export type MakeBanList = (clock: TestClock, policy?: Partial<BanPolicy>) => BanList | Promise<BanList>;

export function banListContract(make: MakeBanList): Case[] {
  return [
    [
      'bans at exactly maxFailures failures, reporting the new ban once',
      async () => {
        const clock = new TestClock();
        const bans = await make(clock);
        for (let i = 1; i <= 9; i++) {
          assert.deepEqual(await bans.recordFailure('192.0.2.1'), {
            banned: false,
            newlyBanned: false,
            failures: i,
            banRemainingMs: 0,
          });
          clock.advance(1000);
        }
        assert.equal(bans.isBanned('192.0.2.1'), false);
        assert.deepEqual(await bans.recordFailure('192.0.2.1'), {
          banned: true,
          newlyBanned: true,
          failures: 10,
          banRemainingMs: 60_000,
        });
        assert.equal(bans.isBanned('192.0.2.1'), true);
        assert.equal(bans.isBanned('192.0.2.2'), false, 'other addresses are not affected');
        clock.advance(1000);
        assert.deepEqual(await bans.recordFailure('192.0.2.1'), {
          banned: true,
          newlyBanned: false,
          failures: 10,
          banRemainingMs: 59_000,
        });
        assert.equal((await bans.recordFailure('2001:db8::1')).failures, 1, 'counts are per address');
      },
    ],
    [
      'the window slides: a failure counts for exactly windowSeconds',
      async () => {
        const clock = new TestClock();
        const bans = await make(clock);
        await bans.recordFailure('198.51.100.7'); // t = 0
        clock.advance(30_000);
        for (let i = 0; i < 8; i++) await bans.recordFailure('198.51.100.7'); // 9 within the window
        clock.advance(30_000); // t = 60 s: the first failure has just left the window
        const at60 = await bans.recordFailure('198.51.100.7');
        assert.deepEqual([at60.banned, at60.failures], [false, 9]);
        clock.advance(1);
        const next = await bans.recordFailure('198.51.100.7');
        assert.deepEqual([next.banned, next.newlyBanned, next.failures], [true, true, 10]);
      },
    ],
    [
      'a ban ends after banSeconds, is not extended by failures during it, and the count restarts',
      async () => {
        const clock = new TestClock();
        const bans = await make(clock);
        for (let i = 0; i < 10; i++) await bans.recordFailure('203.0.113.9');
        assert.equal(bans.isBanned('203.0.113.9'), true);
        clock.advance(30_000);
        const during = await bans.recordFailure('203.0.113.9');
        assert.deepEqual([during.banned, during.newlyBanned, during.banRemainingMs], [true, false, 30_000]);
        clock.advance(29_999);
        assert.equal(bans.isBanned('203.0.113.9'), true);
        clock.advance(1);
        assert.equal(bans.isBanned('203.0.113.9'), false, 'released after 60 s');
        const after = await bans.recordFailure('203.0.113.9');
        assert.deepEqual([after.banned, after.failures], [false, 1], 'counting starts again from zero');
      },
    ],
    [
      'the policy is configurable',
      async () => {
        const clock = new TestClock();
        const bans = await make(clock, { maxFailures: 3, windowSeconds: 5, banSeconds: 2 });
        await bans.recordFailure('192.0.2.50');
        clock.advance(5000);
        await bans.recordFailure('192.0.2.50'); // the first one left the 5 s window
        const second = await bans.recordFailure('192.0.2.50');
        assert.deepEqual([second.banned, second.failures], [false, 2]);
        const third = await bans.recordFailure('192.0.2.50');
        assert.deepEqual([third.banned, third.newlyBanned, third.banRemainingMs], [true, true, 2000]);
        clock.advance(2000);
        assert.equal(bans.isBanned('192.0.2.50'), false);
      },
    ],
  ];
}

// ─── CPS ──────────────────────────────────────────────────────────────────────────────────────────────

export type MakeCpsLimiter = (clock: TestClock) => CpsLimiter | Promise<CpsLimiter>;

/** The documented rule, naively: admit iff fewer than capacity admissions in the last window. */
export class CpsModel {
  private readonly admitted: number[] = [];
  constructor(private readonly limit: number) {}
  take(now: number): boolean {
    const capacity = Math.max(1, Math.ceil(this.limit));
    const windowMs = (capacity * 1000) / this.limit;
    const inWindow = this.admitted.filter((t) => t + windowMs > now).length;
    if (inWindow >= capacity) return false;
    this.admitted.push(now);
    return true;
  }
}

export function cpsLimiterContract(make: MakeCpsLimiter, propertyRuns = 200): Case[] {
  return [
    [
      'limit 5: 20 takes in one instant → exactly 5 allowed, Retry-After 1',
      async () => {
        const cps = await make(new TestClock());
        const results = [];
        for (let i = 0; i < 20; i++) results.push(await cps.take('trunk-a', 5));
        assert.equal(results.filter((r) => r.allowed).length, 5);
        assert.deepEqual(results[0], { allowed: true, retryAfterSeconds: 0 });
        assert.deepEqual(results[5], { allowed: false, retryAfterSeconds: 1 });
      },
    ],
    [
      'limit 5: 20 takes paced over one second → exactly 5 allowed (a token bucket would admit ~9)',
      async () => {
        const clock = new TestClock();
        const cps = await make(clock);
        let allowed = 0;
        for (let i = 0; i < 20; i++) {
          if ((await cps.take('trunk-b', 5)).allowed) allowed++;
          clock.advance(50); // 20 takes within 950 ms
        }
        assert.equal(allowed, 5);
      },
    ],
    [
      'the window slides: a slot frees when the oldest admission is one window old',
      async () => {
        const clock = new TestClock();
        const cps = await make(clock);
        assert.equal((await cps.take('k', 2)).allowed, true); // t = 0
        clock.advance(400);
        assert.equal((await cps.take('k', 2)).allowed, true); // t = 400
        clock.advance(599);
        assert.deepEqual(await cps.take('k', 2), { allowed: false, retryAfterSeconds: 1 }); // t = 999
        clock.advance(1);
        assert.equal((await cps.take('k', 2)).allowed, true, 't = 1000: the first admission left');
        clock.advance(1);
        assert.deepEqual(await cps.take('k', 2), { allowed: false, retryAfterSeconds: 1 });
      },
    ],
    [
      'fractional limits keep the long-run rate: 0.5/s is 1 per 2 s, 2.5/s is 3 per 1.2 s',
      async () => {
        const clock = new TestClock();
        const cps = await make(clock);
        assert.equal((await cps.take('half', 0.5)).allowed, true);
        clock.advance(1);
        assert.deepEqual(await cps.take('half', 0.5), { allowed: false, retryAfterSeconds: 2 });
        clock.advance(1998);
        assert.equal((await cps.take('half', 0.5)).allowed, false);
        clock.advance(1);
        assert.equal((await cps.take('half', 0.5)).allowed, true);

        const t0 = clock.t;
        let allowed = 0;
        for (let i = 0; i < 10; i++) if ((await cps.take('two-and-half', 2.5)).allowed) allowed++;
        assert.equal(allowed, 3);
        clock.t = t0 + 1199;
        assert.equal((await cps.take('two-and-half', 2.5)).allowed, false);
        clock.t = t0 + 1200;
        assert.equal((await cps.take('two-and-half', 2.5)).allowed, true);
      },
    ],
    [
      'keys are independent',
      async () => {
        const cps = await make(new TestClock());
        assert.equal((await cps.take('x', 1)).allowed, true);
        assert.equal((await cps.take('x', 1)).allowed, false);
        assert.equal((await cps.take('y', 1)).allowed, true);
      },
    ],
    [
      'a lowered limit applies at once; a raised one too',
      async () => {
        const clock = new TestClock();
        const cps = await make(clock);
        for (let i = 0; i < 5; i++) assert.equal((await cps.take('z', 5)).allowed, true);
        assert.equal((await cps.take('z', 2)).allowed, false, 'already 2 or more in the window');
        assert.equal((await cps.take('z', 10)).allowed, true, 'room under the higher limit');
        clock.advance(1000);
        assert.equal((await cps.take('z', 2)).allowed, true);
        assert.equal((await cps.take('z', 2)).allowed, true);
        assert.equal((await cps.take('z', 2)).allowed, false);
      },
    ],
    [
      'a limit that is not a positive number up to 10,000 is a RangeError',
      async () => {
        const cps = await make(new TestClock());
        for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 10_001]) {
          await assert.rejects(async () => cps.take('bad', bad), RangeError, String(bad));
        }
      },
    ],
    [
      'agrees with the reference model on random arrivals and limits',
      async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(0.5, 1, 2, 2.5, 5, 7),
            fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 40 }),
            async (limit, gaps) => {
              const clock = new TestClock();
              const cps = await make(clock);
              const model = new CpsModel(limit);
              const key = `prop-${run++}`;
              for (const gap of gaps) {
                clock.advance(gap);
                assert.equal(
                  (await cps.take(key, limit)).allowed,
                  model.take(clock.t),
                  `limit ${limit} gaps ${gaps}`,
                );
              }
            },
          ),
          { numRuns: propertyRuns },
        );
      },
    ],
  ];
}

// ─── registrar ────────────────────────────────────────────────────────────────────────────────────────

export type MakeRegistrar = (
  clock: TestClock,
  maxBindingsPerAor?: number,
) => RegistrarStore | Promise<RegistrarStore>;

export function registrarContract(make: MakeRegistrar): Case[] {
  const aor = 'sip:alice@trunk.example';
  return [
    [
      'bindings are kept with their remaining expiry, in contact order',
      async () => {
        const clock = new TestClock();
        const reg = await make(clock);
        assert.deepEqual(await reg.getBindings(aor), []);
        const first = await reg.setBinding(aor, 'sip:alice@198.51.100.2:5060', 3600);
        assert.deepEqual(first, {
          kind: 'ok',
          bindings: [{ contact: 'sip:alice@198.51.100.2:5060', expiresSeconds: 3600 }],
        });
        clock.advance(1000);
        const second = await reg.setBinding(aor, 'sip:alice@198.51.100.1:5062;transport=tcp', 60);
        assert.deepEqual(second.bindings, [
          { contact: 'sip:alice@198.51.100.1:5062;transport=tcp', expiresSeconds: 60 },
          { contact: 'sip:alice@198.51.100.2:5060', expiresSeconds: 3599 },
        ]);
        clock.advance(500);
        assert.deepEqual(await reg.getBindings(aor), [
          { contact: 'sip:alice@198.51.100.1:5062;transport=tcp', expiresSeconds: 60 }, // 59.5 s, rounded up
          { contact: 'sip:alice@198.51.100.2:5060', expiresSeconds: 3599 },
        ]);
        assert.deepEqual(await reg.getBindings('sip:bob@trunk.example'), [], 'AoRs are independent');
      },
    ],
    [
      'a binding expires; a refresh extends it',
      async () => {
        const clock = new TestClock();
        const reg = await make(clock);
        await reg.setBinding(aor, 'sip:a@192.0.2.1', 10);
        await reg.setBinding(aor, 'sip:b@192.0.2.2', 30);
        clock.advance(9000);
        await reg.setBinding(aor, 'sip:a@192.0.2.1', 20); // refresh at 9 s → ends at 29 s
        clock.advance(19_999);
        assert.deepEqual(await reg.getBindings(aor), [
          { contact: 'sip:a@192.0.2.1', expiresSeconds: 1 }, // 1 ms left, rounded up
          { contact: 'sip:b@192.0.2.2', expiresSeconds: 2 },
        ]);
        clock.advance(1);
        assert.deepEqual(await reg.getBindings(aor), [{ contact: 'sip:b@192.0.2.2', expiresSeconds: 1 }]);
        clock.advance(1000);
        assert.deepEqual(await reg.getBindings(aor), []);
      },
    ],
    [
      'expires 0 removes one contact (RFC 3261 §10.2.2); removeAll removes every one',
      async () => {
        const clock = new TestClock();
        const reg = await make(clock);
        await reg.setBinding(aor, 'sip:a@192.0.2.1', 60);
        await reg.setBinding(aor, 'sip:b@192.0.2.2', 60);
        assert.deepEqual(await reg.setBinding(aor, 'sip:a@192.0.2.1', 0), {
          kind: 'ok',
          bindings: [{ contact: 'sip:b@192.0.2.2', expiresSeconds: 60 }],
        });
        assert.deepEqual((await reg.setBinding(aor, 'sip:never@192.0.2.9', 0)).bindings.length, 1);
        await reg.removeAll(aor);
        assert.deepEqual(await reg.getBindings(aor), []);
      },
    ],
    [
      'at most maxBindingsPerAor contacts: a new one is refused, a refresh is not',
      async () => {
        const clock = new TestClock();
        const reg = await make(clock, 2);
        await reg.setBinding(aor, 'sip:a@192.0.2.1', 5);
        await reg.setBinding(aor, 'sip:b@192.0.2.2', 60);
        const refused = await reg.setBinding(aor, 'sip:c@192.0.2.3', 60);
        assert.equal(refused.kind, 'too_many_bindings');
        assert.equal(refused.kind === 'too_many_bindings' && refused.max, 2);
        assert.equal(refused.bindings.length, 2);
        assert.equal((await reg.setBinding(aor, 'sip:b@192.0.2.2', 120)).kind, 'ok', 'refresh');
        clock.advance(5000); // a expired: room again
        assert.equal((await reg.setBinding(aor, 'sip:c@192.0.2.3', 60)).kind, 'ok');
      },
    ],
    [
      'expiresSeconds must be a whole number ≥ 0',
      async () => {
        const reg = await make(new TestClock());
        for (const bad of [-1, 1.5, Number.NaN]) {
          await assert.rejects(async () => reg.setBinding(aor, 'sip:x@192.0.2.1', bad), RangeError);
        }
      },
    ],
  ];
}
