import { TRPCError } from '@trpc/server';

type TRPCCode = TRPCError['code'];

/**
 * Map a domain's typed error to a TRPCError carrying the domain's message (written for a person).
 * Each router passes its domain's error class and a code table; anything else is rethrown unchanged,
 * so a bug surfaces as INTERNAL_SERVER_ERROR instead of being dressed up as bad input.
 */
export function mapDomainError<E extends Error & { code: string }>(
  err: unknown,
  errorClass: new (...args: never[]) => E,
  codes: Record<E['code'], TRPCCode>,
): never {
  if (err instanceof errorClass) {
    throw new TRPCError({ code: codes[err.code as E['code']], message: err.message, cause: err });
  }
  throw err;
}
