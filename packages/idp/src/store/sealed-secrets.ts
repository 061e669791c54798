/** The kinds of sealed secret the durable store keeps. */
export type SealedSecretKind = 'totp-seed' | 'action-secrets' | 'client-secret' | 'provider-keys';

/** One secret the provider sealed (`SecretBox`) and the store keeps, with what its seal context is made of. */
export interface SealedSecretRecord {
  kind: SealedSecretKind;
  /**
   * Where the record is (a factor's id; an Action's id and version; a provider key set's name): for
   * `replace` and paging only.
   */
  id: string;
  /**
   * Whom it belongs to: the user id of a TOTP seed, the name of the Action of its secrets, the client
   * id, the name of a provider key set.
   */
  owner: string;
  sealed: string;
}

/**
 * Every sealed secret of the durable store, for re-sealing them under a new key: read in pages, each
 * record replaced only if nobody changed it since it was read.
 */
export interface SealedSecretsRepository {
  /**
   * Up to `limit` records of `kind` whose sealed value does not start with `prefix`, in a fixed
   * order, after the record with id `after` when given.
   */
  listNotStartingWith(
    kind: SealedSecretKind,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<SealedSecretRecord[]>;
  /**
   * Stores `next` in place of the record's sealed value if that is still `record.sealed`; resolves
   * false, changing nothing, when another node re-sealed it first or its owner changed it meanwhile.
   */
  replace(record: SealedSecretRecord, next: string): Promise<boolean>;
}
