/**
 * Errors are values with a code. Services throw them without knowing about HTTP;
 * web/errors.ts maps the kind to a status in one place.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_type'
  | 'too_many';

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine code, e.g. LETTER_NOT_APPROVED; also the key of its translated message. */
    readonly code: string,
    message: string,
    /** Field path → message, for form and body validation errors. */
    readonly fields?: Record<string, string>,
    /** Values for the {placeholders} of the translated message (errors.CODE), e.g. a limit. */
    public params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** For 429: seconds until a retry may succeed (sent as Retry-After). */
  retryAfterSeconds?: number;
}

export const invalid = (code: string, message: string, fields?: Record<string, string>, params?: Record<string, string | number>) =>
  new AppError('invalid', code, message, fields, params);
export const forbidden = (message = 'You are not allowed to do this', code = 'FORBIDDEN') =>
  new AppError('forbidden', code, message);
export const notFound = (what: string, code = 'NOT_FOUND') => new AppError('not_found', code, `${what} not found`);
export const conflict = (code: string, message: string) => new AppError('conflict', code, message);
export const unauthenticated = (message = 'Authentication required', code = 'UNAUTHENTICATED') =>
  new AppError('unauthenticated', code, message);
export const tooLarge = (message: string, code = 'TOO_LARGE', params?: Record<string, string | number>) =>
  new AppError('too_large', code, message, undefined, params);
export const unsupportedType = (message: string, code = 'UNSUPPORTED_TYPE') =>
  new AppError('unsupported_type', code, message);
export const tooMany = (message: string, code = 'TOO_MANY_ATTEMPTS', opts: { retryAfterSeconds?: number; params?: Record<string, string | number> } = {}) =>
  Object.assign(new AppError('too_many', code, message), opts);
