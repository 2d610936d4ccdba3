import { describeEmailProblem } from '../model/check-email.ts';
import { usage } from './common-options.ts';

/** An email given as a CLI option, checked like the invite's addresses. */
export function checkEmailOption(command: string, option: string, value: string): string {
  const problem = describeEmailProblem(value.trim());
  if (problem !== undefined) throw usage(command, `${option} "${value}" ${problem}`);
  return value.trim();
}
