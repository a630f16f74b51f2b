/** Typed errors of the auth domain; the router maps each code to a TRPCError with this message. */
export type AuthErrorCode = 'invalid-pairing' | 'bad-credentials' | 'rate-limited' | 'not-found' | 'invalid-input' | 'conflict';

export class AuthError extends Error {
  constructor(readonly code: AuthErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'AuthError';
  }
}
