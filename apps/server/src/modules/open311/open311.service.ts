import type { Locale } from '@tongxin/contracts';
import { CASE_STATES } from '@tongxin/contracts';
import type { Database } from '../../db/database.js';
import { recordAudit } from '../../platform/audit.js';
import { createCase, listCategories, searchCases, systemCtx, type CaseSummary } from '../cases/cases.service.js';
import { w3cDate, type Item } from './open311.format.js';
import { clientOfKey } from './open311.keys.js';

// GeoReport v2 over the cases module: categories are services, cases are requests. A POST enters
// the same workflow as any other report, as the system caller open311:<client name>.

type Deps = { database: Database };

/** A failure in the spec's terms: status 400, 403 or 404 with a description. */
export class Open311Error extends Error {
  constructor(readonly status: 400 | 403 | 404, readonly description: string) {
    super(description);
  }
}

export const MAX_ROWS = 1000;
export const DEFAULT_DAYS = 90;
export const MAX_DESCRIPTION = 4000;
const CLOSED_STATES = ['rejected', 'closed', 'rated'];
const OPEN_STATES = Object.keys(CASE_STATES).filter((s) => !CLOSED_STATES.includes(s));

const statusOf = (state: string) => (CLOSED_STATES.includes(state) ? 'closed' : 'open');

/** The categories offered to Open311 clients: active and marked public. */
async function publicCategories(deps: Deps) {
  return (await listCategories(deps.database.db)).filter((c) => c.open311Public);
}

export async function services(deps: Deps, locale: Locale): Promise<Item[]> {
  const categories = await publicCategories(deps);
  return categories.map((c) => ({
    service_code: c.code,
    service_name: locale === 'en' ? c.nameEn : c.name,
    description: c.description,
    metadata: false,
    type: 'realtime',
    keywords: [c.name, c.nameEn, c.code].join(','),
    group: c.group,
  }));
}

/** Definitions exist for services with metadata=true; ours have no extra attributes, so every code answers 404. */
export async function serviceDefinition(deps: Deps, code: string): Promise<never> {
  const known = (await publicCategories(deps)).some((c) => c.code === code);
  throw new Open311Error(404, known ? `service_code ${code} has no attributes (metadata=false)` : `service_code ${code} not found`);
}

function present(c: CaseSummary, locale: Locale): Item {
  const status = statusOf(c.state);
  return {
    service_request_id: c.id,
    status,
    status_notes: CASE_STATES[c.state]?.[locale === 'en' ? 'en' : 'zh'] ?? c.state,
    service_name: locale === 'en' ? c.category.nameEn : c.category.name,
    service_code: c.category.code,
    description: c.description,
    agency_responsible: c.levelPlace.name,
    service_notice: c.number,
    requested_datetime: w3cDate(c.createdAt),
    updated_datetime: w3cDate(c.updatedAt),
    expected_datetime: status === 'open' ? w3cDate(c.dueAt) : null,
    address: c.address,
    address_id: null,
    zipcode: null,
    lat: c.lat,
    long: c.lng,
    media_url: null,
  };
}

export interface RequestQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: Date;
  end_date?: Date;
  status?: string;
}

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

export async function listRequests(deps: Deps, q: RequestQuery, locale: Locale): Promise<Item[]> {
  const { db } = deps.database;
  const ids = list(q.service_request_id);
  if (ids.length) {
    // per spec, service_request_id overrides every other parameter
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id)).slice(0, MAX_ROWS);
    const { items } = await searchCases(db, { ids: valid, limit: MAX_ROWS });
    const open = new Set((await publicCategories(deps)).map((c) => c.code));
    return items.filter((c) => open.has(c.category.code)).map((c) => present(c, locale));
  }
  const end = q.end_date ?? new Date();
  const start = q.start_date ?? new Date(end.getTime() - DEFAULT_DAYS * 86_400_000);
  if (start > end) throw new Open311Error(400, 'start_date must not be after end_date');
  const statuses = list(q.status).map((s) => s.toLowerCase());
  const bad = statuses.find((s) => s !== 'open' && s !== 'closed');
  if (bad) throw new Open311Error(400, `status must be open or closed, not ${bad}`);
  const states = statuses.length === 1 ? (statuses[0] === 'open' ? OPEN_STATES : CLOSED_STATES) : undefined;
  // only the requests of public services; asking for others finds nothing
  const open = (await publicCategories(deps)).map((c) => c.code);
  const asked = list(q.service_code);
  const codes = asked.length ? asked.filter((c) => open.includes(c)) : open;
  if (codes.length === 0) return [];
  const { items } = await searchCases(db, {
    categoryCodes: codes,
    states,
    createdFrom: start,
    createdTo: new Date(end.getTime() + 1),
    sort: '-createdAt',
    limit: MAX_ROWS,
  });
  return items.map((c) => present(c, locale));
}

/** One request of a public service (the others are not there for Open311 clients). */
async function findRequest(deps: Deps, id: string): Promise<CaseSummary[]> {
  if (!/^\d{1,18}$/.test(id)) return [];
  const { items } = await searchCases(deps.database.db, { ids: [id], limit: 1 });
  if (!items.length) return [];
  const open = new Set((await publicCategories(deps)).map((c) => c.code));
  return items.filter((c) => open.has(c.category.code));
}

export async function getRequest(deps: Deps, id: string, locale: Locale): Promise<Item[]> {
  const found = await findRequest(deps, id);
  if (!found.length) throw new Open311Error(404, `service_request_id ${id} not found`);
  return found.map((c) => present(c, locale));
}

/** Requests are created at once, so a token is the request id itself. */
export async function tokenLookup(deps: Deps, token: string): Promise<Item[]> {
  const found = await findRequest(deps, token);
  if (!found.length) throw new Open311Error(404, `token ${token} not found`);
  return [{ service_request_id: found[0]!.id, token }];
}

export interface PostRequest {
  api_key?: string;
  service_code: string;
  lat?: number;
  long?: number;
  address_string?: string;
  address_id?: string;
  description?: string;
  media_url?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone?: string;
  device_id?: string;
  account_id?: string;
}

/** The client behind the api_key, or 403. */
export async function authenticate(deps: Deps, apiKey: string | undefined) {
  const client = await clientOfKey(deps.database.db, apiKey);
  if (!client) throw new Open311Error(403, apiKey ? 'api_key is invalid or revoked' : 'api_key is required');
  return client;
}

export async function postRequest(deps: Deps, body: PostRequest, ip: string, locale: Locale): Promise<Item[]> {
  const client = await authenticate(deps, body.api_key);
  if (body.lat === undefined || body.long === undefined) {
    throw new Open311Error(400, body.address_string || body.address_id ? 'lat and long are required: an address alone cannot be routed to a grid' : 'lat and long (or address_string) are required');
  }
  if (!(await publicCategories(deps)).some((c) => c.code === body.service_code)) throw new Open311Error(400, `service_code ${body.service_code} is not a service of this jurisdiction`);
  const description = body.description ?? '';
  if (description.length > MAX_DESCRIPTION) throw new Open311Error(400, `description is longer than ${MAX_DESCRIPTION} characters`);
  const caller = systemCtx(`open311:${client.name}`, ip, locale);
  const created = await createCase(deps, caller, {
    categoryCode: body.service_code,
    description,
    lng: body.long,
    lat: body.lat,
    address: body.address_string,
    source: 'open311',
    sourceRef: body.device_id ? `device:${body.device_id}`.slice(0, 200) : undefined,
  });
  await recordAudit(deps.database.db, {
    actorName: caller.system, action: 'open311.request.create', targetType: 'case', targetId: created.id, targetLabel: created.number, ip,
    changes: { client: client.id, serviceCode: body.service_code, mediaUrl: body.media_url ?? null, contact: !!(body.email || body.phone || body.first_name || body.last_name) },
  });
  const notice = locale === 'en' ? `Received as case ${created.number}; routed to ${created.grid.name}` : `已受理，案件编号 ${created.number}，已分派至${created.grid.name}`;
  return [{ service_request_id: created.id, service_notice: notice, account_id: null }];
}
