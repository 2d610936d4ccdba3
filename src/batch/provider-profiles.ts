/**
 * Pacing presets for the providers people send invitations through, and the resolution of the
 * pacing flags (`--rate`, `--daily-cap`, `--concurrency`) over a preset. Every number carries its
 * source: the URL and the statement it is taken from, or "not published" and why the value chosen
 * is a safe one. Flags always win over the preset.
 */
import { SmtpInviteError } from '../errors.ts';
import type { PacingLimits, ProviderProfile } from './batch-types.ts';

/** Simultaneous connections without a profile or flag (issue 5 §1). */
export const DEFAULT_MAX_CONNECTIONS = 5;
export const MAX_CONCURRENCY = 100;

export const PROVIDER_PROFILES: readonly ProviderProfile[] = [
  {
    name: 'exchange-online',
    description:
      'Microsoft 365 / Exchange Online SMTP AUTH client submission (smtp.office365.com): 30 messages per minute, 10,000 recipients per day, 3 connections.',
    limits: {
      ratePerSecond: 30 / 60,
      rateUnit: 'messages',
      dailyRecipientCap: 10_000,
      maxConnections: 3,
    },
    requires: [],
    sources: [
      'https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements: "Up to three concurrent connections are allowed to send email messages at the same time. If an application tries to send more than three messages at the same time by using multiple connections, each connection will receive the following error message: 432 4.3.2 Concurrent connections limit exceeded." and "Additional throttling limits for the SMTP Authentication protocol are: 30 messages per minute [and a] Recipient rate limit of 10,000 recipients per day".',
      'https://techcommunity.microsoft.com/t5/exchange-team-blog/changes-coming-to-the-smtp-authenticated-submission-client/ba-p/607825 (Exchange Team Blog, 2018): "Only three concurrent connections to our service per mailbox will be allowed. Additional connections will be rejected with one of the following errors: 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded. 432 4.3.2 concurrent connection limit exceeded" and "the Recipient Rate Limit (RRL) which limits the number of recipients per day to 10,000".',
    ],
  },
  {
    name: 'gmail',
    description:
      'A Gmail account (or a Google Workspace mailbox) through smtp.gmail.com: 500 recipients per day (consumer accounts and Workspace trials; a paid Workspace account may pass --daily-cap 2000), a cautious 30 messages per minute, 2 connections.',
    limits: {
      ratePerSecond: 30 / 60,
      rateUnit: 'messages',
      dailyRecipientCap: 500,
      maxConnections: 2,
    },
    requires: [],
    sources: [
      'http://support.google.com/mail/bin/answer.py?hl=en&answer=22839 (Gmail Help, sending limits; an older version of the page, the one consulted): "Google will temporarily disable your account if you send messages to more than 500 recipients or if you send a large number of undeliverable messages." and "Your account should be re-enabled within 24 hours."',
      'https://support.google.com/a/answer/166852 (Google Workspace Admin Help, "Gmail sending limits in Google Workspace"), table rows "Messages per day / Daily sending limit: 2,000 (500 for trial accounts)" and "Total recipients per day: 10,000", and "Limits per day are applied over a rolling 24-hour period, not a set time of day."',
      'Rate: not published by Google for smtp.gmail.com; conservative value chosen: 30 messages per minute (the published Exchange Online submission rate), far below what the daily limit allows, and lowered further by the adaptive pacer on a throttle reply.',
      'Connections: not published by Google for SMTP submission; conservative value chosen: 2.',
    ],
  },
  {
    name: 'google-workspace-relay',
    description:
      'Google Workspace SMTP relay service (smtp-relay.gmail.com): 10,000 recipients per user per day, a cautious 1 message per second, 3 connections.',
    limits: {
      ratePerSecond: 1,
      rateUnit: 'messages',
      dailyRecipientCap: 10_000,
      maxConnections: 3,
    },
    requires: [],
    sources: [
      'Google Workspace Admin Help, the SMTP relay service page\'s sending limits: "A Google Workspace user can\'t relay messages to more than 10,000 unique recipients in a 24-hour period." and "Each user can send up to 10,000 messages in a 24-hour period." Google\'s page itself could not be consulted, so it is not linked here; the statements are from a verbatim copy of it (http://tallka.blogg.se/2023/september/what-is-the-smtp-server-for-gmail-for-incoming.html), consistent with https://developer.nylas.com/docs/cookbook/email/gmail-smtp-settings/: "smtp-relay.gmail.com, which supports up to 10,000 recipients per day per user".',
      'https://support.google.com/a/answer/3726730 (Gmail SMTP errors and codes): "450 4.2.1 Peak SMTP relay limit exceeded for this customer. This is a temporary error." (the relay throttles bursts; classified as throttle).',
      'Rate: not published by Google; conservative value chosen: 1 message per second (3,600 per hour, well inside the daily limit), lowered further by the adaptive pacer on a throttle reply.',
      'Connections: not published by Google; conservative value chosen: 3.',
    ],
  },
  {
    name: 'ses',
    description:
      "Amazon SES SMTP interface: the maximum send rate is per account and Region and counts recipients per second: pass it with --rate (and the account's 24-hour quota with --daily-cap).",
    limits: { rateUnit: 'recipients' },
    requires: ['rate'],
    sources: [
      'https://docs.aws.amazon.com/ses/latest/dg/quotas.html (Service quotas in Amazon SES): "Quotas are based on the number of recipients, rather than on the number of messages." "If your account is in the sandbox, you can send up to 200 emails per 24-hour period. If your account is out of the sandbox, this number varies based on your specific use case." "If your account is in the sandbox, you can send 1 email per second. If your account is out of the sandbox, this rate varies based on your specific use case."',
      'https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html: over the limits the SMTP interface answers "454 Throttling failure: Maximum sending rate exceeded" or "454 Throttling failure: Daily message quota exceeded".',
      "The account's own numbers: `aws ses get-send-quota` (MaxSendRate, Max24HourSend) or the SES console's account dashboard.",
      'Connections: not published for the SMTP interface; the default of 5 applies.',
    ],
  },
  {
    name: 'local-relay',
    description:
      'A relay on this machine or network (Postfix, a submission agent, a test server): no rate, no daily cap.',
    limits: {},
    requires: [],
    sources: [
      'No provider limit: a local relay queues what it accepts and paces delivery itself; the default of 5 connections applies.',
    ],
  },
];

export interface PacingFlags {
  /** `--rate`, e.g. "200/s", "30/min", "1000/h". */
  readonly rate?: string;
  /** `--daily-cap`: recipients per rolling 24 hours. */
  readonly dailyCap?: string | number;
  /** `--concurrency`: simultaneous connections, 1–100. */
  readonly concurrency?: string | number;
}

export type ResolvedPacing = Required<Pick<PacingLimits, 'maxConnections'>> & PacingLimits;

const RATE_UNITS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
};
const RATE_FORMAT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*\/\s*([a-z]+?)s?\s*$/i;
const RATE_EXAMPLE = 'a number per unit like 200/s, 30/min or 1000/h';

/** "200/s", "30/min", "1000/h" → per second. Throws ERR_USAGE naming `flag`. */
export function parseRate(text: string, flag: string): number {
  const shown = JSON.stringify(String(text).slice(0, 40));
  const m = RATE_FORMAT.exec(String(text));
  const unit = m?.[2]?.toLowerCase();
  const seconds = unit === undefined ? undefined : RATE_UNITS[unit];
  if (m === null || seconds === undefined) {
    throw usage(`${flag} must be ${RATE_EXAMPLE}, not ${shown}`);
  }
  const count = Number(m[1]);
  const perSecond = count / seconds;
  if (!(Number.isFinite(perSecond) && perSecond > 0)) {
    throw usage(`${flag} must be greater than 0 and finite, e.g. 30/min, not ${shown}`);
  }
  return perSecond;
}

/**
 * The pacing for a batch: the profile's limits (none without a profile), each overridden by its
 * flag, and maxConnections always set (default 5). Throws ERR_USAGE naming the flag at fault.
 */
export function resolvePacing(profile: string | undefined, flags: PacingFlags): ResolvedPacing {
  let preset: ProviderProfile | undefined;
  if (profile !== undefined) {
    const name = profile.trim().toLowerCase();
    preset = PROVIDER_PROFILES.find((p) => p.name === name);
    if (preset === undefined) {
      const names = PROVIDER_PROFILES.map((p) => p.name).join(', ');
      throw usage(
        `unknown provider profile ${JSON.stringify(profile.slice(0, 40))}: use one of ${names}`,
      );
    }
  }

  const rate = flags.rate === undefined ? undefined : parseRate(flags.rate, '--rate');
  const dailyCap =
    flags.dailyCap === undefined ? undefined : parseDailyCap(flags.dailyCap, '--daily-cap');
  const concurrency =
    flags.concurrency === undefined
      ? undefined
      : parseConcurrency(flags.concurrency, '--concurrency');

  if (preset !== undefined) {
    if (preset.requires.includes('rate') && rate === undefined) {
      throw usage(
        preset.name === 'ses'
          ? "the ses profile needs --rate: Amazon SES's maximum send rate is set per account and Region and counts recipients per second; find it with `aws ses get-send-quota` (MaxSendRate) or in the SES console's account dashboard, then pass e.g. --rate 14/s"
          : `the ${preset.name} profile needs --rate, e.g. --rate 10/s`,
      );
    }
    if (preset.requires.includes('daily-cap') && dailyCap === undefined) {
      throw usage(`the ${preset.name} profile needs --daily-cap, e.g. --daily-cap 2000`);
    }
  }

  const limits = preset?.limits ?? {};
  const ratePerSecond = rate ?? limits.ratePerSecond;
  const dailyRecipientCap = dailyCap ?? limits.dailyRecipientCap;
  const rateUnit = limits.rateUnit ?? (ratePerSecond === undefined ? undefined : 'messages');
  return {
    ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
    ...(rateUnit === undefined ? {} : { rateUnit }),
    ...(dailyRecipientCap === undefined ? {} : { dailyRecipientCap }),
    maxConnections: concurrency ?? limits.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
  };
}

function parseDailyCap(value: string | number, flag: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n < 1) {
    throw usage(
      `${flag} must be a whole number of recipients ≥ 1, e.g. 2000, not ${shownValue(value)}`,
    );
  }
  return n;
}

function parseConcurrency(value: string | number, flag: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n < 1 || n > MAX_CONCURRENCY) {
    throw usage(
      `${flag} must be a whole number of connections from 1 to ${MAX_CONCURRENCY}, not ${shownValue(value)}`,
    );
  }
  return n;
}

/** A safe integer from a number or a string of digits; undefined for anything else. */
function wholeNumber(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function shownValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}

function usage(message: string): SmtpInviteError {
  return new SmtpInviteError('ERR_USAGE', message);
}
