// INVITE client transaction, RFC 3261 §17.1.1 (Figure 5): every transition and timer under a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getCSeq } from '../../../../src/sip/parser/cseq.ts';
import { getTo } from '../../../../src/sip/parser/name-addr.ts';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client-transaction.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import {
  parseBytes,
  RecordingClientUser,
  RecordingTransport,
  request,
  response,
} from '../../../helpers/sip-transaction.ts';

function setup(reliable: boolean, route?: string) {
  const clock = new FakeClock();
  const transport = new RecordingTransport(reliable);
  const user = new RecordingClientUser();
  const invite = request(route === undefined ? {} : { route });
  const tx = new InviteClientTransaction(invite, user, { transport, clock });
  tx.start();
  return { clock, transport, user, invite, tx };
}

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  test('Calling, unreliable: Timer A resends at T1, 2T1, 4T1 … and Timer B (64·T1) times out', () => {
    const { clock, transport, user, tx } = setup(false);
    assert.equal(tx.state, 'calling');
    assert.deepEqual(tx.runningTimers(), ['A', 'B']);
    assert.equal(transport.sent.length, 1);
    // Retransmissions fall due at 500, 1500, 3500, 7500, 15500 and 31500 ms.
    const due = [500, 1500, 3500, 7500, 15500, 31500];
    let sent = 1;
    for (const at of due) {
      clock.advance(at - 1 - clock.now);
      assert.equal(transport.sent.length, sent, `nothing before ${at} ms`);
      clock.advance(1);
      sent++;
      assert.equal(transport.sent.length, sent, `a retransmission at ${at} ms`);
      assert.deepEqual(transport.sent.at(-1), transport.sent[0]);
    }
    assert.equal(tx.retransmissions, 6);
    clock.advance(32_000 - 1 - clock.now);
    assert.equal(tx.state, 'calling');
    assert.equal(user.timeouts, 0);
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 1);
    assert.equal(transport.sent.length, 7);
    assert.equal(clock.pendingCount, 0);
    assert.equal(transport.listenerCount, 0);
  });

  test('Calling, reliable: no Timer A, no retransmission; Timer B still times out', () => {
    const { clock, transport, user, tx } = setup(true);
    assert.deepEqual(tx.runningTimers(), ['B']);
    clock.advance(31_999);
    assert.equal(transport.sent.length, 1);
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 1);
    assert.equal(transport.sent.length, 1);
  });

  test('1xx: Calling → Proceeding, passed up; retransmissions and Timer B stop', () => {
    const { clock, transport, user, invite, tx } = setup(false);
    clock.advance(500);
    assert.equal(transport.sent.length, 2);
    assert.deepEqual(tx.receiveResponse(response(invite, 100, 'Trying')), { kind: 'passed_up' });
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(tx.runningTimers(), []);
    assert.deepEqual(tx.receiveResponse(response(invite, 180, 'Ringing')), { kind: 'passed_up' });
    assert.equal(tx.state, 'proceeding');
    clock.advance(120_000);
    assert.equal(transport.sent.length, 2);
    assert.equal(user.timeouts, 0);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [100, 180],
    );
  });

  test('2xx in Calling or Proceeding: Terminated at once, passed up, no ACK from the transaction', () => {
    for (const provisional of [false, true]) {
      const { transport, user, invite, tx } = setup(false);
      if (provisional) tx.receiveResponse(response(invite, 183, 'Session Progress'));
      assert.deepEqual(tx.receiveResponse(response(invite, 200, 'OK')), { kind: 'passed_up' });
      assert.equal(tx.state, 'terminated');
      assert.equal(user.responses.at(-1)?.status, 200);
      assert.equal(transport.sent.length, 1, 'only the INVITE: the 2xx ACK belongs to the TU (§13.2.2.4)');
      assert.equal(tx.ack, undefined);
    }
  });

  test('300–699: Completed, the hop-by-hop ACK of §17.1.1.3, passed up once, Timer D = 32 s', () => {
    const route = '<sip:proxy.example.com;lr>';
    const { clock, transport, user, invite, tx } = setup(false, route);
    tx.receiveResponse(response(invite, 180, 'Ringing'));
    const busy = response(invite, 486, 'Busy Here');
    assert.deepEqual(tx.receiveResponse(busy), { kind: 'passed_up' });
    assert.equal(tx.state, 'completed');
    assert.equal(transport.sent.length, 2);
    const ack = parseBytes(transport.sent[1]!);
    assert.equal(ack.kind, 'request');
    if (ack.kind !== 'request') return;
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.uri, invite.uri);
    assert.deepEqual(ack.headers.getAll('via'), [invite.headers.getAll('via')[0]]);
    assert.equal(ack.headers.get('call-id'), invite.headers.get('call-id'));
    assert.equal(ack.headers.get('from'), invite.headers.get('from'));
    const to = getTo(ack);
    assert.ok(to.ok);
    assert.equal(to.ok && to.value.tag, 'pbx9');
    const cseq = getCSeq(ack);
    assert.deepEqual(cseq.ok && cseq.value, { seq: 1, method: 'ACK' });
    assert.deepEqual(ack.headers.getAll('route'), [route]);
    assert.equal(ack.headers.get('max-forwards'), '69');
    assert.equal(ack.body.length, 0);

    // A retransmitted final response: the same ACK again, not passed up (§17.1.1.2).
    assert.deepEqual(tx.receiveResponse(busy), { kind: 'absorbed' });
    assert.equal(transport.sent.length, 3);
    assert.deepEqual(transport.sent[2], transport.sent[1]);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [180, 486],
    );
    // 1xx and 2xx after the final response change nothing.
    assert.deepEqual(tx.receiveResponse(response(invite, 200, 'OK')), { kind: 'absorbed' });
    assert.equal(transport.sent.length, 3);

    assert.deepEqual(tx.runningTimers(), ['D']);
    clock.advance(31_999);
    assert.equal(tx.state, 'completed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(tx.receiveResponse(busy), { kind: 'absorbed' });
    assert.equal(transport.sent.length, 3);
  });

  test('300–699 on a reliable transport: ACK sent, Timer D is zero (Terminated at once)', () => {
    const { clock, transport, user, invite, tx } = setup(true);
    tx.receiveResponse(response(invite, 503, 'Service Unavailable'));
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(transport.startLines(), [`INVITE ${invite.uri} SIP/2.0`, `ACK ${invite.uri} SIP/2.0`]);
    assert.equal(user.responses.length, 1);
    assert.equal(clock.pendingCount, 0);
  });

  test('a final response in Calling (no provisional) stops Timer A and B too', () => {
    const { clock, transport, invite, tx } = setup(false);
    tx.receiveResponse(response(invite, 404, 'Not Found'));
    assert.deepEqual(tx.runningTimers(), ['D']);
    clock.advance(31_000);
    assert.equal(transport.sent.length, 2, 'INVITE and ACK, no retransmission');
  });

  test('transport errors: asynchronous (onError) or synchronous (send throws) → Terminated, TU told', () => {
    const a = setup(false);
    a.transport.emitError();
    assert.equal(a.tx.state, 'terminated');
    assert.equal(a.user.errors.length, 1);
    assert.equal(a.clock.pendingCount, 0);
    assert.equal(a.transport.listenerCount, 0);

    const clock = new FakeClock();
    const transport = new RecordingTransport(false);
    const user = new RecordingClientUser();
    const tx = new InviteClientTransaction(request(), user, { transport, clock });
    transport.failNextSend = true;
    tx.start();
    assert.equal(tx.state, 'terminated');
    assert.equal(user.errors.length, 1);
    assert.equal(clock.pendingCount, 0);

    // The ACK fails to go out: the transaction ends, the TU keeps its 486 and hears of no error.
    const b = setup(false);
    b.transport.failNextSend = true;
    b.tx.receiveResponse(response(b.invite, 486, 'Busy Here'));
    assert.equal(b.tx.state, 'terminated');
    assert.deepEqual(
      b.user.responses.map((r) => r.status),
      [486],
    );
    assert.equal(b.user.errors.length, 0);

    // An ICMP error for a re-ACK in Completed: likewise silent.
    const c = setup(false);
    c.tx.receiveResponse(response(c.invite, 603, 'Decline'));
    c.transport.emitError();
    assert.equal(c.tx.state, 'terminated');
    assert.equal(c.user.errors.length, 0);
    assert.equal(c.clock.pendingCount, 0);
  });

  test('custom T1 scales Timers A and B', () => {
    const clock = new FakeClock();
    const transport = new RecordingTransport(false);
    const user = new RecordingClientUser();
    const tx = new InviteClientTransaction(request(), user, {
      transport,
      clock,
      timers: { t1: 100, t2: 4000, t4: 5000 },
    });
    tx.start();
    clock.advance(100);
    assert.equal(transport.sent.length, 2);
    clock.advance(6_400 - 100 - 1);
    assert.equal(user.timeouts, 0);
    clock.advance(1);
    assert.equal(user.timeouts, 1);
  });

  test('refuses a non-INVITE, an RFC 2543 branch, a CSeq of another method; start() only once', () => {
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    const user = new RecordingClientUser();
    assert.throws(() => new InviteClientTransaction(request({ method: 'OPTIONS' }), user, opts), RangeError);
    assert.throws(
      () => new InviteClientTransaction(request({ branch: 'old2543' }), user, opts),
      /magic-cookie/,
    );
    const mismatched = request();
    mismatched.headers.set('CSeq', '1 BYE');
    assert.throws(() => new InviteClientTransaction(mismatched, user, opts), /CSeq method differs/);
    const tx = new InviteClientTransaction(request(), user, opts);
    tx.start();
    assert.throws(() => tx.start(), /already started/);
  });
});
