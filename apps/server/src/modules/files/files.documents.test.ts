import JSZip from 'jszip';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from '../cases/cases.fixtures.js';
import { caller, staffWithScope } from '../feed/feed.fixtures.js';
import { demoBranches, memberWithLogin } from '../members/members.fixtures.js';
import { multipart } from './files.fixtures.js';
import { documentName } from './files.document.js';

// Documents (PDF, Word, Excel, PowerPoint) for notices and meeting records: the type from the bytes,
// macros and scripts refused, the name kept, served as a download to those who may see the notice,
// and never attached to a case.

let env: TestEnv;
let dataDir: string;
let call: ReturnType<typeof caller>;
let b: Awaited<ReturnType<typeof demoBranches>>;
let secretary: string;
let laowei: { memberId: string; cookie: string };
let xinwei: { memberId: string; cookie: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tongxin-docs-'));
  env = await setupTestEnv({ config: { TONGXIN_DATA_DIR: dataDir } });
  call = caller(env);
  b = await demoBranches(env.database.db, (await demoIds(env.database)).orgs);
  secretary = await staffWithScope(env, 'lw_doc_sec', 'branch_secretary', b.laoweiBranch);
  laowei = await memberWithLogin(env, { orgId: b.laoweiBranch, name: '王老围' });
  xinwei = await memberWithLogin(env, { orgId: b.xinweiBranch, name: '赵新围' });
});
afterAll(async () => {
  await env.close();
  await rm(dataDir, { recursive: true, force: true });
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

async function ooxml(entries: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(entries)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}
const docx = (extra: Record<string, string> = {}) => ooxml({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>', ...extra });

async function upload(cookie: string, name: string, bytes: Buffer, type = 'application/octet-stream') {
  const m = multipart('file', name, type, bytes);
  return env.app.inject({ method: 'POST', url: '/api/files/documents', payload: m.payload, headers: { ...m.headers, cookie } });
}
const fileCount = async () => (await env.database.db.selectFrom('files').select('id').execute()).length;

describe('document upload', () => {
  it('takes PDF and Office documents by their bytes, keeps the name, and audits the upload', async () => {
    const pdf = await upload(secretary, '关于开展主题党日活动的通知.pdf', PDF, 'application/pdf');
    expect(pdf.statusCode, pdf.body).toBe(201);
    expect(pdf.json()).toMatchObject({ mime: 'application/pdf', name: '关于开展主题党日活动的通知.pdf', size: PDF.length });
    // the declared type and the extension do not matter: the bytes do
    const word = await upload(secretary, 'C:\\Users\\书记\\会议纪要.pdf', await docx());
    expect(word.json()).toMatchObject({ mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', name: '会议纪要.docx' });
    const sheet = await upload(secretary, '党费.xlsx', await ooxml({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }));
    expect(sheet.json().mime).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const audit = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'file.upload').where('target_id', '=', pdf.json().id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_name: 'lw_doc_sec', result: 'ok', target_label: '关于开展主题党日活动的通知.pdf' });
    expect(audit.changes).toMatchObject({ mime: 'application/pdf', document: true });
  });

  it('refuses other types, macros and scripts with clear errors, stores nothing, and audits the refusal', async () => {
    const before = await fileCount();
    const cases: [string, Buffer, number, string][] = [
      ['setup.exe', Buffer.from('MZ\x90\x00 this program cannot be run in DOS mode', 'latin1'), 415, 'FILE_DOCUMENT_TYPE'],
      ['old.doc', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]), 415, 'FILE_DOCUMENT_TYPE'],
      ['archive.zip', await ooxml({ 'a.txt': 'x' }), 415, 'FILE_DOCUMENT_TYPE'],
      ['broken.docx', Buffer.from('PK\x03\x04 not really a zip', 'latin1'), 415, 'FILE_DOCUMENT_TYPE'],
      ['macro.docx', await docx({ 'word/vbaProject.bin': 'Attribute VB_Name' }), 400, 'FILE_DOCUMENT_ACTIVE'],
      ['script.pdf', Buffer.from('%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF', 'latin1'), 400, 'FILE_DOCUMENT_ACTIVE'],
    ];
    for (const [name, bytes, status, code] of cases) {
      const res = await upload(secretary, name, bytes);
      expect([name, res.statusCode, res.json().error.code]).toEqual([name, status, code]);
    }
    const macro = await upload(secretary, 'macro.docx', await docx({ 'word/vbaProject.bin': 'x' }));
    expect(macro.json().error.message).toContain('含有宏、脚本或嵌入内容');
    expect(await fileCount()).toBe(before);
    const refused = await env.database.db.selectFrom('audit_log').select(['result', 'reason']).where('action', '=', 'file.upload').where('actor_name', '=', 'lw_doc_sec').where('result', '=', 'failed').execute();
    expect(refused.map((r) => r.reason)).toEqual(expect.arrayContaining(['FILE_DOCUMENT_TYPE', 'FILE_DOCUMENT_ACTIVE']));
  });

  it('is for those who post notices or keep meeting records: a member may not upload documents', async () => {
    const res = await upload(laowei.cookie, 'x.pdf', PDF);
    expect(res.statusCode).toBe(403);
  });

  it('cleans names: no path, no control or reserved characters, the extension of the type', () => {
    expect(documentName('../../etc/pass\u0000wd', 'application/pdf')).toBe('passwd.pdf');
    expect(documentName('报告<草稿>?.final.DOCX', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('报告草稿.final.docx');
    expect(documentName(undefined, 'application/pdf')).toBe('document.pdf');
    expect(documentName('长'.repeat(300), 'application/pdf')).toHaveLength(120);
  });
});

describe('documents on notices', () => {
  let docId: string;
  let noticeTitle: string;
  beforeAll(async () => {
    docId = (await upload(secretary, '学习材料.pdf', PDF)).json().id;
    noticeTitle = `学习材料下发 ${Date.now()}`;
    const res = await call(secretary, 'POST', `/api/orgs/${b.laoweiBranch}/feed`, { title: noticeTitle, body: '请各位党员下载学习', attachments: [docId] });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('the branch feed names the document; members of the branch download it under its name', async () => {
    const feed = (await call(laowei.cookie, 'GET', '/api/me/feed?limit=50')).json().items as { title: string; attachments: string[]; files: unknown[] }[];
    const item = feed.find((i) => i.title === noticeTitle)!;
    expect(item.attachments).toEqual([docId]);
    expect(item.files).toEqual([{ id: docId, mime: 'application/pdf', name: '学习材料.pdf', size: PDF.length }]);
    const download = await call(laowei.cookie, 'GET', `/api/files/${docId}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('学习材料.pdf')}`);
    expect(download.headers['content-security-policy']).toBe("default-src 'none'");
    expect(download.rawPayload.equals(PDF)).toBe(true);
    expect((await call(laowei.cookie, 'GET', `/api/files/${docId}/thumbnail`)).statusCode).toBe(404);
  });

  it('a member of another branch gets not found', async () => {
    expect((await call(xinwei.cookie, 'GET', `/api/files/${docId}`)).statusCode).toBe(404);
  });

  it('a case takes photos only: a document id is refused and nothing is reported', async () => {
    const h = caseHelpers(env);
    const gridDoc = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '附件是文档', ...(await h.centreOf('老围第1网格')), source: 'grid_worker', attachments: [docId] });
    // not the caller's upload: unknown to them
    expect(gridDoc.json().error.code).toBe('FILE_ATTACHMENT_UNKNOWN');
    const own = await env.database.db.selectFrom('files').select('id').where('id', '=', docId).executeTakeFirstOrThrow();
    await env.database.db.updateTable('files').set({ uploaded_by: (await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'gy_grid').executeTakeFirstOrThrow()).id }).where('id', '=', own.id).execute();
    const before = (await env.database.db.selectFrom('cases').select('id').execute()).length;
    const res = await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '附件是文档', ...(await h.centreOf('老围第1网格')), source: 'grid_worker', attachments: [docId] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'FILE_ATTACHMENT_NOT_PHOTO', params: { ids: docId } });
    expect((await env.database.db.selectFrom('cases').select('id').execute()).length).toBe(before);
  });
});
