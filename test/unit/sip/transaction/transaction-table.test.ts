// The bounded, per-thread transaction table: matching (§17.1.3, §17.2.3), the CANCEL of §9.2 and the cap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildResponse } from '../../../../src/sip/parser/serialize.ts';
import { buildCancel } from '../../../../src/sip/transaction/cancel-request.ts';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client-transaction.ts';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.ts';
import { NonInviteClientTransaction } from '../../../../src/sip/transaction/non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server-transaction.ts';
import { TransactionTable } from '../../../../src/sip/transaction/transaction-table.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import {
  RecordingClientUser,
  RecordingServerUser,
  RecordingTransport,
  request,
  response,
} from '../../../helpers/sip-transaction.ts';

describe('transaction table', () => {
  test('bounded: a full table refuses with a value, nothing is sent; room comes back at Terminated', () => {
    const clock = new FakeClock();
    const table = new TransactionTable({ maxTransactions: 2 });
    const transport = new RecordingTransport(true);
    const opts = { transport, clock };
    const a = new NonInviteClientTransaction(
      request({ method: 'OPTIONS', branch: 'z9hG4bKa' }),
      new RecordingClientUser(),
      opts,
    );
    const b = new InviteServerTransaction(request({ branch: 'z9hG4bKb' }), new RecordingServerUser(), opts);
    const c = new InviteClientTransaction(request({ branch: 'z9hG4bKc' }), new RecordingClientUser(), opts);
    assert.deepEqual(table.add(a), { kind: 'added' });
    a.start();
    assert.deepEqual(table.add(b), { kind: 'added' });
    b.start();
    const sent = transport.sent.length;
    assert.deepEqual(table.add(c), { kind: 'full', limit: 2 });
    assert.equal(table.refused, 1);
    assert.equal(table.size, 2);
    assert.equal(transport.sent.length, sent, 'a refused transaction sends nothing');
    assert.equal(c.state, 'calling', 'and was never started');

    // a final response ends `a` at once (reliable: Timer K = 0) and frees its slot
    const matched = table.matchResponse(response(a.request, 200, 'OK'));
    assert.equal(matched, a);
    matched?.receiveResponse(response(a.request, 200, 'OK'));
    assert.equal(table.size, 1);
    assert.equal(table.matchResponse(response(a.request, 200, 'OK')), undefined);
    assert.deepEqual(table.add(c), { kind: 'added' });
    assert.throws(() => new TransactionTable({ maxTransactions: 0 }), RangeError);
  });

  test('a second transaction with a live key is a duplicate (a retransmission), not a new entry', () => {
    const table = new TransactionTable();
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    const first = new InviteServerTransaction(request(), new RecordingServerUser(), opts);
    table.add(first);
    first.start();
    const again = new InviteServerTransaction(request(), new RecordingServerUser(), opts);
    const r = table.add(again);
    assert.equal(r.kind, 'duplicate');
    assert.equal(r.kind === 'duplicate' && r.existing, first);
    assert.equal(table.size, 1);
  });

  test('responses reach the client transaction of their method: INVITE vs its CANCEL', () => {
    const table = new TransactionTable();
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    const invite = request();
    const inviteTx = new InviteClientTransaction(invite, new RecordingClientUser(), opts);
    table.add(inviteTx);
    inviteTx.start();
    inviteTx.receiveResponse(response(invite, 180, 'Ringing'));
    const cancel = buildCancel(invite);
    assert.ok(cancel.ok);
    if (!cancel.ok) return;
    const cancelTx = new NonInviteClientTransaction(cancel.value, new RecordingClientUser(), opts);
    assert.deepEqual(table.add(cancelTx), { kind: 'added' });
    cancelTx.start();
    assert.equal(table.matchResponse(response(cancel.value, 200, 'OK')), cancelTx);
    assert.equal(table.matchResponse(response(invite, 487, 'Request Terminated')), inviteTx);
  });

  test('CANCEL at a UAS: its own transaction (200), finds the INVITE (487), whose ACK then matches', () => {
    const clock = new FakeClock();
    const table = new TransactionTable();
    const inviteTransport = new RecordingTransport(false);
    const cancelTransport = new RecordingTransport(false);
    const invite = request();
    const inviteTx = new InviteServerTransaction(invite, new RecordingServerUser(), {
      transport: inviteTransport,
      clock,
    });
    table.add(inviteTx);
    inviteTx.start();
    inviteTx.respond(buildResponse(invite, 180, 'Ringing', [], 'uas1'));

    const cancel = request({ method: 'CANCEL' });
    assert.equal(table.matchRequest(cancel), undefined, 'a CANCEL is not a retransmission of the INVITE');
    const cancelTx = new NonInviteServerTransaction(cancel, new RecordingServerUser(), {
      transport: cancelTransport,
      clock,
    });
    assert.deepEqual(table.add(cancelTx), { kind: 'added' });
    cancelTx.start();
    const target = table.findCancelTarget(cancel);
    assert.equal(target, inviteTx);
    cancelTx.respond(buildResponse(cancel, 200, 'OK', [], 'uas1'));
    target?.respond(buildResponse(invite, 487, 'Request Terminated', [], 'uas1'));
    assert.deepEqual(cancelTransport.startLines(), ['SIP/2.0 200 OK']);
    assert.deepEqual(inviteTransport.startLines(), [
      'SIP/2.0 100 Trying',
      'SIP/2.0 180 Ringing',
      'SIP/2.0 487 Request Terminated',
    ]);

    const ack = request({ method: 'ACK', toTag: 'uas1' });
    const matched = table.matchRequest(ack);
    assert.equal(matched, inviteTx);
    assert.deepEqual(matched?.receiveRequest(ack), { kind: 'ack_confirmed' });
    assert.equal(table.findCancelTarget(request({ method: 'CANCEL', branch: 'z9hG4bKnone' })), undefined);

    clock.advance(40_000);
    assert.equal(table.size, 0, 'both transactions removed themselves at Terminated');
  });
});
