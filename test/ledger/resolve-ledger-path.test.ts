import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SmtpInviteError } from '../../src/errors.ts';
import { resolveLedgerPath } from '../../src/ledger/resolve-ledger-path.ts';

const cwd = path.resolve('/work/project');

describe('resolveLedgerPath', () => {
  it('prefers --db, resolved against cwd', () => {
    expect(resolveLedgerPath('data/l.db', { SMTP_INVITE_DB: '/env/l.db' }, cwd)).toBe(
      path.join(cwd, 'data', 'l.db'),
    );
    expect(resolveLedgerPath('/abs/l.db', {}, cwd)).toBe(path.resolve('/abs/l.db'));
  });

  it('then SMTP_INVITE_DB, resolved against cwd', () => {
    expect(resolveLedgerPath(undefined, { SMTP_INVITE_DB: 'env.db' }, cwd)).toBe(
      path.join(cwd, 'env.db'),
    );
  });

  it('then ./.smtp-invite/ledger.db; an empty variable counts as unset', () => {
    const fallback = path.join(cwd, '.smtp-invite', 'ledger.db');
    expect(resolveLedgerPath(undefined, {}, cwd)).toBe(fallback);
    expect(resolveLedgerPath(undefined, { SMTP_INVITE_DB: '' }, cwd)).toBe(fallback);
    expect(resolveLedgerPath(undefined, { SMTP_INVITE_DB: '  ' }, cwd)).toBe(fallback);
  });

  it('refuses an empty --db as a usage error', () => {
    let error: unknown;
    try {
      resolveLedgerPath('', {}, cwd);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SmtpInviteError);
    expect((error as SmtpInviteError).code).toBe('ERR_USAGE');
    expect((error as SmtpInviteError).message).toContain('--db');
  });
});
