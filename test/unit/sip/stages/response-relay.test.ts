import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ResponseRelay } from '../../../../src/sip/edge/stages/response-relay.ts';
import { forwardBranch } from '../../../../src/sip/edge/via-branch.ts';
import {
  EDGE_HOST,
  headerOf,
  parseResponse,
  type StageBench,
  stageBench,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let relay: ResponseRelay;
before(async () => {
  b = await stageBench();
  relay = new ResponseRelay(b.deps);
});
after(() => b.close());

function response(vias: string[]): string {
  return [
    'SIP/2.0 180 Ringing',
    ...vias.map((v) => `Via: ${v}`),
    'From: <sip:a@x>;tag=1',
    'To: <sip:b@y>;tag=2',
    'Call-ID: r1@unit',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

test('a response to our branch pops our Via and goes to the next Via’s received/rport', () => {
  const ours = forwardBranch(b.deps.keys.branch, 'z9hG4bKa', 'h:1', 's:2');
  relay.run(
    parseResponse(
      response([
        `SIP/2.0/UDP ${EDGE_HOST}:5060;branch=${ours}`,
        'SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKa;received=198.51.100.7;rport=40000',
      ]),
    ),
  );
  const out = b.sent.at(-1);
  assert.deepEqual([out?.host, out?.port, out?.transport], ['198.51.100.7', 40000, 'udp']);
  assert.equal(headerOf(out?.data ?? '', 'Via').length, 1);
});

test('TCP callers without rport are answered at the sent-by port over TCP', () => {
  const ours = forwardBranch(b.deps.keys.branch, 'z9hG4bKb', 'h:1', 's:2');
  relay.run(
    parseResponse(
      response([
        `SIP/2.0/UDP ${EDGE_HOST}:5060;branch=${ours}`,
        'SIP/2.0/TCP 198.51.100.8:5070;branch=z9hG4bKb',
      ]),
    ),
  );
  const out = b.sent.at(-1);
  assert.deepEqual([out?.host, out?.port, out?.transport], ['198.51.100.8', 5070, 'tcp']);
});

test('a response whose top Via is not ours, or with only one Via, is dropped (§16.7 step 3)', () => {
  const sent = b.sent.length;
  relay.run(
    parseResponse(
      response(['SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKforeign', 'SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKa']),
    ),
  );
  const ours = forwardBranch(b.deps.keys.branch, 'z9hG4bKc', 'h:1', 's:2');
  relay.run(parseResponse(response([`SIP/2.0/UDP ${EDGE_HOST}:5060;branch=${ours}`])));
  assert.equal(b.sent.length, sent);
});

test('TCP: the connection the request came on is used while it is open; once gone, the Via sent-by port (RFC 3261 §18.2.2)', async () => {
  const open = new Set<string>(['198.51.100.8:40001']);
  const nb = await stageBench();
  try {
    const r = new ResponseRelay({ ...nb.deps, tcpConnected: (a, p) => open.has(`${a}:${p}`) });
    const send = () => {
      const ours = forwardBranch(nb.deps.keys.branch, 'z9hG4bKt', 'h:1', 's:2');
      r.run(
        parseResponse(
          response([
            `SIP/2.0/UDP ${EDGE_HOST}:5060;branch=${ours}`,
            'SIP/2.0/TCP 198.51.100.8:5070;branch=z9hG4bKt;received=198.51.100.8;rport=40001',
          ]),
        ),
      );
      const out = nb.sent.at(-1);
      return [out?.host, out?.port, out?.transport];
    };
    assert.deepEqual(send(), ['198.51.100.8', 40001, 'tcp']);
    open.clear();
    assert.deepEqual(send(), ['198.51.100.8', 5070, 'tcp']);
  } finally {
    await nb.close();
  }
});
