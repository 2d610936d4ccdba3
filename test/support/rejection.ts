import { expect } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';

/** Awaits a promise that must reject with an SmtpInviteError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<SmtpInviteError> {
  const err: unknown = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmtpInviteError);
  return err as SmtpInviteError;
}
