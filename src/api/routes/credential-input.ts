// Rules shared by both credential shapes (SIP Auth and Zentrunk): one store, one set of checks.
import type { FastifyRequest } from 'fastify';
import {
  type RuleResult,
  validateFriendlyName,
  validatePassword,
  validateRealm,
  validateUsername,
} from '../../domain/credential-rules.ts';
import { ApiError } from '../../errors.ts';
import type {
  CreateCredentialOutcome,
  CredentialView,
  UpdateCredentialOutcome,
} from '../../store/repositories/credential-repository.ts';

/**
 * preValidation for creates: a JSON null is "not given". Without this the validator coerces null to
 * "" and `{"username": null}` reads as a malformed username instead of a missing one (the Zentrunk API answers that 422).
 */
export async function nullMeansAbsent(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
}

export function check(result: RuleResult, field: string): void {
  if (!result.ok)
    throw new ApiError(
      result.code === 'invalid_username' ? 'invalid_username' : result.code,
      { detail: result.message },
      { field },
    );
}

export function checkUsername(username: string): void {
  const r = validateUsername(username);
  if (!r.ok) throw new ApiError('invalid_username', {}, { field: 'username' });
}

/** The SIP Auth path's rule (upper, lower and digit). */
export function checkPassword(password: string): void {
  check(validatePassword(password, 'sipauth'), 'password');
}

/** The Zentrunk path's rule (three of upper, lower, digit, symbol). */
export function checkZentrunkPassword(password: string): void {
  check(validatePassword(password, 'zentrunk'), 'password');
}

export function checkRealm(realm: string): void {
  const r = validateRealm(realm);
  if (!r.ok) throw new ApiError('invalid_realm', {}, { field: 'realm' });
}

export function checkName(name: string): void {
  check(validateFriendlyName(name), 'name');
}

export function credentialOrThrow(
  outcome: CreateCredentialOutcome | UpdateCredentialOutcome,
  username: string,
  id = '',
): CredentialView {
  switch (outcome.kind) {
    case 'ok':
      return outcome.credential;
    case 'duplicate_username':
      throw new ApiError('duplicate_username', { username }, { field: 'username' });
    case 'quota_exceeded':
      throw new ApiError('quota_exceeded', { limit: outcome.limit, resource: 'credentials' });
    case 'not_found':
      throw new ApiError('not_found', { resource: 'credential', id });
    case 'account_gone':
      throw new ApiError('not_found', { resource: 'account', id: '' });
  }
}
