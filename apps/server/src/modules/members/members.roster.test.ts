import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { countDifferences, demoBranches, demoUnits, testIdNumber, withWrongCheckDigit } from './members.fixtures.js';

let env: TestEnv;
let gy: string;
let kk: string;
let org: Awaited<ReturnType<typeof demoBranches>>;
let units: Awaited<ReturnType<typeof demoUnits>>;

beforeAll(async () => {
  env = await setupTestEnv();
  const ids = await demoIds(env.database);
  org = await demoBranches(env.database.db, ids.orgs);
  units = await demoUnits(env.database.db, ids.places);
  [gy, kk] = [await env.login('guiyuan'), await env.login('kk100')];
});
afterAll(() => env.close());

const db = () => env.database.db;
const memberCount = async () => (await db().selectFrom('members').select('id').execute()).length;
const audits = (action: string) => db().selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq', 'desc').execute();

function multipart(file: Buffer, filename = 'roster.xlsx') {
  const boundary = `----tongxin${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`;
  return { payload: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const upload = (step: 'preview' | 'commit', file: Buffer, cookie = gy, lang?: string) => {
  const m = multipart(file);
  return env.app.inject({ method: 'POST', url: `/api/members/import/${step}`, payload: m.payload, headers: { ...m.headers, cookie, ...(lang ? { 'accept-language': lang } : {}) } });
};

type Row = (string | number | Date | null)[];
const HEADERS = ['姓名', '性别', '身份证号', '手机号', '党员状态', '入党日期', '转正日期', '人员类别', '学历', '职业', '工作单位', '技能特长', '兴趣爱好', '所在党组织', '居住社区'];

/** A roster written the way users fill the template: the template itself, rows from row 2. */
async function roster(rows: (Row | null)[]): Promise<Buffer> {
  const res = await env.app.inject({ url: '/api/members/import/template', headers: { cookie: gy } });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  rows.forEach((r, i) => {
    if (r) r.forEach((v, c) => (ws.getRow(i + 2).getCell(c + 1).value = v));
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const row = (seq: number, over: Partial<Record<(typeof HEADERS)[number], string | number | Date | null>> = {}): Row => {
  const base: Record<string, string | number | Date | null> = {
    姓名: `党员${seq}`, 性别: '男', 身份证号: testIdNumber(seq, { birth: '19800101' }), 手机号: `1380000${String(seq).padStart(4, '0')}`, 党员状态: '正式', 入党日期: new Date(Date.UTC(2005, 6, 1)), 转正日期: '2006-07-01',
    人员类别: '在职党员', 学历: '大学本科', 职业: '工程师', 工作单位: '京基集团', 技能特长: '电工、急救', 兴趣爱好: '书法,摄影', 所在党组织: '老围社区第一党支部', 居住社区: '老围社区',
  };
  const merged = { ...base, ...over };
  return HEADERS.map((h) => merged[h] ?? null);
};

describe('roster import (MEM-11)', () => {
  it('serves a template with Chinese headers and dropdowns for the enumerated columns', async () => {
    const res = await env.app.inject({ url: '/api/members/import/template', headers: { cookie: gy } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(ws.getCell('B2').dataValidation).toMatchObject({ type: 'list', formulae: ['"男,女"'] });
    expect(ws.getCell('E500').dataValidation).toMatchObject({ type: 'list', formulae: ['"正式,预备"'] });
    expect(ws.getCell('H2').dataValidation.formulae[0]).toContain('在职党员');
    expect(ws.getCell('I2').dataValidation.formulae[0]).toContain('大学本科');
    expect(ws.getCell('A2').dataValidation).toBeUndefined();
    expect((await env.app.inject({ url: '/api/members/import/template', headers: { cookie: kk } })).statusCode).toBe(403);
  });

  it('previews row-level errors in the user’s language, with Excel row numbers, and writes nothing', async () => {
    const existing = await env.app.inject({ method: 'POST', url: '/api/members', headers: { cookie: gy }, payload: { name: '已在册', idNumber: testIdNumber(90, { birth: '19800101' }), status: 'full', joinedOn: '2005-07-01', category: 'retired', orgId: org.laoweiBranch } });
    expect(existing.statusCode).toBe(201);
    const file = await roster([
      row(1),
      row(2, { 身份证号: withWrongCheckDigit(testIdNumber(2, { birth: '19800101' })) }),
      row(3, { 身份证号: testIdNumber(1, { birth: '19800101' }) }),
      row(4, { 身份证号: testIdNumber(90, { birth: '19800101' }) }),
      row(5, { 人员类别: '公务员', 入党日期: '2005-13-01' }),
      row(6, { 所在党组织: '东晓社区第一党支部' }),
      null,
      row(7, { 性别: '女' }),
      row(8, { 身份证号: 440303198001010000 }),
      row(9, { 姓名: null, 党员状态: '预备' }),
    ]);
    const [members, entries] = [await memberCount(), (await db().selectFrom('audit_log').select('seq').execute()).length];
    const res = await upload('preview', file);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ rows: 9, valid: 1 });
    expect(body.sample).toEqual([expect.objectContaining({ row: 2, name: '党员1', gender: 'male', birthDate: '1980-01-01', status: 'full', joinedOn: '2005-07-01', category: 'in_service', orgName: '老围社区第一党支部', residenceName: '老围社区' })]);
    expect(body.sample[0].idNumberMasked).toMatch(/^440\*{11}\w{4}$/);
    expect(res.body).not.toContain(testIdNumber(1, { birth: '19800101' }));
    const messages = body.errors.map((e: { message: string }) => e.message);
    expect(messages).toEqual([
      '第3行: 身份证号校验位错误',
      '第4行: 身份证号与第2行重复',
      '第5行: 身份证号已在党员档案中',
      '第6行: 人员类别“公务员”不是可选值',
      '第6行: 入党日期不是有效日期',
      '第7行: 所在党组织“东晓社区第一党支部”不存在或不在您的管理范围内',
      '第9行: 性别与身份证号不一致',
      '第10行: 身份证号须以文本格式填写（数字格式会丢失末几位）',
      '第11行: 姓名不能为空',
      '第11行: 预备党员没有转正日期',
    ]);
    expect(body.errors[0]).toMatchObject({ row: 3, column: '身份证号', code: 'ID_NUMBER_INVALID' });
    expect(body.errors[8]).toMatchObject({ row: 11, column: '姓名', code: 'REQUIRED' });
    const en = await upload('preview', file, gy, 'en-US,en;q=0.9');
    expect(en.json().errors[0]).toMatchObject({ row: 3, column: '身份证号', message: 'Row 3: ID number: wrong check digit' });
    expect(await memberCount()).toBe(members);
    expect((await db().selectFrom('audit_log').select('seq').execute()).length).toBe(entries);

    const commit = await upload('commit', file);
    expect(commit.statusCode).toBe(409);
    expect(commit.json().error).toMatchObject({ code: 'IMPORT_HAS_ERRORS', message: '文件有 8 行错误，未导入任何数据', params: { count: 8 } });
    expect(await memberCount()).toBe(members);
  });

  it('commits nothing when a single row of a large file is wrong', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(100 + i));
    rows[37] = row(137, { 转正日期: '2004-01-01' });
    const before = await memberCount();
    const res = await upload('commit', await roster(rows));
    expect(res.json().error).toMatchObject({ code: 'IMPORT_HAS_ERRORS', params: { count: 1, errors: [{ row: 39, column: '转正日期', message: '第39行: 转正日期不能早于入党日期' }] } });
    expect(await memberCount()).toBe(before);
    expect(await audits('member.import')).toHaveLength(0);
  });

  it('imports an all-valid file in one transaction: files, join history, counts and one audit entry', async () => {
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => row(200 + i, { 入党日期: ['2005-07-01', '2005/7/1', '2005年7月1日', 20050701, new Date(Date.UTC(2005, 6, 1))][i % 5]! })),
      ...Array.from({ length: 10 }, (_, i) => row(300 + i, { 所在党组织: org.kkBranch, 人员类别: '非公企业', 党员状态: '预备', 转正日期: null, 入党日期: '2025-10-01', 学历: null, 居住社区: '老围测试花园', 工作单位: '老围测试大厦', 性别: i % 2 ? '男' : '女', 身份证号: testIdNumber(300 + i, { birth: '19950505', gender: i % 2 ? 'male' : 'female' }) })),
    ];
    const file = await roster(rows);
    const preview = await upload('preview', file);
    expect(preview.json()).toMatchObject({ rows: 35, valid: 35, errors: [] });
    expect(preview.json().sample).toHaveLength(20);
    const before = await memberCount();
    const res = await upload('commit', file);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ imported: 35, orgIds: [org.laoweiBranch, org.kkBranch].sort((a, b) => Number(a) - Number(b)) });
    expect(await memberCount()).toBe(before + 35);
    expect(await countDifferences(db())).toEqual([]);
    const imported = await db().selectFrom('members').selectAll().where('name', 'like', '党员%').execute();
    expect(imported).toHaveLength(35);
    expect(new Set(imported.map((m) => m.joined_on))).toEqual(new Set(['2005-07-01', '2025-10-01']));
    const kkRow = imported.find((m) => m.name === '党员301')!;
    expect(kkRow).toMatchObject({ org_id: org.kkBranch, status: 'probationary', full_on: null, category: 'non_public', gender: 'male', birth_date: '1995-05-05' });
    expect(imported.find((m) => m.name === '党员200')!).toMatchObject({ skills: ['电工', '急救'], interests: ['书法', '摄影'], education: 'bachelor', work_place_id: null });
    // a work unit named exactly like an office building is linked to it; a compound is a residence too
    expect(imported.find((m) => m.name === '党员301')!).toMatchObject({ work_unit: '老围测试大厦', work_place_id: units.building, residence_place_id: units.compound });
    const joins = await db().selectFrom('member_moves').select('kind').where('reason', '=', 'import').execute();
    expect(joins).toHaveLength(35);
    const [entry] = await audits('member.import');
    expect(entry).toMatchObject({ actor_name: 'guiyuan', changes: { count: 35, orgIds: res.json().orgIds } });
    expect(JSON.stringify(entry!.changes)).not.toMatch(/\d{17}[\dX]/);
    // the same file again: every row is now a duplicate
    const again = await upload('commit', file);
    expect(again.json().error).toMatchObject({ code: 'IMPORT_HAS_ERRORS', params: { count: 35 } });
  });

  it('refuses unreadable files, missing columns, and accounts without the import permission', async () => {
    const junk = await upload('preview', Buffer.from('not a spreadsheet'));
    expect(junk.json().error).toMatchObject({ code: 'FILE_INVALID', message: '文件无法读取：不是有效的 .xlsx 文件' });
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').addRow(['姓名', '性别']);
    const partial = await upload('preview', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(partial.json().error.message).toBe('文件无法读取：缺少必填列：身份证号、党员状态、入党日期、人员类别、所在党组织');
    const none = await env.app.inject({ method: 'POST', url: '/api/members/import/preview', headers: { cookie: gy }, payload: {} });
    expect(none.json().error.code).toBe('FILE_INVALID');
    expect((await upload('preview', await roster([row(400)]), kk)).statusCode).toBe(403);
  });

  it('reads files of its own making: headers with hints or marks, columns in any order, English headers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('花名册');
    ws.addRow(['所在党组织（名称或编号 id）', '*姓名', '身份证号', 'Gender', '党员状态(正式/预备)', '入党日期', '人员类别']);
    ws.addRow([org.xinweiBranch, '自制表', testIdNumber(410, { birth: '19800101', gender: 'female' }), '女', '正式党员', '2005-07-01', 'retired']);
    const res = await upload('preview', Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.json()).toMatchObject({ rows: 1, valid: 1, errors: [], sample: [{ name: '自制表', gender: 'female', category: 'retired', orgName: '新围社区第一党支部' }] });
  });
});

describe('roster export', () => {
  const load = async (payload: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(payload as unknown as ArrayBuffer);
    return wb.worksheets[0]!;
  };

  it('exports the filtered list masked, and unmasked only with the permission, each audited', async () => {
    const masked = await env.app.inject({ url: `/api/members/export?orgId=${org.kk100}`, headers: { cookie: gy } });
    expect(masked.statusCode, masked.body).toBe(200);
    const ws = await load(masked.rawPayload);
    expect((ws.getRow(1).values as unknown[]).slice(1, 16)).toEqual(HEADERS);
    expect(ws.rowCount).toBe(11);
    const ids = Array.from({ length: 10 }, (_, i) => String(ws.getRow(i + 2).getCell(3).value));
    expect(ids.every((v) => /^440\*{11}\w{4}$/.test(v))).toBe(true);
    expect(String(ws.getRow(2).getCell(4).value)).toMatch(/^138\*{4}\d{4}$/);
    expect((await audits('member.export'))[0]).toMatchObject({ actor_name: 'guiyuan', changes: { rows: 10, filter: { orgId: org.kk100 } } });

    const full = await env.app.inject({ url: `/api/members/export?orgId=${org.kk100}&unmask=1&sort=name`, headers: { cookie: gy } });
    const ws2 = await load(full.rawPayload);
    const fullIds = Array.from({ length: 10 }, (_, i) => String(ws2.getRow(i + 2).getCell(3).value));
    expect(new Set(fullIds)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => testIdNumber(300 + i, { birth: '19950505', gender: i % 2 ? 'male' : 'female' }))));
    expect(String(ws2.getRow(2).getCell(4).value)).toMatch(/^1380000\d{4}$/);
    const [entry] = await audits('member.export_unmasked');
    expect(entry).toMatchObject({ actor_name: 'guiyuan', changes: { rows: 10 } });
    expect(JSON.stringify(entry!.changes)).not.toMatch(/\d{17}[\dX]/);

    // the export has the template's layout: an unmasked export reads back as 10 duplicates and nothing else
    const back = await upload('preview', Buffer.from(full.rawPayload));
    expect(back.json()).toMatchObject({ rows: 10, valid: 0 });
    expect(new Set(back.json().errors.map((e: { code: string }) => e.code))).toEqual(new Set(['ID_NUMBER_DUPLICATE']));

    // the KK100 secretary exports its own scope, masked only
    const kkExport = await env.app.inject({ url: '/api/members/export', headers: { cookie: kk } });
    expect((await load(kkExport.rawPayload)).rowCount).toBe(11);
    const refused = await env.app.inject({ url: '/api/members/export?unmask=1', headers: { cookie: kk } });
    expect(refused.statusCode).toBe(403);
    expect((await audits('member.export_unmasked')).filter((e) => e.actor_name === 'kk100')).toHaveLength(0);
  });
});
