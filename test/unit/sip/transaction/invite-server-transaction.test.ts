// INVITE server transaction, RFC 3261 §17.2.1 (Figure 7): every transition and timer under a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildResponse } from '../../../../src/sip/parser/serialize.ts';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import {
  parseBytes,
  RecordingServerUser,
  RecordingTransport,
  request,
} from '../../../helpers/sip-transaction.ts';

function setup(reliable: boolean) {
  const clock = new FakeClock();
  const transport = new RecordingTransport(reliable);
  const user = new RecordingServerUser();
  const invite = request();
  const tx = new InviteServerTransaction(invite, user, { transport, clock });
  tx.start();
  return { clock, transport, user, invite, tx };
}

const ack = (toTag = 'uas1') => request({ method: 'ACK', toTag });

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  test('Proceeding: 100 Trying at once (Via list and Timestamp copied); retransmissions get the last provisional', () => {
    const { transport, invite, tx } = setup(false);
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(transport.startLines(), ['SIP/2.0 100 Trying']);
    const trying = parseBytes(transport.sent[0]!);
    assert.deepEqual(trying.headers.getAll('via'), invite.headers.getAll('via'));
    assert.equal(trying.headers.get('timestamp'), '54');
    assert.equal(trying.headers.get('to'), invite.headers.get('to'), 'a 100 carries no To tag (§8.2.6.2)');
    assert.deepEqual(tx.runningTimers(), []);

    assert.deepEqual(tx.receiveRequest(invite), { kind: 'absorbed', retransmitted: true });
    assert.deepEqual(transport.startLines(), ['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);
    assert.deepEqual(tx.respond(buildResponse(invite, 180, 'Ringing', [], 'uas1')), { kind: 'sent' });
    assert.equal(tx.state, 'proceeding');
    tx.receiveRequest(invite);
    assert.deepEqual(transport.startLines().slice(2), ['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing']);
  });

  test('2xx from the TU: sent, Terminated at once; later responses refused', () => {
    const { clock, transport, invite, tx } = setup(false);
    assert.deepEqual(tx.respond(buildResponse(invite, 200, 'OK', [], 'uas1')), { kind: 'sent' });
    assert.equal(tx.state, 'terminated');
    assert.equal(tx.finalStatus, 200);
    assert.equal(clock.pendingCount, 0);
    assert.deepEqual(tx.respond(buildResponse(invite, 486, 'Busy Here', [], 'uas1')), {
      kind: 'refused',
      state: 'terminated',
    });
    assert.equal(transport.sent.length, 2);
  });

  test('300–699, unreliable: Completed; Timer G resends at T1 doubling to T2; Timer H (64·T1) tells the TU', () => {
    const { clock, transport, user, invite, tx } = setup(false);
    assert.deepEqual(tx.respond(buildResponse(invite, 486, 'Busy Here', [], 'uas1')), { kind: 'sent' });
    assert.equal(tx.state, 'completed');
    assert.deepEqual(tx.runningTimers(), ['G', 'H']);
    const times: number[] = [];
    let seen = transport.sent.length;
    while (clock.now < 31_900) {
      clock.advance(100);
      if (transport.sent.length !== seen) {
        times.push(clock.now);
        seen = transport.sent.length;
      }
    }
    assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.ok(
      transport
        .startLines()
        .slice(1)
        .every((l) => l === 'SIP/2.0 486 Busy Here'),
    );
    // A retransmitted INVITE in Completed gets the final response too.
    assert.deepEqual(tx.receiveRequest(invite), { kind: 'absorbed', retransmitted: true });
    assert.deepEqual(tx.respond(buildResponse(invite, 500, 'Server Error')), {
      kind: 'refused',
      state: 'completed',
    });
    clock.advance(32_000 - clock.now);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 1);
    assert.equal(clock.pendingCount, 0);
  });

  test('ACK in Completed: Confirmed, G and H stop, ACKs absorbed, Timer I = T4 then Terminated', () => {
    const { clock, transport, user, invite, tx } = setup(false);
    tx.respond(buildResponse(invite, 603, 'Decline', [], 'uas1'));
    clock.advance(500);
    const sent = transport.sent.length;
    assert.deepEqual(tx.receiveRequest(ack()), { kind: 'ack_confirmed' });
    assert.equal(tx.state, 'confirmed');
    assert.deepEqual(tx.runningTimers(), ['I']);
    assert.deepEqual(tx.receiveRequest(ack()), { kind: 'absorbed', retransmitted: false });
    assert.deepEqual(tx.receiveRequest(invite), { kind: 'absorbed', retransmitted: false });
    clock.advance(4_999);
    assert.equal(tx.state, 'confirmed');
    assert.equal(transport.sent.length, sent, 'nothing is sent in Confirmed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(user.timeouts, 0);
  });

  test('reliable: no Timer G; Timer I is zero; Timer H still guards the ACK', () => {
    const a = setup(true);
    a.tx.respond(buildResponse(a.invite, 480, 'Temporarily Unavailable', [], 'uas1'));
    assert.deepEqual(a.tx.runningTimers(), ['H']);
    a.clock.advance(20_000);
    assert.equal(a.transport.sent.length, 2);
    assert.deepEqual(a.tx.receiveRequest(ack()), { kind: 'ack_confirmed' });
    assert.equal(a.tx.state, 'terminated');
    assert.equal(a.clock.pendingCount, 0);

    const b = setup(true);
    b.tx.respond(buildResponse(b.invite, 480, 'Temporarily Unavailable', [], 'uas1'));
    b.clock.advance(32_000);
    assert.equal(b.tx.state, 'terminated');
    assert.equal(b.user.timeouts, 1);
  });

  test('an ACK before any final response is absorbed without a state change', () => {
    const { tx } = setup(false);
    assert.deepEqual(tx.receiveRequest(ack()), { kind: 'absorbed', retransmitted: false });
    assert.equal(tx.state, 'proceeding');
  });

  test('transport errors → Terminated, TU told (§17.2.4)', () => {
    const a = setup(false);
    a.transport.failNextSend = true;
    assert.deepEqual(a.tx.respond(buildResponse(a.invite, 486, 'Busy Here', [], 'uas1')), {
      kind: 'transport_error',
    });
    assert.equal(a.tx.state, 'terminated');
    assert.equal(a.user.errors.length, 1);
    assert.equal(a.clock.pendingCount, 0);

    const b = setup(false);
    b.transport.emitError();
    assert.equal(b.tx.state, 'terminated');
    assert.equal(b.user.errors.length, 1);
    assert.equal(b.transport.listenerCount, 0);
  });

  test('refuses a request that is not an INVITE', () => {
    const opts = { transport: new RecordingTransport(false), clock: new FakeClock() };
    assert.throws(
      () => new InviteServerTransaction(request({ method: 'BYE' }), new RecordingServerUser(), opts),
      RangeError,
    );
  });
});
