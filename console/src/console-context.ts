// What every page needs: the signed-in session, a client for it, and the account pages act on.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { TrunkgateClient } from '../../sdk/client.ts';
import type { Session } from './session.ts';

export interface ConsoleContextValue {
  session: Session;
  api: TrunkgateClient;
  /** The account the pages act on (the signed-in one or a subaccount). */
  authId: string;
  /** Whether the signed-in account is a top-level account (it can have subaccounts). */
  isParent: boolean;
  switchAccount: (authId: string) => void;
  /** Subaccounts changed (created, renamed, deleted): the switcher reloads them. */
  subaccountsChanged: () => void;
  signOut: () => void;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === null) throw new Error('useConsole outside <ConsoleContext.Provider>');
  return value;
}
