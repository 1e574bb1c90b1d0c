// Outcomes of the IP ACL store shared by both ACL shapes.
import { ApiError } from '../../errors.ts';
import type {
  CreateIpAclOutcome,
  IpAclEntryView,
  IpAclView,
} from '../../store/repositories/ip-acl-repository.ts';

export function aclOrThrow(outcome: CreateIpAclOutcome): IpAclView {
  switch (outcome.kind) {
    case 'ok':
      return outcome.acl;
    case 'quota_exceeded':
      throw new ApiError('quota_exceeded', { limit: outcome.limit, resource: 'IP ACLs' });
    case 'account_gone':
      throw new ApiError('not_found', { resource: 'account', id: '' });
  }
}

export function entryFromDuplicate(existing: IpAclEntryView): ApiError {
  return new ApiError(
    'duplicate_entry',
    {
      detail: `${existing.network} is already in this IP ACL (entry ${existing.entry_id}); each network may appear once`,
    },
    { field: 'ip' },
  );
}
