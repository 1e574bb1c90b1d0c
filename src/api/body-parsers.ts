// The two body formats the API reads (JSON and form-encoded), both as strict UTF-8: a body in
// another charset, compressed, or holding bytes that are not UTF-8 is refused (415 / 400) rather
// than decoded into something the caller did not send.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { convertFormValues } from './form-values.ts';
import { findTextProblem, textProblemError } from './text-input.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Checks Content-Encoding and the charset parameter, then decodes the body as strict UTF-8. */
function decodeBody(request: FastifyRequest, body: Buffer): string {
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity')
    throw new ApiError('unsupported_content_encoding', { encoding: encoding.slice(0, 40) });
  const type = request.headers['content-type'] ?? '';
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type);
  if (m !== null) {
    const charset = (m[1] ?? '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8')
      throw new ApiError('unsupported_charset', { charset: charset.slice(0, 40) });
  }
  try {
    return UTF8.decode(body);
  } catch {
    throw new ApiError('invalid_encoding', {
      detail: 'The request body is not valid UTF-8; send the text encoded as UTF-8',
    });
  }
}

function checkText(value: unknown): void {
  const problem = findTextProblem(value);
  if (problem !== undefined) throw textProblemError(problem, 'body');
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new ApiError('invalid_encoding', {
      detail: 'The form body holds a percent-encoding that is not UTF-8; encode each byte of UTF-8 as %XX',
    });
  }
}

/** application/x-www-form-urlencoded (WHATWG URL §5.1), a repeated name giving an array. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1));
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return { ...out };
}

export function registerBodyParsers(app: FastifyInstance): void {
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decodeBody(request, body as Buffer);
    } catch (err) {
      return done(err as Error, undefined);
    }
    // JSON with an empty body (SDKs send Content-Type on DELETE) is an empty object, not an error.
    if (text.trim() === '') return done(null, {});
    defaultJson(request, text, (err, parsed) => {
      if (err) return done(err, undefined);
      try {
        checkText(parsed);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          convertFormValues(parsed as Record<string, unknown>, request.routeOptions.schema?.body, {
            booleansOnly: true,
          });
      } catch (e) {
        return done(e as Error, undefined);
      }
      return done(null, parsed);
    });
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (request, body, done) => {
      try {
        const form = parseForm(decodeBody(request, body as Buffer));
        checkText(form);
        convertFormValues(form, request.routeOptions.schema?.body);
        return done(null, form);
      } catch (err) {
        return done(err as Error, undefined);
      }
    },
  );
}
