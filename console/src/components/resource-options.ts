// Options for the pickers of trunks and applications: every ACL, credential and origination URI of
// the account (all pages), labelled by name.
import { useEffect, useState } from 'preact/hooks';
import { apiResult } from '../api-result.ts';
import { useConsole } from '../console-context.ts';
import { loadAll, mapResult, plivoPage } from './paged-list.tsx';

export interface Option {
  value: string;
  label: string;
}

export interface ResourceOptions {
  acls: Option[];
  credentials: Option[];
  uris: Option[];
}

/** The digest algorithms the SIP edge can offer, most preferred first (src/domain/digest/digest-hash.ts). */
export const DIGEST_ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const;

export function useResourceOptions(): ResourceOptions {
  const { api, authId } = useConsole();
  const [options, setOptions] = useState<ResourceOptions>({ acls: [], credentials: [], uris: [] });
  useEffect(() => {
    let live = true;
    const path = { auth_id: authId };
    const q = (limit: number, offset: number) => ({ limit: String(limit), offset: String(offset) });
    void Promise.all([
      loadAll((l, o) =>
        apiResult(
          api.GET('/v1/Account/{auth_id}/Zentrunk/IPAccessControlList/', {
            params: { path, query: q(l, o) },
          }),
        ).then((r) => mapResult(r, plivoPage)),
      ),
      loadAll((l, o) =>
        apiResult(
          api.GET('/v1/Account/{auth_id}/Zentrunk/Credential/', { params: { path, query: q(l, o) } }),
        ).then((r) => mapResult(r, plivoPage)),
      ),
      loadAll((l, o) =>
        apiResult(api.GET('/v1/Account/{auth_id}/Zentrunk/URI/', { params: { path, query: q(l, o) } })).then(
          (r) => mapResult(r, plivoPage),
        ),
      ),
    ]).then(([acls, creds, uris]) => {
      if (!live) return;
      setOptions({
        acls: acls.map((a) => ({
          value: a.ipacl_uuid,
          label: `${a.name ?? a.ipacl_uuid} (${a.ip_addresses.join(', ') || 'no entries'})`,
        })),
        credentials: creds.map((c) => ({
          value: c.credential_uuid,
          label: `${c.name ?? c.username} (${c.username})`,
        })),
        uris: uris.map((u) => ({ value: u.uri_uuid, label: `${u.name ?? u.uri_uuid} (${u.uri})` })),
      });
    });
    return () => {
      live = false;
    };
  }, [api, authId]);
  return options;
}

/** A picker's options with "none" first. */
export function withNone(options: Option[], none = '— none —'): Option[] {
  return [{ value: '', label: none }, ...options];
}
