// Every RFC 4475 torture message of test/fixtures/sip/rfc4475/MANIFEST.tsv, sent over UDP to the real
// edge (issue 7 item 2): each gets its verdict — 400/505/501/416/420/483, a 404/481 for well-formed
// requests that are not addressed to us, or no answer when none can be addressed (responses) — and
// the edge keeps answering after every one. Then the same requests re-addressed to a trunk: the
// well-formed ones are forwarded upstream (or registered), the malformed ones refused the same way.
// The parser's field-level verdicts are in test/unit/sip/parser-rfc4475.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createAcl,
  createCredential,
  createTrunk,
  EDGE_MODES,
  type EdgeServer,
  HOOK_TIMEOUT,
  header,
  headerValues,
  outcomeCounts,
  pollUntil,
  type RawUpstream,
  rawUpstream,
  readRfc4475,
  readRfc4475Manifest,
  type SipMsg,
  startEdgeServer,
  udpClient,
  uniqueUser,
  waitForTarget,
} from '../helpers/sip.ts';

/** A final status, no answer at all, or (re-addressed to a trunk) forwarded upstream. */
type Verdict = number | 'drop' | 'forward';

/**
 * [as sent, re-addressed to an IP-ACL trunk]. Requests for foreign domains are 404 (the edge is
 * not an open relay); wsinv.dat carries a To tag without our Route, so it is an in-dialog request
 * we did not route (481). REGISTERs to a trunk are answered by the edge's registrar (200).
 */
const VERDICTS: Readonly<Record<string, readonly [Verdict, Verdict]>> = {
  // §3.1.1 valid messages
  'wsinv.dat': [481, 481],
  'intmeth.dat': [404, 'forward'],
  'esc01.dat': [404, 'forward'],
  'escnull.dat': [404, 200],
  'esc02.dat': [404, 'forward'],
  'lwsdisp.dat': [404, 'forward'],
  'longreq.dat': [404, 'forward'],
  'dblreq.dat': [404, 200],
  'semiuri.dat': [404, 'forward'],
  'transports.dat': [404, 'forward'],
  'mpart01.dat': [404, 'forward'],
  'unreason.dat': ['drop', 'drop'], // a response, not for a branch of ours
  'noreason.dat': ['drop', 'drop'],
  // §3.1.2 invalid messages
  'badinv01.dat': [400, 400],
  'clerr.dat': [400, 400],
  'ncl.dat': [400, 400],
  'scalar02.dat': [400, 400],
  'scalarlg.dat': ['drop', 'drop'], // a response: nobody to answer
  'quotbal.dat': [400, 400],
  'ltgtruri.dat': [400, 400],
  'lwsruri.dat': [400, 400],
  'lwsstart.dat': [400, 400],
  'trws.dat': [400, 400],
  'escruri.dat': [400, 400],
  'baddate.dat': [400, 400],
  'regbadct.dat': [400, 400],
  'badaspec.dat': [400, 400],
  'baddn.dat': [400, 400],
  'badvers.dat': [505, 505],
  'mismatch01.dat': [400, 400],
  'mismatch02.dat': [501, 501],
  'bigcode.dat': ['drop', 'drop'],
  // §3.2 transaction layer
  'badbranch.dat': [400, 400],
  // §3.3 application layer
  'insuf.dat': [400, 400],
  'unkscm.dat': [416, 416],
  'novelsc.dat': [416, 416],
  'unksm2.dat': [404, 200],
  'bext01.dat': [420, 420],
  'invut.dat': [404, 'forward'],
  'regaut01.dat': [404, 200], // an ACL trunk ignores credentials; see the credential trunk test
  'multi01.dat': [400, 400],
  'mcl01.dat': [400, 400],
  'bcast.dat': ['drop', 'drop'],
  'zeromf.dat': [483, 483],
  'cparam01.dat': [404, 200],
  'cparam02.dat': [404, 200],
  'regescrt.dat': [404, 200],
  'sdp01.dat': [404, 'forward'],
  // §3.4 backward compatibility
  'inv2543.dat': [404, 'forward'],
};

/** Rewrites the host of a SIP Request-URI to `domain`, keeping the rest of the message byte for byte. */
function readdress(message: Buffer, domain: string): Buffer {
  const eol = message.indexOf('\r\n');
  const line = message.subarray(0, eol).toString('latin1');
  const m = /^(\S+) (sips?:)(\S+) (SIP\/2\.0)$/.exec(line);
  if (m === null) return message; // a response, another scheme, or a malformed Request-Line: as is
  const rest = m[3]!;
  const hostStart = rest.lastIndexOf('@') + 1;
  const hostLength = rest.slice(hostStart).search(/[;?:>]/);
  const hostEnd = hostLength < 0 ? rest.length : hostStart + hostLength;
  const uri = `${m[2]}${rest.slice(0, hostStart)}${domain}${rest.slice(hostEnd)}`;
  return Buffer.concat([Buffer.from(`${m[1]} ${uri} ${m[4]}`, 'latin1'), message.subarray(eol)]);
}

function callIdOf(message: Buffer): string | undefined {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(message.toString('latin1'))?.[1];
}

for (const mode of EDGE_MODES) {
  describe(`RFC 4475 torture messages at the edge (${mode.name})`, { timeout: 180_000 }, () => {
    let s: EdgeServer;
    let up: RawUpstream;
    const manifest = readRfc4475Manifest();

    before(async () => {
      up = await rawUpstream();
      s = await startEdgeServer({ workers: mode.workers, env: { TRUNKGATE_UPSTREAM: up.uri } });
    }, HOOK_TIMEOUT);

    after(async () => {
      await s?.stop();
      await up?.close();
    }, HOOK_TIMEOUT);

    test('the verdict table covers exactly the manifest', () => {
      assert.deepEqual(manifest.map((r) => r.file).sort(), Object.keys(VERDICTS).sort());
    });

    /**
     * Sends one message from a fresh socket; returns every answer that came back. A drop can only
     * be observed by waiting (600 ms); an answer comes within milliseconds on loopback, and a
     * second one (there must not be any) is given 100 ms more.
     */
    async function send(message: Buffer, expectAnswer: boolean): Promise<SipMsg[]> {
      const c = await udpClient(s.sipHost, s.sipPort);
      try {
        c.sendRaw(message);
        const first = await c.next(expectAnswer ? 5_000 : 600);
        if (first === undefined) return [];
        const more = await c.next(100);
        return more === undefined ? [first] : [first, more];
      } finally {
        await c.close();
      }
    }

    /** Sends a request the edge should forward; returns its copy at the upstream and any answer the caller got. */
    async function sendForwarded(message: Buffer): Promise<{ got: SipMsg | undefined; answers: SipMsg[] }> {
      const callId = callIdOf(message);
      const c = await udpClient(s.sipHost, s.sipPort);
      try {
        c.sendRaw(message);
        const got = await pollUntil(
          async () => up.received.find((m) => header(m, 'call-id') === callId),
          5_000,
          10,
        );
        return { got, answers: [...c.received] };
      } finally {
        await c.close();
      }
    }

    /** The edge still answers: an OPTIONS for a domain it does not serve gets its 404. */
    async function stillAnswers(): Promise<void> {
      const c = await udpClient(s.sipHost, s.sipPort);
      try {
        const r = await c.request({ method: 'OPTIONS', ruri: 'sip:nobody.invalid' });
        assert.equal(r.status, 404);
      } finally {
        await c.close();
      }
    }

    test('each message as sent gets its verdict, and the edge answers after every one', async () => {
      const before = outcomeCounts(await s.metrics());
      for (const row of manifest) {
        const [want] = VERDICTS[row.file]!;
        const answers = await send(readRfc4475(row.file), want !== 'drop');
        const what = `${row.file} (RFC 4475 §${row.section} ${row.title})`;
        if (want === 'drop') assert.deepEqual(answers, [], `${what} must get no answer`);
        else {
          assert.equal(
            answers.length,
            1,
            `${what}: exactly one answer, got ${answers.map((a) => a.startLine).join(' | ')}`,
          );
          assert.equal(answers[0]!.status, want, `${what}: ${answers[0]!.raw}`);
        }
        if (row.file === 'bext01.dat') {
          // RFC 3261 §8.2.2.3: the 420 lists what is not supported.
          assert.equal(
            header(answers[0]!, 'Unsupported'),
            'noProxiesSupportThis, norDoAnyProxiesSupportThis',
          );
        }
        await stillAnswers();
      }
      const now = outcomeCounts(await s.metrics());
      // Every parse error and refusal is a counter (issue 7 item 6).
      assert.ok((now['parse_error'] ?? 0) - (before['parse_error'] ?? 0) >= 16);
      assert.ok((now['invalid_request'] ?? 0) - (before['invalid_request'] ?? 0) >= 6);
      assert.equal(now['state_unavailable'] ?? 0, 0, 'no message made the edge fail internally');
    });

    test('re-addressed to a trunk: the well-formed requests are forwarded upstream or registered, the rest refused alike', async () => {
      const t = await createTrunk(s, { ipacl_uuid: await createAcl(s, ['127.0.0.1/32']) });
      await waitForTarget(s, `sip:${t.domain}`);
      for (const row of manifest) {
        const [, want] = VERDICTS[row.file]!;
        const message = readdress(readRfc4475(row.file), t.domain);
        const what = `${row.file} re-addressed`;
        if (want === 'forward') {
          assert.ok(callIdOf(message), `${what}: has a Call-ID`);
          const { got, answers } = await sendForwarded(message);
          assert.ok(
            got,
            `${what} reaches the upstream (edge answered ${answers.map((a) => a.startLine).join(' | ')})`,
          );
          assert.deepEqual(headerValues(got, 'X-Trunkgate-Trunk'), [t.trunkId]);
          assert.deepEqual(headerValues(got, 'X-Trunkgate-Auth'), ['ip']);
          assert.match(header(got, 'Via') ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bKtg\./);
          assert.equal(
            got.startLine.split(' ')[0],
            message.toString('latin1').split(' ')[0],
            'the method is kept',
          );
          assert.deepEqual(answers, [], `${what}: the edge does not answer a forwarded request itself`);
        } else {
          const answers = await send(message, want !== 'drop');
          if (want === 'drop') assert.deepEqual(answers, [], `${what} must get no answer`);
          else
            assert.deepEqual(
              answers.map((a) => a.status),
              [want],
              `${what}: ${answers.map((a) => a.raw).join('\n')}`,
            );
        }
        await stillAnswers();
      }
    });

    test('RFC 4475 §3.3.7: an unknown Authorization scheme to a trunk that needs a digest is challenged, not refused 400', async () => {
      const user = uniqueUser('regaut');
      const t = await createTrunk(s, { credential_uuid: await createCredential(s, user) });
      await waitForTarget(s, `sip:${t.domain}`);
      const answers = await send(readdress(readRfc4475('regaut01.dat'), t.domain), true);
      assert.equal(answers.length, 1);
      assert.equal(answers[0]!.status, 401, answers[0]!.raw);
      assert.equal(headerValues(answers[0]!, 'WWW-Authenticate').length, 3);
    });
  });
}
