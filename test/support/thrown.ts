import { expect } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';

/** Runs `run`, which must throw an SmtpInviteError, and returns that error (see rejection.ts for promises). */
export function thrown(run: () => unknown): SmtpInviteError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SmtpInviteError);
    return err as SmtpInviteError;
  }
  throw new Error('expected an SmtpInviteError');
}
