import assert from 'node:assert/strict';
import { test } from 'node:test';
import { branchOwner, forwardBranch, isOurBranch } from '../../../src/sip/edge/via-branch.ts';

const KEY = Buffer.alloc(32, 7);

test("a TCP caller's branch names the owning thread and connection; a UDP one names none", () => {
  const udp = forwardBranch(KEY, 'z9hG4bK1', 'a.example:5060', '192.0.2.1:5060');
  assert.ok(isOurBranch(udp));
  assert.equal(branchOwner(udp), undefined);
  const tcp = forwardBranch(KEY, 'z9hG4bK1', 'a.example:5060', '192.0.2.1:5060', {
    thread: 3,
    connection: 123456,
  });
  assert.ok(isOurBranch(tcp));
  assert.ok(tcp.startsWith(udp), 'the same MAC part: retransmissions keep their branch');
  assert.deepEqual(branchOwner(tcp), { thread: 3, connection: 123456 });
  assert.equal(branchOwner(`${udp}.x`), undefined);
  assert.equal(branchOwner('z9hG4bKother'), undefined);
});
