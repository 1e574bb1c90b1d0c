import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRegistrarStore } from '../../../src/state/registrar-store.ts';
import { registrarContract, TestClock } from '../../helpers/sip-state-contracts.ts';

for (const [name, run] of registrarContract((clock, max) =>
  max === undefined
    ? new MemoryRegistrarStore({ now: clock.now })
    : new MemoryRegistrarStore({ now: clock.now, maxBindingsPerAor: max }),
)) {
  test(`MemoryRegistrarStore: ${name}`, run);
}

test('MemoryRegistrarStore: AoRs nobody touches again are collected; the AoR count is capped', () => {
  const clock = new TestClock();
  const reg = new MemoryRegistrarStore({ now: clock.now, maxAors: 500 });
  for (let i = 0; i < 1000; i++) reg.setBinding(`sip:u${i}@t.example`, 'sip:c@192.0.2.1', 60);
  assert.equal(reg.size, 500);
  clock.advance(61_000);
  for (let i = 0; i < 300; i++) reg.setBinding('sip:active@t.example', `sip:c@192.0.2.${i % 5}`, 60);
  assert.equal(reg.size, 1, 'the 500 expired AoRs were swept, two per write');
  assert.equal(reg.getBindings('sip:active@t.example').length, 5);
  assert.throws(() => new MemoryRegistrarStore({ maxBindingsPerAor: 0 }), RangeError);
});
