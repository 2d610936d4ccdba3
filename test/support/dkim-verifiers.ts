/**
 * Two DKIM verifiers that share no code with nodemailer's signer, for the DKIM tests:
 * - mailauth (npm, Postal Systems), its DNS resolver answering the key record from memory;
 * - dkimpy (Debian python3-dkim) through test/support/pydkim-verify.py, the record passed in.
 * Both look the key up at `<s>._domainkey.<d>` as taken from the signature, so a signature naming
 * the wrong domain or selector fails as it would in DNS.
 *
 * dkimpy is optional on a developer machine: the tests that need it are skipped when it is missing,
 * unless SMTP_INVITE_REQUIRE_PYDKIM=1 (as in CI, see .ci/run) makes that a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dkimVerify } from 'mailauth';

export interface DkimKeyRecord {
  /** `<selector>._domainkey.<domain>` */
  readonly name: string;
  /** The TXT value, e.g. `v=DKIM1; k=rsa; p=…` */
  readonly value: string;
}

export interface VerifierVerdict {
  readonly pass: boolean;
  /** d= and s= of the verified signature. */
  readonly domain: string;
  readonly selector: string;
  /** The verifier's own words (Authentication-Results text, or dkimpy's reason). */
  readonly detail: string;
  /** Number of From fields mailauth saw (RFC 5322 allows one); dkimpy: undefined. */
  readonly fromFields?: number;
}

/** mailauth's dkimVerify in strict mode (RFC 6376/8301/8463 exactly) on the topmost signature. */
export async function verifyWithMailauth(
  raw: Buffer,
  record: DkimKeyRecord,
): Promise<VerifierVerdict> {
  const asked: string[] = [];
  const result = await dkimVerify(raw, {
    strict: true,
    resolver: (name: string, type: string) => {
      asked.push(`${name} ${type}`);
      if (type === 'TXT' && name.toLowerCase() === record.name.toLowerCase()) {
        // As DNS delivers it: character-strings of at most 255 octets (RFC 1035 §3.3.14).
        return Promise.resolve([record.value.match(/.{1,255}/g) ?? []]);
      }
      return Promise.reject(Object.assign(new Error(`no TXT at ${name}`), { code: 'ENOTFOUND' }));
    },
  });
  const first = result.results[0];
  return {
    pass: first?.status.result === 'pass',
    domain: first?.signingDomain ?? '',
    selector: first?.selector ?? '',
    detail: `${first?.info ?? 'no signature'} ${first?.status.comment ?? ''} (asked: ${asked.join(', ')})`,
    fromFields: result.fromFields,
  };
}

const PYTHONS = ['/usr/bin/python3', 'python3'];

/** A Python interpreter that can `import dkim`, or undefined (python3-dkim not installed). */
export function findPyDkim(): string | undefined {
  for (const python of PYTHONS) {
    // Debian's python3-dkim lives in /usr/lib/python3/dist-packages: the system interpreter has
    // it even when another python3 (pyenv, a venv) comes first in PATH.
    const probe = spawnSync(python, ['-c', 'import dkim'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** Whether the dkimpy tests run: installed, or required (then a missing module fails them). */
export function pyDkimWanted(): boolean {
  return findPyDkim() !== undefined || process.env['SMTP_INVITE_REQUIRE_PYDKIM'] === '1';
}

const SCRIPT = fileURLToPath(new URL('./pydkim-verify.py', import.meta.url));

/** dkimpy's verdict on the topmost DKIM-Signature (synchronous: one short python3 process). */
export function verifyWithPyDkim(raw: Buffer, record: DkimKeyRecord): VerifierVerdict {
  const python = findPyDkim();
  if (python === undefined) {
    throw new Error('python3-dkim is not installed: apt-get install python3-dkim (see .ci/run)');
  }
  const out = execFileSync(python, [SCRIPT, record.name, record.value], {
    input: raw,
    timeout: 20_000,
  });
  const verdict = JSON.parse(out.toString('utf8')) as {
    pass: boolean;
    d: string;
    s: string;
    asked: string[];
    reason: string;
  };
  return {
    pass: verdict.pass,
    domain: verdict.d,
    selector: verdict.s,
    detail: `${verdict.reason} (asked: ${verdict.asked.join(', ')})`,
  };
}
