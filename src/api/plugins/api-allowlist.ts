// Enforcement of the API IP allowlist (docs/glossary.md "API IP allowlist"): requests from addresses
// not on the list receive an HTTP 403; a top-level account's list covers it and all of its
// subaccounts.
import { formatIp, type IpAddress } from '../../domain/address/index.ts';
import { ApiError } from '../../errors.ts';
import type { Services } from '../../services.ts';

/** Throws 403 ip_not_allowlisted unless the account tree's list is empty or holds the address. */
export async function enforceAllowlist(
  services: Services,
  topLevelAuthId: string,
  address: IpAddress | null,
): Promise<void> {
  const verdict = await services.allowlistCache.check(topLevelAuthId, address);
  if (!verdict.admitted) {
    throw new ApiError('ip_not_allowlisted', {
      address: address === null ? 'an address that could not be determined' : formatIp(address),
    });
  }
}
