import type { PushErrorCode } from '../factors/push/push-error.ts';

/** The provider refused a device's request: `code` is the provider's stable error code. */
export class DeviceRequestError extends Error {
  readonly code: PushErrorCode | 'http_error';
  readonly status: number;

  constructor(code: PushErrorCode | 'http_error', status: number, message: string) {
    super(message);
    this.name = 'DeviceRequestError';
    this.code = code;
    this.status = status;
  }

  /** Reads the provider's `{ error, error_description }` body. */
  static async from(response: Response): Promise<DeviceRequestError> {
    let body: { error?: unknown; error_description?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // Not JSON: keep the HTTP status only.
    }
    const code = typeof body.error === 'string' ? (body.error as PushErrorCode) : 'http_error';
    const description =
      typeof body.error_description === 'string' ? body.error_description : `HTTP ${response.status}`;
    return new DeviceRequestError(code, response.status, description);
  }
}
