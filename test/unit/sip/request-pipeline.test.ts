// The pipeline as a whole (src/sip/edge/request-handler.ts): real packets in, answers out, the
// stages in their order.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RequestHandler } from '../../../src/sip/edge/request-handler.ts';
import { answerChallenges } from '../../helpers/digest-uac.ts';
import {
  CALLER,
  DOMAIN,
  headerOf,
  outcomeCount,
  PASSWORD,
  requestText,
  type StageBench,
  stageBench,
  statusOf,
  UPSTREAM,
} from '../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let handler: RequestHandler;
before(async () => {
  b = await stageBench({
    targets: [
      { id: 'pipe1', username: 'alice', acl: ['198.51.100.0/24'], cpsLimit: 1 },
      { id: 'reg1', username: 'alice' },
    ],
  });
  handler = new RequestHandler(b.deps);
});
after(() => b.close());

/** Lets the pipeline's promise settle (its awaits are on in-memory state). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test('INVITE: ACL, then digest (407), then CPS, then forwarded; the second call in the second is 503', async () => {
  const uri = `sip:+1555@pipe1.${DOMAIN}`;
  handler.handle(Buffer.from(requestText({ method: 'INVITE', uri, callId: 'p1' })), CALLER);
  await settle();
  const challenge = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(challenge), 407);
  const { authorization } = answerChallenges(headerOf(challenge, 'Proxy-Authenticate'), {
    username: 'alice',
    password: PASSWORD,
    method: 'INVITE',
    uri,
  });
  handler.handle(
    Buffer.from(
      requestText({
        method: 'INVITE',
        uri,
        callId: 'p1',
        cseq: 2,
        headers: [`Proxy-Authorization: ${authorization}`],
      }),
    ),
    CALLER,
  );
  await settle();
  const forwarded = b.sent.at(-1);
  assert.equal(forwarded?.host, UPSTREAM.host);
  assert.deepEqual(headerOf(forwarded?.data ?? '', 'X-Trunkgate-Auth'), ['ip+digest']);
  // Our realm's credentials were consumed (§22.3).
  assert.deepEqual(headerOf(forwarded?.data ?? '', 'Proxy-Authorization'), []);

  const { authorization: next } = answerChallenges(headerOf(challenge, 'Proxy-Authenticate'), {
    username: 'alice',
    password: PASSWORD,
    method: 'INVITE',
    uri,
    nc: 2,
  });
  handler.handle(
    Buffer.from(
      requestText({ method: 'INVITE', uri, callId: 'p2', headers: [`Proxy-Authorization: ${next}`] }),
    ),
    CALLER,
  );
  await settle();
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 503);
  assert.equal(await outcomeCount(b, 'cps_refused'), 1);
});

test('the ACL is checked before digest: a source outside it gets 403, never a challenge', async () => {
  handler.handle(Buffer.from(requestText({ method: 'INVITE', uri: `sip:1@pipe1.${DOMAIN}` })), {
    ...CALLER,
    address: '203.0.113.44',
  });
  await settle();
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 403);
});

test('REGISTER: 401, then 200 from the registrar with the binding', async () => {
  const uri = `sip:reg1.${DOMAIN}`;
  handler.handle(Buffer.from(requestText({ method: 'REGISTER', uri, callId: 'r1' })), CALLER);
  await settle();
  const challenge = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(challenge), 401);
  const { authorization } = answerChallenges(headerOf(challenge, 'WWW-Authenticate'), {
    username: 'alice',
    password: PASSWORD,
    method: 'REGISTER',
    uri,
  });
  handler.handle(
    Buffer.from(
      requestText({
        method: 'REGISTER',
        uri,
        callId: 'r1',
        cseq: 2,
        headers: [`Authorization: ${authorization}`],
      }),
    ),
    CALLER,
  );
  await settle();
  const ok = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(ok), 200);
  assert.equal(headerOf(ok, 'Contact').length, 1);
  assert.equal(await outcomeCount(b, 'registered'), 1);
});

test('a state failure inside a stage becomes one 500 with Retry-After, never a throw', async () => {
  const failing = new RequestHandler({
    ...b.deps,
    state: {
      ...b.deps.state,
      takeCps: () => {
        throw new Error('state backend down');
      },
    },
  });
  const uri = `sip:+1555@pipe1.${DOMAIN}`;
  failing.handle(Buffer.from(requestText({ method: 'INVITE', uri, callId: 'f1' })), CALLER);
  await settle();
  const challenge = b.replies.at(-1)?.data ?? '';
  const { authorization } = answerChallenges(headerOf(challenge, 'Proxy-Authenticate'), {
    username: 'alice',
    password: PASSWORD,
    method: 'INVITE',
    uri,
  });
  failing.handle(
    Buffer.from(
      requestText({
        method: 'INVITE',
        uri,
        callId: 'f1',
        cseq: 2,
        headers: [`Proxy-Authorization: ${authorization}`],
      }),
    ),
    CALLER,
  );
  await settle();
  const reply = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(reply), 500);
  assert.deepEqual(headerOf(reply, 'Retry-After'), ['5']);
  assert.equal(await outcomeCount(b, 'state_unavailable'), 1);
});
