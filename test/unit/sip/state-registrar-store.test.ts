import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAcceptedTransactions } from '../../../src/sip/state/accepted-transactions.ts';
import { MemoryRegistrarStore } from '../../../src/sip/state/registrar-store.ts';
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

test('MemoryAcceptedTransactions: entries live ttlSeconds; the count is capped', () => {
  const clock = new TestClock();
  const tx = new MemoryAcceptedTransactions({ now: clock.now, maxEntries: 3 });
  tx.remember('z9hG4bK1|INVITE|192.0.2.1|5060', 32);
  assert.equal(tx.has('z9hG4bK1|INVITE|192.0.2.1|5060'), true);
  assert.equal(tx.has('z9hG4bK2|INVITE|192.0.2.1|5060'), false);
  clock.advance(31_999);
  assert.equal(tx.has('z9hG4bK1|INVITE|192.0.2.1|5060'), true);
  clock.advance(1);
  assert.equal(tx.has('z9hG4bK1|INVITE|192.0.2.1|5060'), false);
  for (const k of ['a', 'b', 'c', 'd']) tx.remember(k, 32);
  assert.equal(tx.size, 3);
  assert.equal(tx.has('a'), false, 'the oldest went');
  assert.equal(tx.has('d'), true);
});
