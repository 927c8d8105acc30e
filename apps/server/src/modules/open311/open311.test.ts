import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from '../cases/cases.fixtures.js';

// Open311 GeoReport v2 (CASE-7): discovery, services, requests (GET and POST with an API key),
// the spec's error format, empty parameters, the 90-day window and XML escaping.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
let apiKey: string;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
  const res = await h.expectOk(await h.call('sysadmin', 'POST', '/api/open311/keys', { name: 'city-app' }), 201);
  apiKey = res.json().key;
});
afterAll(() => env.close());

const get = (url: string) => env.app.inject({ method: 'GET', url });
const form = (url: string, fields: Record<string, string>) =>
  env.app.inject({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function post(fields: Record<string, string>, format = 'json') {
  return form(`/open311/v2/requests.${format}`, fields);
}

describe('API keys', () => {
  it('are issued, listed without the key, revoked and audited by the system administrator only', async () => {
    const created = await h.expectOk(await h.call('sysadmin', 'POST', '/api/open311/keys', { name: 'temp' }), 201);
    const { id, key } = created.json();
    expect(key).toMatch(/^[\w-]{43}$/);
    const list = (await h.expectOk(await h.call('sysadmin', 'GET', '/api/open311/keys'))).json().items;
    expect(list.find((k: { id: string }) => k.id === id)).toMatchObject({ name: 'temp', createdBy: 'sysadmin', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(key);
    expect((await h.call('gy_command', 'GET', '/api/open311/keys')).statusCode).toBe(403);
    await h.expectOk(await env.app.inject({ method: 'DELETE', url: `/api/open311/keys/${id}`, headers: { cookie: await h.cookieOf('sysadmin') } }));
    expect((await post({ api_key: key, service_code: 'sanitation', lat: '22.5', long: '114.1', description: 'x' })).statusCode).toBe(403);
    const audits = await env.database.db.selectFrom('audit_log').select('action').where('target_id', '=', id).orderBy('seq').execute();
    expect(audits.map((a) => a.action)).toEqual(['open311.key.create', 'open311.key.revoke']);
  });
});

describe('GeoReport v2', () => {
  it('serves discovery in JSON and XML', async () => {
    const json = await get('/open311/v2/discovery.json');
    expect(json.statusCode).toBe(200);
    expect(json.json().endpoints[0]).toMatchObject({ specification: 'http://wiki.open311.org/GeoReport_v2', type: 'production', formats: ['text/xml', 'application/json'] });
    const xml = await get('/open311/v2/discovery.xml');
    expect(xml.headers['content-type']).toContain('text/xml');
    expect(xml.body).toContain('<discovery><changeset>');
    expect(xml.body).toContain('<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>');
    expect(xml.body).toContain('<formats><format>text/xml</format><format>application/json</format></formats>');
  });

  it('lists case categories as services in JSON and XML', async () => {
    const services = (await get('/open311/v2/services.json')).json();
    const sanitation = services.find((s: { service_code: string }) => s.service_code === 'sanitation');
    expect(sanitation).toMatchObject({ metadata: false, type: 'realtime' });
    expect(typeof sanitation.service_name).toBe('string');
    expect(typeof sanitation.group).toBe('string');
    const xml = (await get('/open311/v2/services.xml')).body;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>/);
    expect(xml).toContain('<service_code>sanitation</service_code>');
    expect(xml).toContain('<metadata>false</metadata><type>realtime</type>');
    const def = await get('/open311/v2/services/sanitation.xml');
    expect(def.statusCode).toBe(404);
    expect(def.body).toContain('<errors><error><code>404</code><description>');
  });

  it('refuses a POST without a key with 403 in the spec format', async () => {
    const res = await post({ service_code: 'sanitation', lat: '22.5', long: '114.1', description: 'no key' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual([{ code: 403, description: 'api_key is required' }]);
    const xml = await post({ api_key: 'wrong', service_code: 'sanitation' }, 'xml');
    expect(xml.statusCode).toBe(403);
    expect(xml.body).toContain('<errors><error><code>403</code><description>api_key is invalid or revoked</description></error></errors>');
  });

  it('refuses a description over 4,000 characters, a missing location and an unknown service with 400', async () => {
    const at = await h.centreOf('老围第1网格');
    const long = await post({ api_key: apiKey, service_code: 'sanitation', lat: String(at.lat), long: String(at.lng), description: 'x'.repeat(4001) });
    expect(long.statusCode).toBe(400);
    expect(long.json()[0]).toMatchObject({ code: 400, description: expect.stringContaining('4000') });
    const addressOnly = await post({ api_key: apiKey, service_code: 'sanitation', address_string: '老围社区3栋', description: 'x' });
    expect([addressOnly.statusCode, addressOnly.json()[0].code]).toEqual([400, 400]);
    const unknown = await post({ api_key: apiKey, service_code: 'no_such', lat: String(at.lat), long: String(at.lng), description: 'x' });
    expect([unknown.statusCode, unknown.json()[0].code]).toEqual([400, 400]);
    const outside = await post({ api_key: apiKey, service_code: 'sanitation', lat: '0.5', long: '0.5', description: 'x' });
    expect(outside.statusCode).toBe(400);
  });

  it('creates a case in the same workflow, visible through requests/{id} as open', async () => {
    const at = await h.centreOf('老围第1网格');
    const res = await post({ api_key: apiKey, service_code: 'sanitation', lat: String(at.lat), long: String(at.lng), address_string: '老围社区3栋楼道', description: '楼道堆满杂物 <&> "quoted"', email: 'a@example.org', first_name: '', media_url: '' });
    expect(res.statusCode).toBe(201);
    const [created] = res.json();
    expect(created).toMatchObject({ service_request_id: expect.stringMatching(/^\d+$/), account_id: null });
    expect(created.service_notice).toContain('老围第1网格');
    const id = created.service_request_id as string;
    expect(await h.caseRow(id)).toMatchObject({ source: 'open311', state: 'received', reporter_label: 'system:open311:city-app' });

    const one = (await get(`/open311/v2/requests/${id}.json`)).json();
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ service_request_id: id, status: 'open', service_code: 'sanitation', description: '楼道堆满杂物 <&> "quoted"', lat: at.lat, long: at.lng, address: '老围社区3栋楼道' });
    expect(one[0].requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

    const xml = (await get(`/open311/v2/requests/${id}.xml`)).body;
    expect(xml).toContain('<description>楼道堆满杂物 &lt;&amp;&gt; &quot;quoted&quot;</description>');
    expect(xml).not.toContain('<&>');
    expect(xml).toContain('<status>open</status>');

    expect((await get(`/open311/v2/tokens/${id}.json`)).json()).toEqual([{ service_request_id: id, token: id }]);
    expect((await get('/open311/v2/requests/999999999.json')).statusCode).toBe(404);
    expect((await get('/open311/v2/requests/abc.xml')).body).toContain('<code>404</code>');

    // the command centre files it like any other report
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/file`, {}));
    expect((await get(`/open311/v2/requests.json?service_request_id=${id},123456789`)).json().map((r: { service_request_id: string }) => r.service_request_id)).toEqual([id]);
  });

  it('treats empty parameters as absent and keeps to the last 90 days by default', async () => {
    const at = await h.centreOf('老围第2网格');
    const [fresh] = (await post({ api_key: apiKey, service_code: 'sanitation', lat: String(at.lat), long: String(at.lng), description: '新的' })).json();
    const [old] = (await post({ api_key: apiKey, service_code: 'sanitation', lat: String(at.lat), long: String(at.lng), description: '旧的' })).json();
    const longAgo = new Date(Date.now() - 120 * 86_400_000);
    await env.database.db.updateTable('cases').set({ created_at: longAgo, updated_at: longAgo }).where('id', '=', old.service_request_id).execute();

    const res = await get('/open311/v2/requests.json?service_request_id=&service_code=&start_date=&end_date=&status=');
    expect(res.statusCode).toBe(200);
    const ids = res.json().map((r: { service_request_id: string }) => r.service_request_id);
    expect(ids).toContain(fresh.service_request_id);
    expect(ids).not.toContain(old.service_request_id);

    const window = `start_date=${encodeURIComponent(new Date(longAgo.getTime() - 86_400_000).toISOString())}&end_date=${encodeURIComponent(new Date(longAgo.getTime() + 86_400_000).toISOString())}`;
    expect((await get(`/open311/v2/requests.json?${window}`)).json().map((r: { service_request_id: string }) => r.service_request_id)).toEqual([old.service_request_id]);
    expect((await get('/open311/v2/requests.json?status=closed')).json()).toEqual([]);
    const open = (await get('/open311/v2/requests.json?status=open&service_code=sanitation')).json();
    expect(open.every((r: { status: string; service_code: string }) => r.status === 'open' && r.service_code === 'sanitation')).toBe(true);
    expect((await get('/open311/v2/requests.json?status=pending')).statusCode).toBe(400);
    const bad = await get('/open311/v2/requests.xml?start_date=yesterday');
    expect([bad.statusCode, bad.body.includes('<errors><error><code>400</code>')]).toEqual([400, true]);
  });

  it('answers unknown paths under /open311 with 404 in the spec format', async () => {
    const res = await get('/open311/v2/nothing.json');
    expect(res.statusCode).toBe(404);
    expect(res.json()[0].code).toBe(404);
  });
});

describe('public services (a per-category switch)', () => {
  it('lists only categories marked public, refuses POSTs and hides requests of the others; the console saves the switch', async () => {
    const at = await h.centreOf('老围第1网格');
    const [req] = (await h.expectOk(await post({ api_key: apiKey, service_code: 'utilities', lat: String(at.lat), long: String(at.lng), description: '路灯不亮' }), 201)).json();
    const categories = (await h.expectOk(await h.call('gy_command', 'GET', '/api/cases/categories?all=1'))).json();
    expect(categories.every((c: { open311Public: boolean }) => c.open311Public === true)).toBe(true); // existing categories default to public
    const utilities = categories.find((c: { code: string }) => c.code === 'utilities');

    // the console's category form: switch it off (other fields as they were)
    const { code: _code, open311Public: _p, ...rest } = utilities;
    const saved = (await h.expectOk(await h.call('gy_command', 'PUT', '/api/cases/categories/utilities', { ...rest, open311Public: false }))).json();
    expect(saved.open311Public).toBe(false);
    // a save without the field keeps it
    expect((await h.expectOk(await h.call('gy_command', 'PUT', '/api/cases/categories/utilities', rest))).json().open311Public).toBe(false);
    const audit = await env.database.db.selectFrom('audit_log').select('changes').where('action', '=', 'case.category_save').where('target_label', '=', 'utilities').orderBy('seq').execute();
    expect(audit[0]!.changes).toMatchObject({ open311Public: false });

    const services = (await get('/open311/v2/services.json')).json().map((s: { service_code: string }) => s.service_code);
    expect(services).toContain('sanitation');
    expect(services).not.toContain('utilities');
    expect((await get('/open311/v2/services.xml')).body).not.toContain('<service_code>utilities</service_code>');
    const refused = await post({ api_key: apiKey, service_code: 'utilities', lat: String(at.lat), long: String(at.lng), description: '路灯不亮' });
    expect([refused.statusCode, refused.json()[0].code, refused.json()[0].description]).toEqual([400, 400, 'service_code utilities is not a service of this jurisdiction']);
    expect((await get(`/open311/v2/requests/${req.service_request_id}.json`)).statusCode).toBe(404);
    expect((await get(`/open311/v2/requests.json?service_request_id=${req.service_request_id}`)).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json?service_code=utilities')).json()).toEqual([]);
    expect((await get('/open311/v2/requests.json')).json().some((r: { service_code: string }) => r.service_code === 'utilities')).toBe(false);
    // the public case routes and the staff pages still offer it
    expect((await get('/api/cases/categories')).json().some((c: { code: string }) => c.code === 'utilities')).toBe(true);

    await h.expectOk(await h.call('gy_command', 'PUT', '/api/cases/categories/utilities', { ...rest, open311Public: true }));
    expect((await get('/open311/v2/services.json')).json().some((s: { service_code: string }) => s.service_code === 'utilities')).toBe(true);
    expect((await get(`/open311/v2/requests/${req.service_request_id}.json`)).statusCode).toBe(200);
  });

  it('a new category is public unless switched off', async () => {
    const created = (await h.expectOk(await h.call('gy_command', 'POST', '/api/cases/categories', { code: 'stray_animals', name: '流浪动物', nameEn: 'Stray animals', defaultPriority: 'general', anonymousAllowed: true }), 201)).json();
    expect(created.open311Public).toBe(true);
    const hidden = (await h.expectOk(await h.call('gy_command', 'POST', '/api/cases/categories', { code: 'internal_only', name: '内部事项', nameEn: 'Internal', defaultPriority: 'general', anonymousAllowed: false, open311Public: false }), 201)).json();
    expect(hidden.open311Public).toBe(false);
    const services = (await get('/open311/v2/services.json')).json().map((s: { service_code: string }) => s.service_code);
    expect(services).toContain('stray_animals');
    expect(services).not.toContain('internal_only');
    expect((await get('/open311/v2/services/internal_only.json')).json()[0].description).toBe('service_code internal_only not found');
  });
});

describe('rate limits of POST requests', () => {
  const postFrom = (ip: string, fields: Record<string, string>, format = 'json') =>
    env.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: ip });

  it('per API key: the 31st POST in a minute hears 429 in the spec format with Retry-After; other keys are not affected', async () => {
    const key = (await h.expectOk(await h.call('sysadmin', 'POST', '/api/open311/keys', { name: 'busy-app' }), 201)).json().key as string;
    const statuses: number[] = [];
    // spread over addresses so that only the key's limit applies; a missing location still counts
    for (let i = 0; i < 30; i++) statuses.push((await postFrom(`10.31.0.${i + 1}`, { api_key: key, service_code: 'sanitation', description: 'x' })).statusCode);
    expect(statuses.every((s) => s === 400)).toBe(true);
    const limited = await postFrom('10.31.1.1', { api_key: key, service_code: 'sanitation', description: 'x' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual([{ code: 429, description: expect.stringContaining('per api_key') }]);
    const xml = await postFrom('10.31.1.2', { api_key: key, service_code: 'sanitation', description: 'x' }, 'xml');
    expect([xml.statusCode, xml.body.includes('<errors><error><code>429</code>')]).toEqual([429, true]);
    // another client is not affected
    const other = await postFrom('10.31.1.3', { api_key: apiKey, service_code: 'sanitation', description: 'x' });
    expect(other.statusCode).toBe(400);
  });

  it('per client address, before the key is checked, across server instances: the 61st POST in a minute hears 429', async () => {
    const statuses: number[] = [];
    // half of them through a second instance: the limit is counted in the database, for all instances
    const second = await env.secondApp();
    for (let i = 0; i < 30; i++) statuses.push((await second.inject({ method: 'POST', url: '/open311/v2/requests.json', payload: new URLSearchParams({ api_key: `guess-${i}`, service_code: 'sanitation' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '10.32.0.1' })).statusCode);
    for (let i = 30; i < 60; i++) statuses.push((await postFrom('10.32.0.1', { api_key: `guess-${i}`, service_code: 'sanitation' })).statusCode);
    expect(statuses.every((s) => s === 403)).toBe(true);
    const limited = await postFrom('10.32.0.1', { api_key: apiKey, service_code: 'sanitation' });
    expect([limited.statusCode, limited.json()[0].code]).toEqual([429, 429]);
    expect(limited.json()[0].description).toContain('per client address');
    // reads are not limited here
    expect((await env.app.inject({ method: 'GET', url: '/open311/v2/services.json', remoteAddress: '10.32.0.1' })).statusCode).toBe(200);
    expect((await postFrom('10.32.0.2', { api_key: apiKey, service_code: 'sanitation' })).statusCode).toBe(400);
  });
});
