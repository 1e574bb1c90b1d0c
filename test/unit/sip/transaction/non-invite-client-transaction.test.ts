// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6): every transition and timer under a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NonInviteClientTransaction } from '../../../../src/sip/transaction/non-invite-client-transaction.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import {
  RecordingClientUser,
  RecordingTransport,
  request,
  response,
} from '../../../helpers/sip-transaction.ts';

function setup(reliable: boolean, method = 'OPTIONS') {
  const clock = new FakeClock();
  const transport = new RecordingTransport(reliable);
  const user = new RecordingClientUser();
  const req = request({ method });
  const tx = new NonInviteClientTransaction(req, user, { transport, clock });
  tx.start();
  return { clock, transport, user, req, tx };
}

/** Times (ms since start) at which the transport sent something. */
function sendTimes(clock: FakeClock, transport: RecordingTransport, until: number): number[] {
  const times: number[] = [];
  let seen = transport.sent.length;
  while (clock.now < until) {
    clock.advance(100);
    if (transport.sent.length !== seen) {
      times.push(clock.now);
      seen = transport.sent.length;
    }
  }
  return times;
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  test('Trying, unreliable: Timer E doubles up to T2; Timer F (64·T1) times out', () => {
    const { clock, transport, user, tx } = setup(false);
    assert.equal(tx.state, 'trying');
    assert.deepEqual(tx.runningTimers(), ['E', 'F']);
    const times = sendTimes(clock, transport, 31_900);
    assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.equal(tx.retransmissions, 10);
    assert.equal(user.timeouts, 0);
    clock.advance(32_000 - clock.now);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 1);
    assert.equal(clock.pendingCount, 0);
  });

  test('1xx: Trying → Proceeding, passed up; Timer E keeps resending, now every T2', () => {
    const { clock, transport, user, req, tx } = setup(false);
    clock.advance(600); // one retransmission at 500; the next falls due at 1500
    assert.deepEqual(tx.receiveResponse(response(req, 100, 'Trying')), { kind: 'passed_up' });
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(tx.runningTimers(), ['E', 'F']);
    const times = sendTimes(clock, transport, 14_000);
    assert.deepEqual(times, [1500, 5500, 9500, 13500]);
    tx.receiveResponse(response(req, 180, 'Ringing'));
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [100, 180],
    );
    clock.advance(32_000 - clock.now);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 1, 'Timer F also ends Proceeding');
  });

  test('200–699: Completed, passed up once, E/F stop, Timer K = T4 then Terminated', () => {
    for (const status of [200, 404]) {
      const { clock, transport, user, req, tx } = setup(false, 'BYE');
      const final = response(req, status);
      assert.deepEqual(tx.receiveResponse(final), { kind: 'passed_up' });
      assert.equal(tx.state, 'completed');
      assert.deepEqual(tx.runningTimers(), ['K']);
      assert.deepEqual(tx.receiveResponse(final), { kind: 'absorbed' });
      assert.deepEqual(tx.receiveResponse(response(req, 183)), { kind: 'absorbed' });
      assert.equal(user.responses.length, 1);
      clock.advance(4_999);
      assert.equal(tx.state, 'completed');
      assert.equal(transport.sent.length, 1, 'no retransmission in Completed');
      clock.advance(1);
      assert.equal(tx.state, 'terminated');
      assert.equal(user.timeouts, 0);
    }
  });

  test('reliable: no Timer E, Timer K is zero, Timer F still runs', () => {
    const a = setup(true);
    assert.deepEqual(a.tx.runningTimers(), ['F']);
    a.tx.receiveResponse(response(a.req, 200, 'OK'));
    assert.equal(a.tx.state, 'terminated');
    assert.equal(a.clock.pendingCount, 0);

    const b = setup(true);
    b.clock.advance(32_000);
    assert.equal(b.transport.sent.length, 1);
    assert.equal(b.user.timeouts, 1);
  });

  test('transport error → Terminated, TU told; a later response is absorbed', () => {
    const { transport, user, req, tx } = setup(false);
    transport.emitError();
    assert.equal(tx.state, 'terminated');
    assert.equal(user.errors.length, 1);
    assert.deepEqual(tx.receiveResponse(response(req, 200)), { kind: 'absorbed' });
    assert.equal(user.responses.length, 0);
  });

  test('a failing retransmission ends the transaction', () => {
    const { clock, transport, user, tx } = setup(false);
    transport.failNextSend = true;
    clock.advance(500);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.errors.length, 1);
    assert.equal(clock.pendingCount, 0);
  });

  test('refuses INVITE and ACK', () => {
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    for (const method of ['INVITE', 'ACK']) {
      assert.throws(
        () => new NonInviteClientTransaction(request({ method }), new RecordingClientUser(), opts),
        RangeError,
      );
    }
  });
});
