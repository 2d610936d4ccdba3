/**
 * `import 'smtp-invite/vitest'`: installs the invitation matchers into vitest's expect and exports
 * the snapshot serializer. The matchers' types are added to vitest's Assertion interface.
 */
import { expect } from 'vitest';
import { inviteMatchers, type ValidInviteExpectation } from './invite-matchers.ts';

expect.extend(inviteMatchers);

export {
  describeFindings,
  installInviteMatchers,
  inviteMatchers,
  toBeValidInvite,
  toHaveInviteFinding,
  type ValidInviteExpectation,
} from './invite-matchers.ts';
export { inviteSerializer, normalizeInvite } from './invite-serializer.ts';

declare module 'vitest' {
  // Vitest ≥ 3.2: one interface types expect().*, expect.* and expect.extend at once. Merged
  // declarations must repeat vitest's type parameters by name, so T stays although unused.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    toBeValidInvite(expected?: ValidInviteExpectation): R;
    toHaveInviteFinding(rule: string): R;
  }
}
