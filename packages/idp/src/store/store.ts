import type { AttemptsRepository } from './attempts.ts';
import type { AuthSessionsRepository } from './auth-sessions.ts';
import type { ClientsRepository } from './clients.ts';
import type { FactorsRepository } from './factors.ts';
import type { InteractionStatesRepository } from './interaction-states.ts';
import type { KeysRepository } from './keys.ts';
import type { OidcAdapterFactory } from './oidc-adapter.ts';
import type { UsersRepository } from './users.ts';

export type { OidcAdapterFactory } from './oidc-adapter.ts';

/** Every repository of one storage backend. */
export interface Store {
  users: UsersRepository;
  factors: FactorsRepository;
  authSessions: AuthSessionsRepository;
  interactionStates: InteractionStatesRepository;
  attempts: AttemptsRepository;
  keys: KeysRepository;
  clients: ClientsRepository;
  /** Pass as oidc-provider's `adapter` configuration option; `Client` is served from `clients`. */
  oidcAdapter: OidcAdapterFactory;
  close(): Promise<void>;
}
