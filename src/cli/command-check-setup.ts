/**
 * `smtp-invite check-setup`: checks the production set-up without sending any message (README
 * "Checking the set-up"). The settings are resolved and every file read exactly as a sending
 * command does (flags > environment > config file), so a usage or configuration error is the same
 * exit 2 before any connection; then each check runs on what the send path builds: an OAuth2 token,
 * an SMTP session (connect, TLS, AUTH, QUIT), a DKIM signature verified locally, and with --dns the
 * published key record. A failed check is exit 3.
 */
import { relative } from 'node:path';

import { EXIT, type CliIo } from './cli-io.ts';
import {
  DELIVERY_HELP_HEADER,
  DELIVERY_OPTIONS,
  DELIVERY_SERVER_HELP,
  DELIVERY_SETTINGS_HELP,
  usage,
} from './common-options.ts';
import { findConfigFile, loadCliConfig } from './config-file.ts';
import { resolveDeliverySettings } from './delivery-settings.ts';
import { oauthConfig, openDeliveryTransport, parseSourcedUrl } from './delivery-transport.ts';
import {
  IDENTITY_HELP,
  IDENTITY_OPTIONS,
  hasIdentityFlags,
  resolveIdentityOptions,
} from './identity-options.ts';
import { parseOptions } from './parse-options.ts';
import {
  checkDkimDns,
  checkDkimSignature,
  checkSmtp,
  loadDkim,
  prepareTokenCheck,
} from './setup-checks.ts';
import {
  describeSettings,
  renderCheck,
  renderDkimRecord,
  renderSettings,
  renderSummary,
  setupJson,
  type CheckResult,
} from './setup-report.ts';
import { dkimDomainsAligned } from '../transport/dkim-signing.ts';

export const CHECK_SETUP_HELP = `Usage: smtp-invite check-setup [delivery options] [--dns] [--json]

Checks the production set-up without sending any message:
  1. prints every delivery setting and where it came from (flag, environment variable, config
     file, default); secrets never: "from SMTP_PASSWORD (set)";
  2. OAuth2 (--auth oauth2): obtains a token and says how long it is valid (never the token);
  3. SMTP: connects, does TLS and AUTH as a send would, then QUIT (no MAIL FROM);
  4. DKIM: loads the key, signs a sample message and verifies the signature with the key's public
     half, and prints the TXT record to publish at <selector>._domainkey.<domain>;
  5. sender identity: warns when the From domain is not aligned with the DKIM domain.

Options:
  --dns                Also look the DKIM record up in DNS and say whether it matches the key
                       (without it, no DNS lookup is made).
  --json               Print {"settings": {KEY: {"value", "origin", "note"?}}, "checks": [{"name",
                       "ok", "detail", "code"?}], "dkimRecord": {"name", "value"} | null,
                       "warnings": [...]}; secrets appear as "(set)" or as their file's path.
  -h, --help           Show this help.

${IDENTITY_HELP}
${DELIVERY_HELP_HEADER}${DELIVERY_SERVER_HELP}${DELIVERY_SETTINGS_HELP}
Exit codes: 0 every check passed, 2 usage or configuration error (nothing was checked),
3 a check failed (connection, TLS, login, OAuth2 token, DKIM, the --dns record).
`;

// The delivery options, without --outbox and --dry-run: there is nothing to write or pretend.
const { outbox: _outbox, 'dry-run': _dryRun, ...SERVER_OPTIONS } = DELIVERY_OPTIONS;

export async function runCheckSetup(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions('check-setup', argv, {
    ...SERVER_OPTIONS,
    ...IDENTITY_OPTIONS,
    dns: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CHECK_SETUP_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    throw usage('check-setup', `takes no arguments, only options (got "${positionals[0] ?? ''}")`);
  }

  // Everything a send would refuse is refused here too, before any connection (exit 2).
  const location = findConfigFile(io, values.config);
  const config = loadCliConfig(io, values.config);
  const configName = config === undefined ? undefined : shownPath(config.path, io.cwd);
  const settings = resolveDeliverySettings({
    command: 'check-setup',
    flags: values,
    env: io.env,
    cwd: io.cwd,
    config,
    ...(configName === undefined ? {} : { configName }),
  });
  if (settings.target.kind !== 'smtp') {
    throw usage(
      'check-setup',
      'no SMTP server is configured: give --smtp URL, SMTP_URL or "smtp" in the config file',
    );
  }
  const url = settings.target.url;
  const identity = resolveIdentityOptions('check-setup', values, io);
  const warnings: string[] = [];
  const dkim =
    settings.dkim === undefined
      ? undefined
      : loadDkim(settings.dkim, io, (message) => warnings.push(`DKIM: ${message}`));
  const parsedUrl = parseSourcedUrl(url);
  // The token source is made first, so that the login below reuses the token it checked (one
  // request to the token endpoint, as a send makes).
  const tokenCheck =
    settings.oauth === undefined
      ? undefined
      : prepareTokenCheck(
          oauthConfig(settings.oauth, parsedUrl, io),
          settings.oauth.accessToken?.origin ?? 'SMTP_OAUTH_TOKEN',
          io,
        );
  // The SMTP transport exactly as a send builds it, without the DKIM wrapper (checked apart).
  const transport = openDeliveryTransport(
    { ...settings, dkim: undefined },
    io,
    tokenCheck === undefined ? {} : { tokenSource: tokenCheck.source },
  );
  try {
    const service = identity.service?.email;
    if (dkim !== undefined && service !== undefined) {
      const domain = service.slice(service.lastIndexOf('@') + 1);
      if (!dkimDomainsAligned(domain, dkim.signer.domainName)) {
        warnings.push(
          `identity: From is the service address ${service}, whose domain ${domain} is not aligned with the DKIM domain d=${dkim.signer.domainName}: receivers that apply DMARC will not count the signature; sign with --dkim-domain ${domain} (a key published in its DNS) or use a service address at ${dkim.signer.domainName}`,
        );
      }
    }

    const lines = describeSettings({
      settings,
      url,
      parsedUrl,
      smtpDescription: transport.description,
      configFile:
        location === undefined || configName === undefined
          ? undefined
          : { shown: configName, namedBy: location.namedBy },
      identity,
      identityOrigin: identityOrigin(values, identity, configName),
      dkimKeyBits: dkim?.bits,
    });
    const json = values.json === true;
    if (!json) io.stdout.write(`${renderSettings(lines)}\nChecks (nothing is sent):\n`);

    const checks: CheckResult[] = [];
    const record = (check: CheckResult): void => {
      checks.push(check);
      if (!json) io.stdout.write(renderCheck(check));
    };
    const token = tokenCheck === undefined ? undefined : await tokenCheck.check();
    if (token !== undefined) record(token);
    // Without a token there is no login to try: the SMTP check would only repeat the failure.
    if (token === undefined || token.ok) {
      const user = settings.oauth?.user?.value ?? parsedUrl.user;
      const login =
        user === undefined
          ? undefined
          : { user, mechanism: settings.oauth === undefined ? 'PLAIN/LOGIN' : 'XOAUTH2' };
      record(await checkSmtp(transport, parsedUrl, login, settings.insecure?.value === true));
    }
    if (dkim !== undefined) {
      record(await checkDkimSignature(dkim));
      if (values.dns === true) record(await checkDkimDns(dkim.record));
    }

    if (json) {
      io.stdout.write(setupJson(lines, checks, dkim?.record, warnings));
    } else {
      if (dkim !== undefined) io.stdout.write(`\n${renderDkimRecord(dkim.record)}`);
      for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`);
      io.stdout.write(`\n${renderSummary(checks)}`);
    }
    return checks.every((check) => check.ok) ? EXIT.ok : EXIT.operational;
  } finally {
    await transport.close();
  }
}

/** Which flag or config key chose the identity ("default": the organizer sends as itself). */
function identityOrigin(
  values: { service?: string | undefined; sender?: string | undefined },
  identity: { service?: unknown; sender?: unknown },
  configName: string | undefined,
): string {
  if (hasIdentityFlags(values)) return values.service !== undefined ? '--service' : '--sender';
  if (identity.service !== undefined)
    return `identity.service in ${configName ?? 'the config file'}`;
  if (identity.sender !== undefined) return `identity.sender in ${configName ?? 'the config file'}`;
  return 'default';
}

/** As the other messages name the config file: relative to the working directory when inside it. */
function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}
