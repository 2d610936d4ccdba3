/**
 * The iTIP planner's entry points in one import for the flows (each lives in its own module). Pure:
 * old event + change → who gets which METHOD at which SEQUENCE (RFC 5546; sabre/vobject's Broker).
 */
export { planCancel, type PlanCancelOptions } from './plan-cancel.ts';
export { planCancelOccurrence, keepCancelledOccurrences } from './plan-cancel-occurrence.ts';
export { planCreate } from './plan-create.ts';
export { planDeclineCounter } from './plan-decline-counter.ts';
export { planRefresh } from './plan-refresh.ts';
export { planUpdate } from './plan-update.ts';
export { diffInvites, type InviteDiff } from './diff-invites.ts';
