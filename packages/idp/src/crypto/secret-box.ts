/**
 * Encrypts secrets at rest (TOTP seeds, Action secrets) so that a copy of the database alone does not
 * reveal them. `context` names what the record belongs to (`totp:<user id>`): a record sealed for one
 * context does not open for another, so a row cannot be moved to another user or Action.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** Throws when the record was altered, sealed for another context, or under a key it does not hold. */
  open(sealed: string, context: string): string;
}
