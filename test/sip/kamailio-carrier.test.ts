// The carrier the provider-credential tests will call through (test/helpers/kamailio-carrier.ts):
// proves, with sipp as the client, that it challenges and accepts REGISTER (saving the binding),
// challenges INVITE and relays the authenticated one to the sipp UAS behind it, and refuses a
// wrong password.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KamailioCarrier, kamailioSkip, startKamailioCarrier } from '../helpers/kamailio-carrier.ts';
import {
  describeSipp,
  freeSipPort,
  HOOK_TIMEOUT,
  headerValues,
  parseSip,
  runSipp,
  type SipMsg,
  sippSkip,
  startSipp,
  waitForUdpBound,
} from '../helpers/sip.ts';

const USER = 'carrier-user-1';
const PASSWORD = 'Carrier-Pass-9x';

/** The messages a sipp -trace_msg log shows as received, in order (as test/sip/edge-sipp.test.ts reads them). */
function receivedMessages(log: string): SipMsg[] {
  const out: SipMsg[] = [];
  for (const block of log.split(/^-{20,}.*$/m)) {
    const m = /^\s*(?:UDP|TCP) message received \[\d+\] bytes :\n\n([\s\S]*)$/.exec(block);
    if (m === null) continue;
    // sipp logs with LF line ends; restore CRLF for the parser.
    out.push(parseSip(m[1]!.replace(/\r?\n/g, '\r\n').replace(/(\r\n)+$/, '\r\n\r\n')));
  }
  return out;
}

const skip = kamailioSkip().skip ?? sippSkip().skip;

describe('Kamailio as a carrier (auth_db on SQLite, registrar, relay to a UAS)', { skip }, () => {
  let carrier: KamailioCarrier;
  let uasPort: number;

  before(async () => {
    uasPort = await freeSipPort();
    carrier = await startKamailioCarrier({
      users: [
        { username: USER, password: PASSWORD },
        { username: 'carrier-user-2', password: 'Other-Pass-22' },
      ],
      upstream: `127.0.0.1:${uasPort}`,
    });
  }, HOOK_TIMEOUT);

  after(async () => {
    await carrier?.stop();
  });

  test('REGISTER is challenged (401) and, with the right password, saved: the 200 lists the binding', async () => {
    const r = await runSipp({
      scenario: 'register-auth.xml',
      target: `${carrier.host}:${carrier.port}`,
      user: { username: USER, domain: carrier.domain, password: PASSWORD },
      calls: 1,
      timeoutSeconds: 20,
      traceMessages: true,
    });
    assert.equal(r.code, 0, describeSipp(r));
    assert.equal(r.successful, 1, describeSipp(r));
    const got = receivedMessages(r.messages);
    assert.deepEqual(
      got.map((m) => m.status),
      [401, 200],
      r.messages.slice(0, 3000),
    );
    const challenge = headerValues(got[0]!, 'WWW-Authenticate')[0] ?? '';
    assert.match(challenge, /^Digest /);
    assert.match(challenge, new RegExp(`realm="${carrier.domain}"`));
    assert.match(challenge, /qop="auth"/);
    // registrar's save() answers with the bindings it now holds (RFC 3261 §10.3 step 8).
    const contacts = headerValues(got[1]!, 'Contact').join(',');
    assert.match(contacts, new RegExp(`sip:${USER}@127\\.0\\.0\\.1:\\d+.*expires=\\d+`));
  });

  test('a wrong password is refused: the REGISTER with credentials is challenged again, never 200', async () => {
    const r = await runSipp({
      scenario: 'register-auth.xml',
      target: `${carrier.host}:${carrier.port}`,
      user: { username: USER, domain: carrier.domain, password: 'not-the-password' },
      calls: 1,
      timeoutSeconds: 20,
      traceMessages: true,
    });
    assert.equal(r.successful, 0, describeSipp(r));
    assert.equal(r.failed, 1, describeSipp(r));
    const statuses = receivedMessages(r.messages).map((m) => m.status);
    assert.deepEqual(statuses.slice(0, 2), [401, 401], r.messages.slice(0, 3000));
    assert.ok(!statuses.includes(200), `statuses: ${statuses.join(', ')}`);
  });

  test('an INVITE is challenged (407); the authenticated one reaches the UAS behind the carrier and the call completes', async () => {
    const uas = startSipp({
      scenario: 'invite-uas.xml',
      calls: 1,
      timeoutSeconds: 30,
      localPort: uasPort,
      traceMessages: true,
    });
    try {
      await waitForUdpBound(uasPort);
      const uac = await runSipp({
        scenario: 'invite-auth-uac.xml',
        target: `${carrier.host}:${carrier.port}`,
        user: { username: USER, domain: carrier.domain, password: PASSWORD },
        calls: 1,
        timeoutSeconds: 20,
        traceMessages: true,
      });
      assert.equal(uac.code, 0, describeSipp(uac));
      assert.equal(uac.successful, 1, describeSipp(uac));
      const toUac = receivedMessages(uac.messages);
      const challenge = toUac.find((m) => m.status === 407);
      assert.ok(challenge, 'the carrier challenged the first INVITE with 407');
      assert.match(headerValues(challenge, 'Proxy-Authenticate')[0] ?? '', /^Digest .*qop="auth"/);
      const u = await uas.done;
      assert.equal(u.successful, 1, describeSipp(u));
      const got = receivedMessages(u.messages);
      const invites = got.filter((m) => m.method === 'INVITE');
      assert.ok(invites.length >= 1, `the UAS received no INVITE:\n${u.messages.slice(0, 3000)}`);
      for (const inv of invites) {
        // Only the authenticated INVITE is relayed, without the credentials (consume_credentials).
        assert.match(headerValues(inv, 'CSeq')[0] ?? '', /^2 INVITE$/);
        assert.deepEqual(headerValues(inv, 'Proxy-Authorization'), []);
        assert.match(
          headerValues(inv, 'Record-Route')[0] ?? '',
          new RegExp(`127\\.0\\.0\\.1:${carrier.port}`),
        );
      }
      assert.ok(
        got.some((m) => m.method === 'BYE'),
        'the BYE reached the UAS through the carrier',
      );
    } finally {
      await uas.stop();
    }
  });

  test('an INVITE with a wrong password never reaches the UAS', async () => {
    const uac = await runSipp({
      scenario: 'invite-auth-uac.xml',
      target: `${carrier.host}:${carrier.port}`,
      user: { username: USER, domain: carrier.domain, password: 'wrong-password' },
      calls: 1,
      timeoutSeconds: 10,
      traceMessages: true,
    });
    assert.equal(uac.successful, 0, describeSipp(uac));
    const statuses = receivedMessages(uac.messages)
      .map((m) => m.status)
      .filter((s) => s !== undefined && s >= 200);
    assert.deepEqual(statuses.slice(0, 2), [407, 407], uac.messages.slice(0, 3000));
  });
});
