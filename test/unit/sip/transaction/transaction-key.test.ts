// Transaction matching, RFC 3261 §17.1.3 and §17.2.3, and the CANCEL of §9.1 / §9.2.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newBranch } from '../../../../src/sip/transaction/branch.ts';
import { buildCancel } from '../../../../src/sip/transaction/cancel-request.ts';
import {
  cancelTargetKey,
  clientRequestKey,
  requestKey,
  responseKey,
} from '../../../../src/sip/transaction/transaction-key.ts';
import { request, response } from '../../../helpers/sip-transaction.ts';

function key(r: ReturnType<typeof requestKey>): string {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.ok ? r.value : '';
}

describe('server transaction keys (§17.2.3)', () => {
  test('a retransmitted INVITE and the ACK for a non-2xx match the INVITE; CANCEL is its own', () => {
    const invite = key(requestKey(request()));
    assert.equal(key(requestKey(request())), invite);
    assert.equal(key(requestKey(request({ method: 'ACK', toTag: 'uas1' }))), invite);
    const cancel = key(requestKey(request({ method: 'CANCEL' })));
    assert.notEqual(cancel, invite);
    assert.equal(key(cancelTargetKey(request({ method: 'CANCEL' }))), invite);
    assert.equal(cancelTargetKey(request({ method: 'BYE' })).ok, false);
  });

  test('branch, sent-by and method each separate transactions; sent-by host is case-insensitive', () => {
    const invite = key(requestKey(request()));
    assert.notEqual(key(requestKey(request({ branch: 'z9hG4bKtest2' }))), invite);
    assert.notEqual(
      key(requestKey(request({ branch: 'z9hG4bKTEST1' }))),
      invite,
      'branch is compared exactly',
    );
    assert.notEqual(key(requestKey(request({ sentBy: '192.0.2.11:5060' }))), invite);
    assert.notEqual(key(requestKey(request({ sentBy: '192.0.2.10:5070' }))), invite);
    assert.notEqual(key(requestKey(request({ sentBy: '192.0.2.10' }))), invite);
    assert.notEqual(key(requestKey(request({ method: 'OPTIONS' }))), invite);
    assert.equal(
      key(requestKey(request({ sentBy: 'PBX.example.com:5060' }))),
      key(requestKey(request({ sentBy: 'pbx.example.com:5060' }))),
    );
  });

  test('without the magic cookie (RFC 2543): Request-URI, From tag, Call-ID, CSeq, top Via; ACK still matches', () => {
    const old = { branch: '2543abc' };
    const invite = key(requestKey(request(old)));
    assert.ok(invite.startsWith('s2543 '));
    assert.equal(key(requestKey(request({ ...old, method: 'ACK', toTag: 'uas1' }))), invite);
    assert.notEqual(key(requestKey(request({ ...old, cseq: 2 }))), invite);
    assert.notEqual(key(requestKey(request({ ...old, uri: 'sip:other@pbx.example.com' }))), invite);
    assert.equal(key(cancelTargetKey(request({ ...old, method: 'CANCEL' }))), invite);
    // For methods other than INVITE the To tag is part of the match.
    assert.notEqual(
      key(requestKey(request({ ...old, method: 'BYE', toTag: 'a' }))),
      key(requestKey(request({ ...old, method: 'BYE', toTag: 'b' }))),
    );
  });
});

describe('client transaction keys (§17.1.3)', () => {
  test('a response matches by top Via branch and CSeq method, so CANCEL responses stay off the INVITE', () => {
    const invite = request();
    const cancelReq = buildCancel(invite);
    assert.ok(cancelReq.ok);
    if (!cancelReq.ok) return;
    const inviteKey = key(clientRequestKey(invite));
    const cancelKey = key(clientRequestKey(cancelReq.value));
    assert.notEqual(inviteKey, cancelKey);
    assert.equal(key(responseKey(response(invite, 487, 'Request Terminated'))), inviteKey);
    assert.equal(key(responseKey(response(cancelReq.value, 200, 'OK'))), cancelKey);
    assert.notEqual(key(responseKey(response(request({ branch: 'z9hG4bKother' }), 200))), inviteKey);
  });

  test('clientRequestKey demands the magic cookie and a CSeq of the same method', () => {
    assert.equal(clientRequestKey(request({ branch: 'nocookie' })).ok, false);
    assert.equal(clientRequestKey(request({ branch: 'z9hG4bK' })).ok, false, 'cookie alone is not a branch');
    // The parser refuses such a message, but a TU builds requests itself.
    const mismatched = request();
    mismatched.headers.set('CSeq', '1 BYE');
    assert.equal(clientRequestKey(mismatched).ok, false);
  });

  test('newBranch: magic cookie, unique', () => {
    const a = newBranch();
    assert.match(a, /^z9hG4bK[A-Za-z0-9_-]{22}$/);
    assert.notEqual(newBranch(), a);
  });
});

describe('CANCEL (§9.1)', () => {
  test('same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE; Route copied', () => {
    const invite = request({ route: '<sip:edge.example.com;lr>', cseq: 7 });
    const c = buildCancel(invite);
    assert.ok(c.ok);
    if (!c.ok) return;
    assert.equal(c.value.method, 'CANCEL');
    assert.equal(c.value.uri, invite.uri);
    assert.deepEqual(c.value.headers.getAll('via'), [invite.headers.getAll('via')[0]]);
    for (const h of ['from', 'to', 'call-id', 'route', 'max-forwards']) {
      assert.equal(c.value.headers.get(h), invite.headers.get(h), h);
    }
    assert.equal(c.value.headers.get('cseq'), '7 CANCEL');
    assert.equal(buildCancel(request({ method: 'BYE' })).ok, false);
  });
});
