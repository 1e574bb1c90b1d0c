// Input checks shared by the IP ACL, URI, trunk and application routes: domain rule results
// become ApiErrors with stable codes and the field they are about.

import type { DigestAlgorithm } from '../../domain/digest/digest-hash.ts';
import { checkDigestAlgorithmList } from '../../domain/digest-algorithm-list.ts';
import type { AclRuleResult } from '../../domain/ip-acl-rules.ts';
import type { ShapeResult } from '../../domain/trunk-rules.ts';
import { ApiError, type ErrorCode } from '../../errors.ts';
import type { ReferencedKind, ReferenceProblem } from '../../store/repositories/references.ts';
import { checkName } from './credential-input.ts';

const AN: Record<ReferencedKind, string> = {
  credential: 'a credential',
  ip_acl: 'an IP ACL',
  origination_uri: 'an origination URI',
};

export function invalidReference(problem: ReferenceProblem): ApiError {
  return new ApiError(
    'invalid_reference',
    { field: problem.field, id: problem.id, resource: AN[problem.kind] },
    { field: problem.field },
  );
}

/** A rule outcome `{ok:false, code, message, field}` becomes a 400/409 under the same code. */
export function ruleOrThrow<T>(result: AclRuleResult<T>): T {
  if (result.ok) return result.value;
  // parseNetwork never asks for CIDR notation; should a caller ever get it, it is a bad ip.
  const code: ErrorCode = result.code === 'cidr_required' ? 'invalid_ip' : result.code;
  throw new ApiError(
    code,
    { detail: result.message },
    result.field === undefined ? {} : { field: result.field },
  );
}

export function shapeOrThrow(result: ShapeResult): void {
  if (!result.ok) throw new ApiError(result.code, { detail: result.message }, { field: result.field });
}

/** `""` means "none", as a form field cannot send null. */
export function emptyToNull(value: string | null | undefined): string | null | undefined {
  return value === '' ? null : value;
}

export function digestAlgorithmsOrThrow(
  names: string[] | null | undefined,
): DigestAlgorithm[] | null | undefined {
  if (names === undefined || names === null) return names;
  const checked = checkDigestAlgorithmList(names);
  if (!checked.ok)
    throw new ApiError(
      'invalid_digest_algorithms',
      { detail: checked.message },
      { field: 'digest_algorithms' },
    );
  return checked.value;
}

/** An optional friendly name: absent or null for none, else 1–120 printable characters. */
export function checkOptionalName(name: string | null | undefined): void {
  if (name !== undefined && name !== null) checkName(name);
}
