import type { TestEnv } from '../../../test/harness.js';
import { testIdNumber } from '../members/members.fixtures.js';

// Test support for organisational life and study: members of a given status on a branch's roll,
// and meetings planned and recorded through the API.

let seq = 900;

/** A member created through the API by an organisation worker (default guiyuan); returns the id. */
export async function addMember(env: TestEnv, orgId: string, name: string, status: 'full' | 'probationary' = 'full', worker = 'guiyuan'): Promise<string> {
  const cookie = await env.login(worker);
  const n = seq++;
  const gender = n % 2 ? 'male' : 'female';
  const res = await env.app.inject({
    method: 'POST', url: '/api/members', headers: { cookie },
    payload: {
      name, idNumber: testIdNumber(n, { birth: '19790305', gender }), status, category: 'in_service', orgId,
      joinedOn: status === 'full' ? '2010-07-01' : '2025-12-01', ...(status === 'full' ? { fullOn: '2011-07-01' } : {}),
    },
  });
  if (res.statusCode !== 201) throw new Error(`member ${name}: ${res.statusCode} ${res.body}`);
  return String(res.json().id);
}

export type Call = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => Promise<{ statusCode: number; body: string; json: () => any }>;

export function caller(env: TestEnv): Call {
  return (cookie, method, url, payload) => env.app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** An instant on a local date in China, at the given hour. */
export const at = (date: string, hour = 9) => `${date}T${String(hour).padStart(2, '0')}:00:00+08:00`;

/**
 * Plans and records a meeting (both through the API) with these members present and the rest of
 * the list absent; returns the recorded meeting.
 */
export async function heldMeeting(call: Call, cookie: string, m: { orgId: string; kind: string; date: string; present: string[]; excused?: string[]; title?: string }) {
  const plan = await call(cookie, 'POST', '/api/life/meetings', { orgId: m.orgId, kind: m.kind, title: m.title ?? `${m.kind} ${m.date}`, startsAt: at(m.date) });
  if (plan.statusCode !== 201) throw new Error(`plan: ${plan.statusCode} ${plan.body}`);
  const attendance = [...m.present.map((memberId) => ({ memberId, status: 'present' })), ...(m.excused ?? []).map((memberId) => ({ memberId, status: 'excused' }))];
  const rec = await call(cookie, 'POST', `/api/life/meetings/${plan.json().id}/record`, { attendance });
  if (rec.statusCode !== 200) throw new Error(`record: ${rec.statusCode} ${rec.body}`);
  return rec.json();
}
