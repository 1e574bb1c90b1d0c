// The SIP clients Debian ships against the real edge, on an outbound trunk made through the API as
// the README does (an IP ACL and a credential, no digest_algorithms): sipsak, baresip and
// linphone-daemon register over UDP and TCP, and baresip places a call through the edge to a sipp UAS.
// The challenges each gets come from src/sip/auth/challenge-order.ts (README "Digest algorithms and
// real phones"); what is asserted is the outcome the edge counts and what the clients report. Trunks
// with their own digest_algorithms measure what each client does without that rule (the README's
// table of client behaviour rests on these cases).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ClientTarget,
  clientSkip,
  privateHostsSkip,
  sipsakRegister,
  startBaresip,
  startLinphoneDaemon,
} from '../helpers/real-clients.ts';
import { freePort } from '../helpers/server-process.ts';
import {
  createAcl,
  createCredential,
  createTrunk,
  describeSipp,
  type EdgeServer,
  freeSipPort,
  HOOK_TIMEOUT,
  outcomeCount,
  PASSWORD,
  runSipp,
  sippSkip,
  startEdgeServer,
  startSipp,
  uniqueUser,
  waitForTarget,
  waitForUdpBound,
} from '../helpers/sip.ts';

const TRANSPORTS = ['udp', 'tcp'] as const;
type Transport = (typeof TRANSPORTS)[number];

describe('real SIP clients on a trunk made as the README does', { ...sippSkip(), timeout: 600_000 }, () => {
  let s: EdgeServer;
  let uasPort: number;
  let domain: string;
  /** Trunks with their own digest_algorithms, to measure what the clients do without the rule. */
  let strongFirstDomain: string;
  let md5FirstDomain: string;
  let user: string;
  let root: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'trunkgate-clients-'));
    uasPort = await freeSipPort();
    s = await startEdgeServer({ env: { TRUNKGATE_UPSTREAM: `sip:127.0.0.1:${uasPort};transport=udp` } });
    user = uniqueUser('phone');
    const credential = await createCredential(s, user);
    const acl = await createAcl(s, ['127.0.0.1/32']);
    ({ domain } = await createTrunk(s, { ipacl_uuid: acl, credential_uuid: credential }));
    // The edge's former default order, and MD5 first but not alone.
    ({ domain: strongFirstDomain } = await createTrunk(s, {
      ipacl_uuid: acl,
      credential_uuid: credential,
      digest_algorithms: ['SHA-512-256', 'SHA-256', 'MD5'],
    }));
    ({ domain: md5FirstDomain } = await createTrunk(s, {
      ipacl_uuid: acl,
      credential_uuid: credential,
      digest_algorithms: ['MD5', 'SHA-256'],
    }));
    for (const d of [domain, strongFirstDomain, md5FirstDomain]) await waitForTarget(s, `sip:${d}`);
  }, HOOK_TIMEOUT);

  after(async () => {
    await s?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  }, HOOK_TIMEOUT);

  const target = (transport: Transport, trunkDomain = domain): ClientTarget => ({
    edgePort: s.sipPort,
    domain: trunkDomain,
    username: user,
    password: PASSWORD,
    transport,
  });

  /** How much each edge outcome moved on `transport` while `fn` ran. */
  async function moved<T>(
    transport: Transport,
    fn: () => Promise<T>,
  ): Promise<{ result: T; d: (outcome: string) => number; all: (outcome: string) => number }> {
    const before = await s.metrics();
    const result = await fn();
    const now = await s.metrics();
    return {
      result,
      d: (o) => outcomeCount(now, o, transport) - outcomeCount(before, o, transport),
      all: (o) => outcomeCount(now, o) - outcomeCount(before, o),
    };
  }

  function assertRegistered(d: (o: string) => number, who: string): void {
    assert.ok(d('challenged') >= 1, `${who}: challenged ${d('challenged')}`);
    assert.ok(d('registered') >= 1, `${who}: registered ${d('registered')}`);
    assert.equal(d('bad_digest'), 0, `${who}: bad_digest`);
    assert.equal(d('acl_refused'), 0, `${who}: acl_refused`);
  }

  describe('sipp 3.6 (reads only the first challenge, MD5 only)', () => {
    const sippUser = (d: string) => ({ username: user, domain: d, password: PASSWORD });
    for (const transport of TRANSPORTS) {
      test(`registers over ${transport.toUpperCase()}`, async () => {
        const { result, d } = await moved(transport, () =>
          runSipp({
            scenario: 'register-auth.xml',
            target: `127.0.0.1:${s.sipPort}`,
            transport: transport === 'udp' ? 'u1' : 't1',
            user: sippUser(domain),
            calls: 3,
            timeoutSeconds: 30,
          }),
        );
        assert.equal(result.code, 0, describeSipp(result));
        assert.equal(result.successful, 3, describeSipp(result));
        assertRegistered(d, 'sipp');
      });
    }

    test('calls a sipp UAS through the edge over UDP', async () => {
      const uas = startSipp({ scenario: 'invite-uas.xml', calls: 1, timeoutSeconds: 60, localPort: uasPort });
      try {
        await waitForUdpBound(uasPort);
        const { result, d } = await moved('udp', () =>
          runSipp({
            scenario: 'invite-auth-uac.xml',
            target: `127.0.0.1:${s.sipPort}`,
            transport: 'u1',
            user: sippUser(domain),
            calls: 1,
            timeoutSeconds: 30,
          }),
        );
        assert.equal(result.successful, 1, describeSipp(result));
        assert.ok(d('admitted') >= 1, `admitted ${d('admitted')}`);
        assert.equal(d('bad_digest'), 0);
        const u = await uas.done;
        assert.equal(u.successful, 1, describeSipp(u));
      } finally {
        await uas.stop();
      }
    });

    test('fails when SHA-512-256 comes first (the former default order): nothing registers', async () => {
      const { result, d } = await moved('udp', () =>
        runSipp({
          scenario: 'register-auth.xml',
          target: `127.0.0.1:${s.sipPort}`,
          transport: 'u1',
          user: sippUser(strongFirstDomain),
          calls: 1,
          timeoutSeconds: 10,
        }),
      );
      assert.equal(result.successful, 0, describeSipp(result));
      assert.equal(d('registered'), 0);
    });
  });

  describe('sipsak 0.9.8 (reads only the first challenge, MD5 only)', clientSkip('sipsak', 'sipsak'), () => {
    const hosts = privateHostsSkip();
    for (const transport of TRANSPORTS) {
      test(`registers over ${transport.toUpperCase()}`, hosts, async () => {
        const dir = join(root, `sipsak-${transport}`);
        const { result, d } = await moved(transport, async () =>
          sipsakRegister(dir, target(transport), await freeSipPort()),
        );
        assert.equal(result.code, 0, result.output.slice(-4000));
        assert.match(result.output, /All usrloc tests completed successful/);
        // It answered the first challenge, which the default order makes MD5.
        assert.match(result.output, /WWW-Authenticate: Digest [^\n]*algorithm=MD5/);
        assert.match(result.output, /Authorization: Digest [^\n]*algorithm=MD5/);
        assertRegistered(d, 'sipsak');
      });
    }

    test(
      'gives up when SHA-512-256 comes first (the former default order): nothing registers',
      hosts,
      async () => {
        const { result, d } = await moved('udp', async () =>
          sipsakRegister(
            join(root, 'sipsak-strong-first'),
            target('udp', strongFirstDomain),
            await freeSipPort(),
          ),
        );
        assert.notEqual(result.code, 0, result.output.slice(-4000));
        assert.match(result.output, /unsupported authentication algorithm/);
        assert.equal(d('registered'), 0);
      },
    );
  });

  describe('baresip 1.0 (gives up on any non-MD5 challenge)', clientSkip('baresip', 'baresip'), () => {
    for (const transport of TRANSPORTS) {
      test(`registers over ${transport.toUpperCase()}, then calls a sipp UAS through the edge and hangs up`, async () => {
        const dir = join(root, `baresip-${transport}`);
        // It registers as it starts: the window of the edge's counters opens before.
        const reg = await moved(transport, async () => {
          const p = await startBaresip(dir, target(transport), {
            sip: await freeSipPort(),
            ctrl: await freePort(),
          });
          try {
            await p.registered();
          } catch (err) {
            await p.stop();
            throw err;
          }
          return p;
        });
        const phone = reg.result;
        try {
          assertRegistered(reg.d, 'baresip');

          const uas = startSipp({
            scenario: 'invite-uas.xml',
            calls: 1,
            timeoutSeconds: 60,
            localPort: uasPort,
          });
          try {
            await waitForUdpBound(uasPort);
            const call = await moved(transport, async () => {
              await phone.command('dial', `sip:1000@${domain}`);
              await phone.event('CALL_ESTABLISHED');
              await phone.command('hangup');
              return phone.event('CALL_CLOSED');
            });
            // INVITE: 407, then admitted with its MD5 answer; ACK and BYE relayed in the dialog.
            assert.ok(call.d('challenged') >= 1, `challenged ${call.d('challenged')}`);
            assert.ok(call.d('admitted') >= 1, `admitted ${call.d('admitted')}`);
            // Counted on either transport: with one Record-Route naming the edge's upstream-side
            // transport (UDP), a TCP caller sends its ACK and BYE over UDP (RFC 5658 would add a second).
            assert.ok(
              call.all('in_dialog_relayed') >= 2,
              `in-dialog relayed: ${call.d('in_dialog_relayed')} on ${transport}, ${call.all('in_dialog_relayed')} in all`,
            );
            assert.equal(call.d('bad_digest'), 0);
            const u = await uas.done;
            assert.equal(u.successful, 1, describeSipp(u));
            assert.equal(u.failed, 0, describeSipp(u));
          } finally {
            await uas.stop();
          }
        } finally {
          await phone.stop();
        }
      });
    }
  });

  describe('baresip 1.0 without its rule', clientSkip('baresip', 'baresip'), () => {
    test('gives up when MD5 comes first but SHA-256 is offered too: nothing registers', async () => {
      const { result, d } = await moved('udp', async () => {
        const phone = await startBaresip(join(root, 'baresip-md5-first'), target('udp', md5FirstDomain), {
          sip: await freeSipPort(),
          ctrl: await freePort(),
        });
        try {
          return { state: await phone.registration(), output: phone.output() };
        } finally {
          await phone.stop();
        }
      });
      assert.equal(result.state, 'failed', result.output.slice(-3000));
      assert.match(result.output, /Function not implemented/);
      assert.ok(d('challenged') >= 1);
      assert.equal(d('registered'), 0);
    });
  });

  describe('linphone-daemon 5.1 (liblinphone)', clientSkip('linphone-daemon', 'linphone-cli'), () => {
    for (const transport of TRANSPORTS) {
      test(`registers over ${transport.toUpperCase()}`, async () => {
        const dir = join(root, `linphone-${transport}`);
        const phone = await startLinphoneDaemon(dir, target(transport), await freeSipPort());
        try {
          const { d } = await moved(transport, async () => {
            const id = await phone.register();
            await phone.registered(id);
          });
          assertRegistered(d, 'linphone');
          const log = phone.log();
          // The daemon sends no User-Agent of its own ("Unknown"), so it got the default order,
          // MD5 first, and answered with MD5.
          assert.match(log, /WWW-Authenticate: Digest [^\n]*algorithm=MD5/);
          assert.match(log, /Authorization: +Digest [^\n]*algorithm=MD5/);
        } finally {
          await phone.stop();
        }
      });
    }

    test("with a linphone app's User-Agent it is challenged SHA-256 first and registers with SHA-256", async () => {
      const ua = 'Linphone Desktop/5.1.2 (Debian GNU/Linux 12) LinphoneCore/5.1.65';
      const phone = await startLinphoneDaemon(
        join(root, 'linphone-ua'),
        target('udp'),
        await freeSipPort(),
        ua,
      );
      try {
        const { d } = await moved('udp', async () => {
          await phone.registered(await phone.register());
        });
        assertRegistered(d, 'linphone');
        const log = phone.log();
        assert.match(log, new RegExp(`User-Agent: ${ua.replace(/[()/.]/g, '\\$&')}`));
        const challenges = [...log.matchAll(/WWW-Authenticate: Digest [^\n]*algorithm=([\w-]+)/g)].map(
          (m) => m[1],
        );
        assert.deepEqual(challenges.slice(0, 2), ['SHA-256', 'MD5']);
        assert.match(log, /Authorization: +Digest [^\n]*algorithm=SHA-256/);
      } finally {
        await phone.stop();
      }
    });

    test('gives up when SHA-512-256 comes first (the former default order): nothing registers', async () => {
      const phone = await startLinphoneDaemon(
        join(root, 'linphone-strong-first'),
        target('udp', strongFirstDomain),
        await freeSipPort(),
      );
      try {
        const { result, d } = await moved('udp', async () => phone.registration(await phone.register()));
        assert.equal(result, 'failed', phone.log().slice(-4000));
        assert.match(phone.log(), /unsupported algo \[SHA-512-256\]/);
        assert.ok(d('challenged') >= 1);
        assert.equal(d('registered'), 0);
      } finally {
        await phone.stop();
      }
    });
  });
});
