/**
 * smtp-invite's public API. Explicit named exports only: what is not here is internal.
 */

// Errors and diagnostics
export { ERROR_CODES, SmtpInviteError, isSmtpInviteError, type ErrorCode } from './errors.ts';
export { formatDiagnostic, type Diagnostic, type Severity } from './diagnostics.ts';

// The invite model
export {
  DEFAULT_LIMITS,
  INVITE_METHODS,
  KINDS,
  METHODS,
  PARTSTATS,
  ROLES,
  type Alarm,
  type AlarmInput,
  type Attendee,
  type AttendeeInput,
  type Invite,
  type InviteInput,
  type InviteLimits,
  type InviteMethod,
  type Method,
  type Organizer,
  type OrganizerInput,
  type PartStat,
  type RecurrenceInput,
  type RecurrenceRuleInput,
} from './model/invite.ts';
export {
  invalidInviteError,
  parseInvite,
  validateInvite,
  type ValidateOptions,
  type ValidationResult,
} from './model/validate-invite.ts';

// iCalendar
export { buildCalendar, DEFAULT_PRODID, type BuildCalendarOptions } from './ical/build-calendar.ts';
export { buildVtimezone } from './ical/vtimezone.ts';
export { foldLine, foldLines, unfoldLines } from './ical/fold-lines.ts';
export {
  readCalendar,
  type CalendarEvent,
  type CalendarSummary,
  type CalendarTime,
} from './ical/read-calendar.ts';

// Email
export {
  composeMessage,
  readCalendarMethod,
  type ComposeInput,
  type MailAddress,
  type MessageProfile,
} from './mime/compose-message.ts';
export { renderHtmlBody, renderSubject, renderTextBody } from './mime/render-bodies.ts';
export { readMessage, type ReadCalendarPart, type ReadMessage } from './mime/read-message.ts';

// Transport
export type {
  DeliveryResult,
  OutgoingMessage,
  RejectedRecipient,
  Transport,
} from './transport/transport.ts';
export { createSmtpTransport, parseSmtpUrl, type SmtpOptions } from './transport/smtp-transport.ts';
export {
  createOAuthTokenSource,
  GOOGLE_SCOPE,
  GOOGLE_TOKEN_URL,
  MICROSOFT_APP_SCOPE,
  MICROSOFT_DELEGATED_SCOPE,
  parseGoogleServiceAccountKey,
  type OAuthConfig,
  type OAuthTokenSource,
  type OAuthTokenSourceOptions,
} from './transport/oauth-token.ts';
export {
  checkIdentityOptions,
  resolveSenderIdentity,
  type IdentityMode,
  type IdentityOptions,
  type SenderIdentity,
} from './flows/sender-identity.ts';
export {
  createDkimSigner,
  DKIM_SIGNED_HEADERS,
  dkimDnsRecord,
  withDkimSigning,
  type DkimOptions,
  type DkimSigner,
} from './transport/dkim-signing.ts';
export { createOutboxTransport } from './transport/outbox-transport.ts';
export { createMemoryTransport } from './transport/memory-transport.ts';
export { startCaptureServer } from './transport/capture-server.ts';

// Flows
export {
  buildInvite,
  buildInviteMessages,
  deterministicIds,
  randomIds,
  type BuildIds,
  type BuildOptions,
  type BuiltInvite,
  type BuiltMessage,
} from './flows/build-invite.ts';
export {
  deliverMessages,
  hasRejections,
  sendInvite,
  type MessageOutcome,
  type SendOptions,
  type SendReport,
} from './flows/send-invite.ts';

// Inspector (lint any invitation email or .ics; predict what each client does)
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIME_LIMIT_MS,
  inspect,
  inspectCalendar,
  inspectMessage,
} from './inspect/inspect-engine.ts';
export { ENGINE_FINDINGS, RULES } from './inspect/rule-catalogue.ts';
export {
  CLIENTS,
  CLIENT_NAMES,
  OUTCOMES,
  type AttendeeInfo,
  type CalendarInfo,
  type CalendarPartSummary,
  type CalendarPlacement,
  type Client,
  type ClientVerdict,
  type EventInfo,
  type Finding,
  type InspectOptions,
  type InspectReport,
  type MimePartSummary,
  type Outcome,
  type Rule,
  type RuleCategory,
  type TimeInfo,
} from './inspect/inspect-types.ts';

// Organizer lifecycle: ledger, iTIP planning, replies
export type {
  AttendeeState,
  CounterProposal,
  Delivery,
  DeliveryOutcome,
  IncomingRecord,
  IncomingResult,
  Ledger,
  OutgoingRecord,
  StoredEvent,
} from './ledger/ledger-types.ts';
export { openLedger, type OpenLedgerOptions, type SqliteLedger } from './ledger/open-ledger.ts';
export { resolveLedgerPath } from './ledger/resolve-ledger-path.ts';
export { inviteToInput } from './model/invite-to-input.ts';
export {
  diffInvites,
  planCancel,
  planCreate,
  planRefresh,
  planUpdate,
  type InviteDiff,
  type PlanCancelOptions,
} from './itip/plan-itip.ts';
export type { Plan, PlannedMessage } from './itip/plan-types.ts';
export { readItipMessage } from './replies/read-itip-message.ts';
export {
  interpretReply,
  type ReplyEventState,
  type ReplyInterpretation,
} from './replies/interpret-reply.ts';
export { splitMbox } from './replies/split-mbox.ts';
export {
  buildReply,
  type BuildReplyOptions,
  type BuiltReply,
  type ReplyPartStat,
} from './replies/build-reply.ts';
export type { IncomingItip, ReplyDecision, UnreadableItip } from './replies/reply-types.ts';
export { executePlan, type ExecutedPlan, type ExecutePlanOptions } from './flows/execute-plan.ts';
export {
  cancelAndRecord,
  loadEvent,
  sendAndRecord,
  updateAndRecord,
  type OrganizerOptions,
} from './flows/organizer-flows.ts';
export {
  ingestMessages,
  SETTLED_RESULTS,
  type IngestedMessage,
  type IngestOptions,
} from './flows/ingest-replies.ts';
export {
  listStatuses,
  readStatus,
  type EventListing,
  type EventStatusReport,
} from './flows/read-status.ts';

// Bulk sending: batches, pacing, retries, resume
export {
  newBatchId,
  resumeBatch,
  sendBatch,
  type BatchCommonOptions,
  type BatchOptions,
  type BatchProgress,
  type BatchRun,
  type BatchSettings,
  type BatchSummary,
  type StopReason,
} from './flows/send-batch.ts';
export type {
  ClassifiedOutcome,
  OutcomeKind,
  PacingLimits,
  ProviderProfile,
  RecipientOutcome,
  RowOutcome,
} from './batch/batch-types.ts';
export { classifyError, classifyReply, parseEnhancedCode } from './batch/classify-smtp-outcome.ts';
export { PROVIDER_PROFILES, parseRate, resolvePacing } from './batch/provider-profiles.ts';
export { detectRowsFormat, readRows, type RowsFormat, type SourceRow } from './batch/read-rows.ts';
export { listPlaceholders, mergeTemplate } from './batch/merge-template.ts';
export type {
  BatchCounts,
  BatchRecipientState,
  BatchRecord,
  BatchRowRecord,
  BatchStore,
} from './ledger/ledger-types.ts';

// CLI (for embedding: run(argv, io) → exit code)
export { run } from './cli/run.ts';
export type { CliIo } from './cli/cli-io.ts';
