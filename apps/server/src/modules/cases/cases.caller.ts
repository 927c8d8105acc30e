import type { Locale } from '@tongxin/contracts';
import type { RequestContext } from '../../platform/actor.js';

// Who calls the case services: a request (a logged-in account, or nobody for an anonymous report)
// or a trusted system inside the server (an Open311 route after its API-key check, an IoT ingester,
// the deadline sweeper). System callers skip permission checks: they have done their own.

export interface SystemCaller {
  /** e.g. 'open311:city-app', 'iot:smoke-gateway-3', 'sweeper' */
  system: string;
  ip?: string | null;
  locale?: Locale;
}

export type Caller = RequestContext | SystemCaller;

export const systemCtx = (system: string, ip?: string | null, locale?: Locale): SystemCaller => ({ system, ip: ip ?? null, locale });

export const isSystem = (c: Caller): c is SystemCaller => 'system' in c;

/** Who did a step, for the timeline and the audit log. */
export interface Who {
  id: string | null;
  name: string;
  ip: string | null;
}

export function whoOf(c: Caller): Who {
  if (isSystem(c)) return { id: null, name: `system:${c.system}`, ip: c.ip ?? null };
  if (c.actor) return { id: c.actor.id, name: c.actor.username, ip: c.ip };
  return { id: null, name: 'anonymous', ip: c.ip };
}

export const localeOf = (c: Caller): Locale => (isSystem(c) ? (c.locale ?? 'zh-CN') : c.locale);
