// Random event sequences through the four §17 machines (fast-check), checking what must hold in
// every state: valid states only, Terminated is final and leaves no timer, subscription or send
// behind, a client TU learns exactly one outcome, a server sends one final response at most.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { buildResponse } from '../../../../src/sip/parser/serialize.ts';
import {
  INVITE_CLIENT_STATES,
  InviteClientTransaction,
} from '../../../../src/sip/transaction/invite-client-transaction.ts';
import {
  INVITE_SERVER_STATES,
  InviteServerTransaction,
} from '../../../../src/sip/transaction/invite-server-transaction.ts';
import {
  NON_INVITE_CLIENT_STATES,
  NonInviteClientTransaction,
} from '../../../../src/sip/transaction/non-invite-client-transaction.ts';
import {
  NON_INVITE_SERVER_STATES,
  NonInviteServerTransaction,
} from '../../../../src/sip/transaction/non-invite-server-transaction.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import {
  RecordingClientUser,
  RecordingServerUser,
  RecordingTransport,
  request,
  response,
} from '../../../helpers/sip-transaction.ts';

const STATUS = fc.constantFrom(100, 180, 183, 200, 202, 302, 404, 408, 486, 503, 603);
const advance = fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40_000 }) });
const asyncError = fc.constant({ t: 'asyncError' as const });
const failNextSend = fc.constant({ t: 'failNextSend' as const });

const clientEvent = fc.oneof(
  advance,
  fc.record({ t: fc.constant('response' as const), status: STATUS }),
  asyncError,
  failNextSend,
);
const serverEvent = fc.oneof(
  advance,
  fc.record({ t: fc.constant('respond' as const), status: STATUS }),
  fc.constant({ t: 'retransmission' as const }),
  fc.constant({ t: 'ack' as const }),
  asyncError,
  failNextSend,
);

describe('transaction invariants under random events', () => {
  for (const invite of [true, false]) {
    test(`${invite ? 'INVITE' : 'non-INVITE'} client: one outcome for the TU; Terminated leaves nothing behind`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(clientEvent, { maxLength: 25 }), (reliable, events) => {
          const clock = new FakeClock();
          const transport = new RecordingTransport(reliable);
          const user = new RecordingClientUser();
          const req = request({ method: invite ? 'INVITE' : 'OPTIONS' });
          const opts = { transport, clock };
          const tx = invite
            ? new InviteClientTransaction(req, user, opts)
            : new NonInviteClientTransaction(req, user, opts);
          const states: readonly string[] = invite ? INVITE_CLIENT_STATES : NON_INVITE_CLIENT_STATES;
          tx.start();
          let sentAtTermination: number | undefined;
          for (const e of events) {
            if (e.t === 'advance') clock.advance(e.ms);
            else if (e.t === 'response') tx.receiveResponse(response(req, e.status));
            else if (e.t === 'asyncError') transport.emitError();
            else transport.failNextSend = true;

            assert.ok(states.includes(tx.state));
            const finals = user.responses.filter((r) => r.status >= 200).length;
            const outcomes = finals + user.timeouts + user.errors.length;
            assert.ok(outcomes <= 1, 'at most one outcome');
            const lastFinal = user.responses.findIndex((r) => r.status >= 200);
            assert.ok(lastFinal === -1 || lastFinal === user.responses.length - 1, 'nothing after a final');
            if (tx.state === 'terminated') {
              assert.equal(outcomes, 1, 'a terminated transaction told the TU how it ended');
              assert.equal(clock.pendingCount, 0);
              assert.equal(transport.listenerCount, 0);
              sentAtTermination ??= transport.sent.length;
              assert.equal(transport.sent.length, sentAtTermination, 'nothing sent after Terminated');
            } else {
              assert.equal(outcomes, tx.state === 'completed' ? 1 : 0);
            }
            if (reliable) assert.equal(tx.retransmissions, 0, 'no retransmission on a reliable transport');
            if (invite && tx.state === 'completed') {
              const lines = transport.startLines();
              const firstAck = lines.findIndex((l) => l.startsWith('ACK '));
              assert.ok(firstAck > 0 && lines.slice(firstAck).every((l) => l.startsWith('ACK ')));
            }
          }
        }),
        { numRuns: 300 },
      );
    });

    test(`${invite ? 'INVITE' : 'non-INVITE'} server: one final response at most; Terminated leaves nothing behind`, () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(serverEvent, { maxLength: 25 }), (reliable, events) => {
          const clock = new FakeClock();
          const transport = new RecordingTransport(reliable);
          const user = new RecordingServerUser();
          const req = request(invite ? {} : { method: 'BYE', toTag: 'uas1' });
          const opts = { transport, clock };
          const tx = invite
            ? new InviteServerTransaction(req, user, opts)
            : new NonInviteServerTransaction(req, user, opts);
          const states: readonly string[] = invite ? INVITE_SERVER_STATES : NON_INVITE_SERVER_STATES;
          tx.start();
          let sentAtTermination: number | undefined;
          let finalsSent = 0;
          let requestsSeen = 0;
          let respondedAny = false;
          for (const e of events) {
            if (e.t === 'advance') clock.advance(e.ms);
            else if (e.t === 'respond') {
              const r = tx.respond(buildResponse(req, e.status, 'Reason', [], 'uas1'));
              if (r.kind !== 'refused') respondedAny = true;
              if (r.kind === 'sent' && e.status >= 200) finalsSent++;
            } else if (e.t === 'retransmission') {
              requestsSeen++;
              tx.receiveRequest(req);
            } else if (e.t === 'ack') {
              if (invite) tx.receiveRequest(request({ method: 'ACK', toTag: 'uas1' }));
            } else if (e.t === 'asyncError') transport.emitError();
            else transport.failNextSend = true;

            assert.ok(states.includes(tx.state));
            assert.ok(finalsSent <= 1);
            const finalLines = new Set(transport.startLines().filter((l) => !/^SIP\/2\.0 1\d\d /.test(l)));
            assert.ok(finalLines.size <= 1, 'one final response, however often it is resent');
            if (!invite && respondedAny === false) {
              assert.equal(transport.sent.length, 0, 'a non-INVITE server sends only what the TU gave it');
            }
            if (reliable && invite) {
              // Without Timer G every resend answers a retransmitted INVITE.
              assert.ok(tx.retransmissions <= requestsSeen);
            }
            if (tx.state === 'terminated') {
              assert.equal(clock.pendingCount, 0);
              assert.equal(transport.listenerCount, 0);
              sentAtTermination ??= transport.sent.length;
              assert.equal(transport.sent.length, sentAtTermination, 'nothing sent after Terminated');
            }
            assert.ok(user.timeouts <= 1);
            if (user.timeouts === 1) assert.ok(invite, 'only Timer H reports a timeout');
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
