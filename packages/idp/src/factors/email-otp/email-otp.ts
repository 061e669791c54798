import type { AttemptsRepository } from '../../store/attempts.ts';
import type { EmailCodesRepository } from '../../store/email-codes.ts';
import { generateEmailCode, hashEmailCode, isEmailCodeFormat } from './email-code.ts';
import { composeEmailCodeMessage } from './email-code-message.ts';
import type { EmailSettings } from './email-settings.ts';
import type { Mailer } from './mailer.ts';

export type EmailCodeSending =
  | { outcome: 'sent'; expiresAt: number }
  /** The account reached the cap on codes sent per window; `retryAfter` in seconds. */
  | { outcome: 'throttled'; retryAfter: number }
  | { outcome: 'failed' };

export interface EmailCodeRequest {
  /** The login the code is for: it works there and nowhere else. */
  challengeId: string;
  userId: string;
  to: string;
  clientName: string;
  now: number;
}

/** Email one-time codes as a factor: six digits, short-lived, single use, a cap on codes sent. */
export class EmailOtp {
  readonly #codes: EmailCodesRepository;
  readonly #attempts: AttemptsRepository;
  readonly #mailer: Mailer;
  readonly #settings: Pick<EmailSettings, 'codeTtlSeconds' | 'sends'>;
  readonly #generate: () => string;

  constructor(options: {
    codes: EmailCodesRepository;
    attempts: AttemptsRepository;
    mailer: Mailer;
    settings: Pick<EmailSettings, 'codeTtlSeconds' | 'sends'>;
    /** Tests inject their own codes. */
    generateCode?: () => string;
  }) {
    this.#codes = options.codes;
    this.#attempts = options.attempts;
    this.#mailer = options.mailer;
    this.#settings = options.settings;
    this.#generate = options.generateCode ?? generateEmailCode;
  }

  /** Sends a new code for the login, voiding the one sent for it before, unless the cap is reached. */
  async send(request: EmailCodeRequest): Promise<EmailCodeSending> {
    const { sends, codeTtlSeconds } = this.#settings;
    // Counted before sending, in one atomic increment, so parallel requests cannot slip past the cap.
    const window = await this.#attempts.increment(
      `email-sent:account:${request.userId}`,
      sends.windowSeconds,
      request.now,
    );
    if (window.count > sends.limit) return { outcome: 'throttled', retryAfter: window.resetAt - request.now };
    const code = this.#generate();
    const expiresAt = request.now + codeTtlSeconds;
    await this.#codes.save({
      challengeId: request.challengeId,
      userId: request.userId,
      codeHash: hashEmailCode(request.challengeId, code),
      expiresAt,
      now: request.now,
    });
    try {
      await this.#mailer.send(
        composeEmailCodeMessage({ to: request.to, code, clientName: request.clientName, codeTtlSeconds }),
      );
    } catch {
      return { outcome: 'failed' };
    }
    return { outcome: 'sent', expiresAt };
  }

  /** Accepts the login's open code once, before it expires, even under concurrent requests. */
  async verify(input: { challengeId: string; userId: string; code: string; now: number }): Promise<boolean> {
    if (!isEmailCodeFormat(input.code)) return false;
    return this.#codes.consume({
      challengeId: input.challengeId,
      userId: input.userId,
      codeHash: hashEmailCode(input.challengeId, input.code),
      now: input.now,
    });
  }
}
