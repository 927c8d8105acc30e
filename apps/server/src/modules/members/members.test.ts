import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { countDifferences, demoBranches, demoUnits, testIdNumber, withWrongCheckDigit } from './members.fixtures.js';
import { activeMembersOf, moveAllMembers } from './members.service.js';

let env: TestEnv;
let gy: string; // Guiyuan street organisation worker
let dx: string; // Dongxiao street organisation worker
let kk: string; // KK100 joint committee secretary (no read_sensitive, no import)
let org: Awaited<ReturnType<typeof demoBranches>>;
let places: Record<string, string>;
let units: Awaited<ReturnType<typeof demoUnits>>;

beforeAll(async () => {
  env = await setupTestEnv();
  const ids = await demoIds(env.database);
  places = ids.places;
  org = await demoBranches(env.database.db, ids.orgs);
  units = await demoUnits(env.database.db, ids.places);
  [gy, dx, kk] = [await env.login('guiyuan'), await env.login('dongxiao'), await env.login('kk100')];
});
afterAll(() => env.close());

const db = () => env.database.db;
const audits = (action: string, targetId?: string) => {
  let q = db().selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq', 'desc').execute();
};
const memberCount = async () => (await db().selectFrom('members').select('id').execute()).length;
const post = (cookie: string, url: string, payload: object) => env.app.inject({ method: 'POST', url, headers: { cookie }, payload });
const get = (cookie: string, url: string) => env.app.inject({ url, headers: { cookie } });

const ZHANG = testIdNumber(1, { birth: '19850612', gender: 'male' });
const LI = testIdNumber(2, { birth: '19900304', gender: 'female' });
const WANG = testIdNumber(3, { birth: '19781120', gender: 'male' });
const base = (over: object = {}) => ({
  name: '张建国', idNumber: ZHANG, phone: '13800138000', status: 'full', joinedOn: '2010-07-01', fullOn: '2011-07-01', category: 'in_service', education: 'bachelor', occupation: '工程师', workUnit: '京基集团',
  skills: ['电工', '急救'], interests: ['书法'], orgId: org.laoweiBranch, residencePlaceId: units.compound, workPlaceId: units.building, ...over,
});

describe('member files', () => {
  let zhang: { id: string };
  let li: { id: string };
  let wang: { id: string };

  it('creates a file with a valid ID: derived birth date and gender, encrypted and masked, counted, audited', async () => {
    const res = await post(gy, '/api/members', base());
    expect(res.statusCode, res.body).toBe(201);
    zhang = res.json();
    expect(res.json()).toMatchObject({ name: '张建国', gender: 'male', birthDate: '1985-06-12', idNumberMasked: `440${'*'.repeat(11)}${ZHANG.slice(-4)}`, phoneMasked: '138****8000', orgName: '老围社区第一党支部', residenceName: '老围测试花园', workPlaceName: '老围测试大厦', state: 'active' });
    expect(res.json().can).toMatchObject({ edit: true, move: true, revealSensitive: true, registerCommunity: true, review: false });
    expect(res.body).not.toContain(ZHANG);
    const row = await db().selectFrom('members').selectAll().where('id', '=', zhang.id).executeTakeFirstOrThrow();
    expect(row.id_number_enc).not.toContain(ZHANG);
    expect(row.phone_enc).not.toContain('13800138000');
    const moves = await db().selectFrom('member_moves').selectAll().where('member_id', '=', zhang.id).execute();
    expect(moves).toMatchObject([{ kind: 'join', from_org_id: null, to_org_id: org.laoweiBranch }]);
    const [entry] = await audits('member.create', zhang.id);
    expect(entry).toMatchObject({ actor_name: 'guiyuan', target_label: '张建国', result: 'ok' });
    expect(JSON.stringify(entry!.changes)).not.toContain(ZHANG);
    expect(JSON.stringify(entry!.changes)).not.toContain('13800138000');
    expect(await countDifferences(db())).toEqual([]);

    li = (await post(gy, '/api/members', base({ name: '李秀英', idNumber: LI, phone: '13900139000', status: 'probationary', joinedOn: '2025-09-01', fullOn: undefined, category: 'retired', orgId: org.xinweiBranch }))).json();
    wang = (await post(kk, '/api/members', base({ name: '王小明', idNumber: WANG, phone: null, category: 'non_public', orgId: org.kkBranch, gender: 'male', birthDate: '1978-11-20' }))).json();
    expect(li).toMatchObject({ gender: 'female', status: 'probationary', fullOn: null });
    expect(wang).toMatchObject({ orgName: '京基100第一联合党支部', phoneMasked: null });
    expect(await countDifferences(db())).toEqual([]);
  });

  it('refuses a wrong check digit (ID_NUMBER_INVALID) and writes nothing', async () => {
    const [members, entries] = [await memberCount(), (await audits('member.create')).length];
    const res = await post(gy, '/api/members', base({ name: '赵六', idNumber: withWrongCheckDigit(testIdNumber(9)) }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'ID_NUMBER_INVALID', message: '身份证号无效：校验位错误', fields: { idNumber: '校验位错误' } });
    const en = await env.app.inject({ method: 'POST', url: '/api/members', headers: { cookie: gy, 'accept-language': 'en' }, payload: base({ idNumber: withWrongCheckDigit(testIdNumber(9)) }) });
    expect(en.json().error.message).toBe('Invalid ID number: wrong check digit');
    expect(await memberCount()).toBe(members);
    expect((await audits('member.create')).length).toBe(entries);
  });

  it('checks gender, birth date and status dates against the ID and the rules', async () => {
    const cases: [object, string, string][] = [
      [{ idNumber: testIdNumber(10), gender: 'female' }, 'gender', '性别与身份证号不一致'],
      [{ idNumber: testIdNumber(11), birthDate: '1985-06-13' }, 'birthDate', '出生日期与身份证号不一致'],
      [{ idNumber: testIdNumber(12), status: 'probationary', fullOn: '2011-07-01' }, 'fullOn', '预备党员没有转正日期'],
      [{ idNumber: testIdNumber(13), fullOn: '2009-01-01' }, 'fullOn', '转正日期不能早于入党日期'],
      [{ idNumber: testIdNumber(14), joinedOn: '2000-01-01', fullOn: null }, 'joinedOn', '入党时须年满 18 周岁'],
      [{ idNumber: testIdNumber(15), residencePlaceId: places['桂园街道'] }, 'residencePlaceId', '请选择社区、小区或楼栋'],
      [{ idNumber: testIdNumber(17), workPlaceId: places['老围社区'] }, 'workPlaceId', '请选择楼宇或企业'],
      [{ idNumber: testIdNumber(16), joinedOn: '2010-02-30' }, 'joinedOn', '请输入有效日期（年-月-日）'],
    ];
    const before = await memberCount();
    for (const [over, field, message] of cases) {
      const res = await post(gy, '/api/members', base(over));
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.json().error.fields[field], JSON.stringify(res.json())).toBe(message);
    }
    expect(await memberCount()).toBe(before);
  });

  it('refuses a duplicate ID number, naming the holder only inside the scope', async () => {
    const mine = await post(gy, '/api/members', base({ name: '张三' }));
    expect(mine.statusCode).toBe(409);
    expect(mine.json().error).toMatchObject({ code: 'ID_NUMBER_DUPLICATE', message: '身份证号已存在（张建国）' });
    const other = await post(dx, '/api/members', base({ name: '张三', orgId: org.dongxiaoBranch }));
    expect(other.json().error).toMatchObject({ code: 'ID_NUMBER_DUPLICATE', message: '身份证号已存在（其他党组织的党员）' });
    expect(other.body).not.toContain('张建国');
  });

  it('refuses organisations that hold no files, are out of scope or are not active', async () => {
    const group = await post(gy, '/api/members', base({ idNumber: testIdNumber(20), orgId: org.laoweiGroup }));
    expect(group.json().error).toMatchObject({ code: 'ORG_HOLDS_NO_MEMBERS', message: '党小组不直接管理党员档案，请选择党支部或党委' });
    expect((await post(gy, '/api/members', base({ idNumber: testIdNumber(21), orgId: org.dongxiaoBranch }))).statusCode).toBe(404);
    expect((await post(kk, '/api/members', base({ idNumber: testIdNumber(22), orgId: org.laoweiBranch }))).statusCode).toBe(404);
  });

  it('lists masked values with what the viewer may do, and reveals the full number only with an audit entry', async () => {
    const list = await get(gy, '/api/members?pageSize=100');
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(3);
    expect(list.body).not.toContain(ZHANG);
    expect(list.body).not.toContain('13800138000');
    const z = list.json().items.find((m: { id: string }) => m.id === zhang.id);
    expect(z).toMatchObject({ idNumberMasked: expect.stringMatching(/^440\*{11}/), phoneMasked: '138****8000', can: { revealSensitive: true } });

    const kkList = await get(kk, '/api/members');
    expect(kkList.json().items.map((m: { name: string }) => m.name)).toEqual(['王小明']);
    expect(kkList.json().items[0].can).toMatchObject({ edit: true, revealSensitive: false });

    const reveal = await get(gy, `/api/members/${zhang.id}/sensitive?field=idNumber`);
    expect(reveal.json()).toEqual({ field: 'idNumber', value: ZHANG });
    const phone = await get(gy, `/api/members/${zhang.id}/sensitive?field=phone`);
    expect(phone.json().value).toBe('13800138000');
    const entries = await audits('member.read_sensitive', zhang.id);
    expect(entries.map((e) => e.changes)).toEqual([{ field: 'phone' }, { field: 'idNumber' }]);
    expect(entries[0]).toMatchObject({ actor_name: 'guiyuan', target_label: '张建国' });
    expect((await get(kk, `/api/members/${wang.id}/sensitive?field=idNumber`)).statusCode).toBe(403);
  });

  it('searches by Chinese name substring, exact ID, exact phone, subtree, category and status, sorted by name', async () => {
    const names = async (qs: string, cookie = gy) => (await get(cookie, `/api/members?${qs}`)).json().items.map((m: { name: string }) => m.name);
    expect(await names(`q=${encodeURIComponent('建国')}`)).toEqual(['张建国']);
    expect(await names(`q=${encodeURIComponent('秀')}`)).toEqual(['李秀英']);
    expect(await names(`q=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await names(`idNumber=${LI.toLowerCase()}`)).toEqual(['李秀英']);
    expect(await names(`idNumber=${LI.slice(0, 17)}`)).toEqual([]);
    expect(await names('phone=13900139000')).toEqual(['李秀英']);
    expect(await names(`orgId=${org.laowei}`)).toEqual(['张建国']);
    expect(await names(`orgId=${org.kk100}`)).toEqual(['王小明']);
    expect(await names('category=retired')).toEqual(['李秀英']);
    expect(await names('status=full&sort=name')).toEqual(['张建国', '王小明'].sort());
    expect(await names('sort=-birthDate')).toEqual(['李秀英', '张建国', '王小明']);
    expect((await get(gy, `/api/members?orgId=${org.dongxiao}`)).statusCode).toBe(404);
    expect(await names('', dx)).toEqual([]);
  });

  it('answers 404 for a file of another street, for reads and writes alike', async () => {
    expect((await get(dx, `/api/members/${zhang.id}`)).statusCode).toBe(404);
    expect((await get(dx, `/api/members/${zhang.id}/sensitive?field=idNumber`)).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'PATCH', url: `/api/members/${zhang.id}`, headers: { cookie: dx }, payload: { occupation: 'x' } })).statusCode).toBe(404);
    expect((await get(dx, '/api/members/999999999')).statusCode).toBe(404);
    expect((await get(kk, `/api/members/${zhang.id}`)).statusCode).toBe(404);
    const denied = await db().selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('actor_name', '=', 'dongxiao').execute();
    expect(denied.length).toBeGreaterThan(0);
  });

  it('updates a file: conversion needs its date, status and category changes move the counts', async () => {
    const patch = (payload: object, id = li.id) => env.app.inject({ method: 'PATCH', url: `/api/members/${id}`, headers: { cookie: gy }, payload });
    const missing = await patch({ status: 'full' });
    expect(missing.json().error.fields).toEqual({ fullOn: '转为正式党员须填写转正日期' });
    const ok = await patch({ status: 'full', fullOn: '2026-01-05', category: 'in_service', phone: '13700137000', skills: ['护理'] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'full', fullOn: '2026-01-05', category: 'in_service', phoneMasked: '137****7000', skills: ['护理'] });
    expect(await countDifferences(db())).toEqual([]);
    const [entry] = await audits('member.update', li.id);
    expect(entry!.changes).toMatchObject({ status: { from: 'probationary', to: 'full' }, category: { from: 'retired', to: 'in_service' }, phone: { from: '139****9000', to: '137****7000' } });
    expect(JSON.stringify(entry!.changes)).not.toContain('13700137000');
    expect((await patch({ gender: 'male' })).json().error.fields).toEqual({ gender: '性别与身份证号不一致' });
    const dup = await patch({ idNumber: ZHANG });
    expect(dup.json().error.code).toBe('ID_NUMBER_DUPLICATE');
  });

  it('moves a member between organisations in scope, keeping the counts exact', async () => {
    const counts = async (orgId: string) => Object.fromEntries((await db().selectFrom('org_counts').select(['dim', 'key', 'n']).where('org_id', '=', orgId).where('dim', 'in', ['members', 'own_members']).execute()).map((r) => [r.dim, r.n]));
    const before = { laowei: await counts(org.laowei), kk: await counts(org.kk100) };
    const res = await post(gy, `/api/members/${zhang.id}/move`, { toOrgId: org.kkBranch, reason: '工作调动' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ orgId: org.kkBranch, orgName: '京基100第一联合党支部' });
    expect(await counts(org.laowei)).toEqual({ ...before.laowei, members: before.laowei.members! - 1 });
    expect((await counts(org.kk100)).members).toBe(before.kk.members! + 1);
    expect(await countDifferences(db())).toEqual([]);
    expect((await audits('member.move', zhang.id))[0]!.changes).toMatchObject({ orgId: { from: org.laoweiBranch, to: org.kkBranch }, reason: '工作调动' });
    // the KK100 secretary now sees the member
    expect((await get(kk, `/api/members/${zhang.id}`)).statusCode).toBe(200);

    expect((await post(gy, `/api/members/${zhang.id}/move`, { toOrgId: org.kkBranch, reason: 'x' })).json().error.code).toBe('MEMBER_SAME_ORG');
    expect((await post(gy, `/api/members/${zhang.id}/move`, { toOrgId: org.dongxiaoBranch, reason: 'x' })).statusCode).toBe(404);
    expect((await post(gy, `/api/members/${zhang.id}/move`, { toOrgId: org.laoweiGroup, reason: 'x' })).json().error.code).toBe('ORG_HOLDS_NO_MEMBERS');
    // the secretary holds the member's organisation but not the target
    expect((await post(kk, `/api/members/${zhang.id}/move`, { toOrgId: org.laoweiBranch, reason: 'x' })).statusCode).toBe(404);
    const file = await get(gy, `/api/members/${zhang.id}`);
    expect(file.json().history.map((h: { kind: string; toOrgName: string }) => [h.kind, h.toOrgName])).toEqual([['join', '老围社区第一党支部'], ['move', '京基100第一联合党支部']]);
    expect(file.json().orgPath.map((p: { name: string }) => p.name)).toContain('京基100大厦联合党委');
    expect(await countDifferences(db())).toEqual([]);
  });

  it('takes a member off the roll: counted no more, listed on request, read-only', async () => {
    const res = await post(kk, `/api/members/${wang.id}/leave`, { state: 'deceased', reason: '病故', on: '2026-02-01' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'deceased', can: { edit: false, move: false } });
    expect(await countDifferences(db())).toEqual([]);
    const names = async (qs: string) => (await get(gy, `/api/members?${qs}`)).json().items.map((m: { name: string }) => m.name);
    expect(await names('')).not.toContain('王小明');
    expect(await names('state=deceased')).toEqual(['王小明']);
    expect(await names('state=all')).toContain('王小明');
    const again = await post(kk, `/api/members/${wang.id}/leave`, { state: 'left', reason: 'x', on: '2026-02-02' });
    expect(again.json().error).toMatchObject({ code: 'MEMBER_NOT_ACTIVE', message: '该党员已不在册（已去世）' });
    const moves = await db().selectFrom('member_moves').selectAll().where('member_id', '=', wang.id).orderBy('id').execute();
    expect(moves.at(-1)).toMatchObject({ kind: 'leave', from_org_id: org.kkBranch, to_org_id: null, reason: '病故' });
    expect((await audits('member.leave', wang.id))[0]!.changes).toMatchObject({ state: { from: 'active', to: 'deceased' }, on: '2026-02-01' });
    const future = await post(gy, `/api/members/${li.id}/leave`, { state: 'transferred_out', reason: 'x', on: '2999-01-01' });
    expect(future.json().error.fields).toEqual({ on: '日期不能晚于今天' });
  });

  it('documents every members endpoint in the OpenAPI document', async () => {
    const doc = (await env.app.inject({ url: '/api/openapi.json' })).json();
    for (const path of ['/api/members', '/api/members/{id}', '/api/members/{id}/sensitive', '/api/members/{id}/move', '/api/members/import/preview', '/api/members/export', '/api/members/difficulty']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/api/members'].get.tags).toEqual(['members']);
    expect(JSON.stringify(doc.paths['/api/members'].post.requestBody)).toContain('GB 11643');
    expect(doc.paths['/api/members/import/commit'].post.summary).toContain('one transaction');
  });

  it('serves other modules: members of one organisation, and moving them all when organisations merge', async () => {
    expect(await activeMembersOf(db(), org.kkBranch)).toEqual({ count: 1, names: ['张建国'] });
    expect(await activeMembersOf(db(), org.laoweiBranch)).toEqual({ count: 0, names: [] });
    const moved = await db().transaction().execute((trx) => moveAllMembers(trx, org.kkBranch, org.laoweiBranch, null, '组织合并'));
    expect(moved).toBe(1);
    expect(await activeMembersOf(db(), org.laoweiBranch, 1)).toEqual({ count: 1, names: ['张建国'] });
    expect(await countDifferences(db())).toEqual([]);
    const last = await db().selectFrom('member_moves').selectAll().where('member_id', '=', zhang.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last).toMatchObject({ kind: 'org_merged', from_org_id: org.kkBranch, to_org_id: org.laoweiBranch, reason: '组织合并' });
    expect(await moveAllMembers(db(), org.kkBranch, org.laoweiBranch, null, 'again')).toBe(0);
    await expect(moveAllMembers(db(), org.laoweiBranch, org.laoweiGroup, null, 'x')).rejects.toMatchObject({ code: 'ORG_HOLDS_NO_MEMBERS' });
    expect(await countDifferences(db())).toEqual([]);
  });
});
