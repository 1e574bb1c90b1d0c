// Turns a repository's delete outcome into the API's answer: nothing (204), 404, or the in-use 409
// whose body lists the users as {trunks: [...], applications: [...]} (docs/errors.md `in_use`).
import { ApiError } from '../../errors.ts';
import type { DeleteOutcome, ResourceUsers } from '../../store/repositories/references.ts';

const NAMED_IN_MESSAGE = 3;

function describeUsers(users: ResourceUsers): string {
  const names = [
    ...users.trunks.map((t) => `trunk ${t.trunk_id}`),
    ...users.applications.map((a) => `application ${a.app_id}`),
  ];
  if (names.length <= NAMED_IN_MESSAGE) return names.join(', ');
  return `${names.slice(0, NAMED_IN_MESSAGE).join(', ')} and ${names.length - NAMED_IN_MESSAGE} more`;
}

export function deletedOrThrow(outcome: DeleteOutcome, resource: string, id: string): void {
  switch (outcome.kind) {
    case 'ok':
      return;
    case 'not_found':
      throw new ApiError('not_found', { resource, id });
    case 'in_use':
      throw new ApiError(
        'in_use',
        { resource, id, users: describeUsers(outcome.users) },
        { extra: { trunks: outcome.users.trunks, applications: outcome.users.applications } },
      );
  }
}
