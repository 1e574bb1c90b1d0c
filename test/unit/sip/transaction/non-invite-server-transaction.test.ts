// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8): every transition and timer under a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildResponse } from '../../../../src/sip/parser/serialize.ts';
import { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server-transaction.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import { RecordingServerUser, RecordingTransport, request } from '../../../helpers/sip-transaction.ts';

function setup(reliable: boolean) {
  const clock = new FakeClock();
  const transport = new RecordingTransport(reliable);
  const user = new RecordingServerUser();
  const req = request({ method: 'BYE', toTag: 'uas1' });
  const tx = new NonInviteServerTransaction(req, user, { transport, clock });
  tx.start();
  return { clock, transport, user, req, tx };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  test('Trying: nothing sent; a retransmission is absorbed silently', () => {
    const { clock, transport, req, tx } = setup(false);
    assert.equal(tx.state, 'trying');
    assert.deepEqual(tx.receiveRequest(req), { kind: 'absorbed', retransmitted: false });
    clock.advance(60_000);
    assert.equal(transport.sent.length, 0);
    assert.equal(tx.state, 'trying', 'no timer guards Trying: the TU must answer');
  });

  test('1xx → Proceeding (retransmissions answered with it); final → Completed (answered with it); Timer J = 64·T1', () => {
    const { clock, transport, req, tx } = setup(false);
    assert.deepEqual(tx.respond(buildResponse(req, 100, 'Trying')), { kind: 'sent' });
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(tx.receiveRequest(req), { kind: 'absorbed', retransmitted: true });
    assert.deepEqual(tx.respond(buildResponse(req, 200, 'OK')), { kind: 'sent' });
    assert.equal(tx.state, 'completed');
    assert.deepEqual(tx.runningTimers(), ['J']);
    assert.deepEqual(tx.receiveRequest(req), { kind: 'absorbed', retransmitted: true });
    assert.deepEqual(transport.startLines(), [
      'SIP/2.0 100 Trying',
      'SIP/2.0 100 Trying',
      'SIP/2.0 200 OK',
      'SIP/2.0 200 OK',
    ]);
    assert.deepEqual(tx.respond(buildResponse(req, 500, 'Server Error')), {
      kind: 'refused',
      state: 'completed',
    });
    clock.advance(31_999);
    assert.equal(tx.state, 'completed');
    assert.equal(transport.sent.length, 4, 'a final response is not retransmitted by a timer');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(tx.retransmissions, 2);
  });

  test('final straight from Trying; reliable transport: Timer J is zero', () => {
    const { clock, transport, req, tx } = setup(true);
    tx.respond(buildResponse(req, 481, 'Call/Transaction Does Not Exist'));
    assert.equal(tx.state, 'terminated');
    assert.equal(clock.pendingCount, 0);
    assert.equal(transport.sent.length, 1);
  });

  test('transport error while responding → Terminated, TU told', () => {
    const { transport, user, req, tx } = setup(false);
    transport.failNextSend = true;
    assert.deepEqual(tx.respond(buildResponse(req, 200, 'OK')), { kind: 'transport_error' });
    assert.equal(tx.state, 'terminated');
    assert.equal(user.errors.length, 1);
  });

  test('refuses INVITE and ACK', () => {
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    for (const method of ['INVITE', 'ACK']) {
      assert.throws(
        () => new NonInviteServerTransaction(request({ method }), new RecordingServerUser(), opts),
        RangeError,
      );
    }
  });
});
