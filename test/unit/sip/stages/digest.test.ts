import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Digest } from '../../../../src/sip/edge/stages/digest.ts';
import { IngressGate } from '../../../../src/sip/edge/stages/ingress-gate.ts';
import type { RequestContext } from '../../../../src/sip/edge/stages/request-context.ts';
import { TargetAndAdmission } from '../../../../src/sip/edge/stages/target-and-admission.ts';
import { answerChallenges } from '../../../helpers/digest-uac.ts';
import {
  CALLER,
  contextOf,
  DOMAIN,
  freshBranch,
  headerOf,
  outcomeCount,
  PASSWORD,
  type RequestText,
  type StageBench,
  stageBench,
  statusOf,
} from '../../../helpers/edge-stage-fixture.ts';

let b: StageBench;
let digest: Digest;
let gate: IngressGate;
let admission: TargetAndAdmission;
before(async () => {
  b = await stageBench({
    targets: [
      { id: 'dig1', username: 'alice' },
      { id: 'both1', username: 'bob', acl: ['198.51.100.0/24'] },
      { id: 'ip1', acl: ['198.51.100.0/24'] },
      { id: 'md5only', username: 'carol', digestAlgorithms: ['MD5'] },
    ],
  });
  digest = new Digest(b.deps, b.responder, b.now);
  gate = new IngressGate(b.deps, b.responder);
  admission = new TargetAndAdmission(b.deps, b.responder);
});
after(() => b.close());

function admitted(r: RequestText): RequestContext {
  const ctx = contextOf(r);
  assert.equal(gate.check(ctx), true);
  assert.equal(admission.run(ctx), true);
  return ctx;
}

test('a target without a credential passes: auth is ip or none', async () => {
  const ip = admitted({ method: 'INVITE', uri: `sip:1@ip1.${DOMAIN}` });
  assert.equal(await digest.run(ip), true);
  assert.equal(ip.auth, 'ip');
  assert.equal(ip.credentialUuid, null);
});

test('INVITE without credentials is challenged 407 with every offered algorithm; the answer is admitted', async () => {
  const uri = `sip:+1555@dig1.${DOMAIN}`;
  const first = admitted({ method: 'INVITE', uri });
  assert.equal(await digest.run(first), false);
  const challenge = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(challenge), 407);
  const offered = headerOf(challenge, 'Proxy-Authenticate');
  assert.deepEqual(
    offered.map((v) => /algorithm=([\w-]+)/.exec(v)?.[1]),
    ['SHA-256', 'MD5'],
  );
  const { authorization } = answerChallenges(offered, {
    username: 'alice',
    password: PASSWORD,
    method: 'INVITE',
    uri,
  });
  const second = admitted({
    method: 'INVITE',
    uri,
    cseq: 2,
    headers: [`Proxy-Authorization: ${authorization}`],
  });
  assert.equal(await digest.run(second), true);
  assert.equal(second.auth, 'digest');
  assert.equal(second.credentialUuid, 'cred-dig1');
});

test('REGISTER is challenged 401 (WWW-Authenticate); IP and digest together give ip+digest', async () => {
  const uri = `sip:both1.${DOMAIN}`;
  const first = admitted({ method: 'REGISTER', uri });
  assert.equal(await digest.run(first), false);
  const challenge = b.replies.at(-1)?.data ?? '';
  assert.equal(statusOf(challenge), 401);
  const { authorization } = answerChallenges(headerOf(challenge, 'WWW-Authenticate'), {
    username: 'bob',
    password: PASSWORD,
    method: 'REGISTER',
    uri,
  });
  const second = admitted({ method: 'REGISTER', uri, cseq: 2, headers: [`Authorization: ${authorization}`] });
  assert.equal(await digest.run(second), true);
  assert.equal(second.auth, 'ip+digest');
});

test('a wrong password: bad_digest, a fresh challenge, one failure towards a ban, nothing secret logged', async () => {
  const uri = `sip:+1555@md5only.${DOMAIN}`;
  const first = admitted({ method: 'INVITE', uri });
  await digest.run(first);
  const offered = headerOf(b.replies.at(-1)?.data ?? '', 'Proxy-Authenticate');
  assert.equal(offered.length, 1);
  assert.match(offered[0] ?? '', /algorithm=MD5/);
  const { authorization } = answerChallenges(offered, {
    username: 'carol',
    password: 'Wrong-Pass-123',
    method: 'INVITE',
    uri,
  });
  const before = await outcomeCount(b, 'bad_digest');
  const bad = admitted({
    method: 'INVITE',
    uri,
    cseq: 2,
    headers: [`Proxy-Authorization: ${authorization}`],
  });
  assert.equal(await digest.run(bad), false);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 407);
  assert.equal(await outcomeCount(b, 'bad_digest'), before + 1);
  const response = /response="([^"]+)"/.exec(authorization)?.[1] ?? '';
  assert.ok(response.length > 0);
  for (const line of b.rawLog) {
    assert.ok(!line.includes(response), 'digest response logged');
    assert.ok(!line.includes(PASSWORD) && !line.includes('Wrong-Pass-123'), 'password logged');
  }
});

test('a replayed nonce-count for a new transaction is refused with a new challenge', async () => {
  const uri = `sip:+1555@dig1.${DOMAIN}`;
  const first = admitted({ method: 'INVITE', uri });
  await digest.run(first);
  const offered = headerOf(b.replies.at(-1)?.data ?? '', 'Proxy-Authenticate');
  const { authorization } = answerChallenges(offered, {
    username: 'alice',
    password: PASSWORD,
    method: 'INVITE',
    uri,
  });
  const ok = admitted({ method: 'INVITE', uri, headers: [`Proxy-Authorization: ${authorization}`] });
  assert.equal(await digest.run(ok), true);
  const before = await outcomeCount(b, 'replay');
  const replay = admitted({
    method: 'INVITE',
    uri,
    via: [`SIP/2.0/UDP ${CALLER.address}:${CALLER.port};branch=${freshBranch()}`],
    headers: [`Proxy-Authorization: ${authorization}`],
  });
  assert.equal(await digest.run(replay), false);
  assert.equal(await outcomeCount(b, 'replay'), before + 1);
});

test('credentials that do not parse are 400', async () => {
  const ctx = admitted({
    method: 'INVITE',
    uri: `sip:1@dig1.${DOMAIN}`,
    headers: ['Proxy-Authorization: Digest ,,,=='],
  });
  assert.equal(await digest.run(ctx), false);
  assert.equal(statusOf(b.replies.at(-1)?.data ?? ''), 400);
});
