import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from '../cases/cases.fixtures.js';
import { systemCtx } from '../cases/cases.service.js';
import { jpegWithGps, multipart } from './files.fixtures.js';
import { ANONYMOUS_PENDING_PER_IP, checkAttachments, sweepAnonymousUploads } from './files.service.js';
import { localFileStore } from './files.store.js';

// Photos (PLAT-6): type from the bytes, GPS read then EXIF removed, thumbnails, the size limit, and
// serving only to the uploader or to those who may see a case carrying the photo.

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
let dataDir: string;
const LIMIT = 200_000;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tongxin-files-'));
  env = await setupTestEnv({ config: { TONGXIN_DATA_DIR: dataDir, UPLOAD_LIMIT_BYTES: String(LIMIT) } });
  h = caseHelpers(env);
});
afterAll(async () => {
  await env.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function uploadAs(user: string, name: string, type: string, bytes: Buffer) {
  const m = multipart('file', name, type, bytes);
  return env.app.inject({ method: 'POST', url: '/api/files', payload: m.payload, headers: { ...m.headers, cookie: await h.cookieOf(user) } });
}

describe('photo upload', () => {
  it('reads the GPS position from EXIF, then stores the photo without it, with a thumbnail', async () => {
    const original = await jpegWithGps();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const res = await h.expectOk(await uploadAs('gy_grid', 'hallway.jpg', 'image/jpeg', original), 201);
    const body = res.json();
    expect(body).toMatchObject({ mime: 'image/jpeg', width: 640, height: 480 });
    expect(body.gps.lat).toBeCloseTo(22.56, 5);
    expect(body.gps.lng).toBeCloseTo(114.121667, 5);

    const stored = await h.expectOk(await h.call('gy_grid', 'GET', `/api/files/${body.id}`));
    expect(stored.headers['content-type']).toBe('image/jpeg');
    const bytes = stored.rawPayload;
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(bytes.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(false);
    expect(bytes.includes(Buffer.from('SecretCamera'))).toBe(false);

    const thumb = await h.expectOk(await h.call('gy_grid', 'GET', `/api/files/${body.id}/thumbnail`));
    const tm = await sharp(thumb.rawPayload).metadata();
    expect([tm.format, tm.width, tm.height]).toEqual(['jpeg', 320, 240]);

    const row = await env.database.db.selectFrom('files').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ mime: 'image/jpeg', width: 640, height: 480, size: bytes.length });
    const audit = await env.database.db.selectFrom('audit_log').select(['action', 'actor_name', 'result']).where('target_type', '=', 'file').where('target_id', '=', body.id).execute();
    expect(audit).toEqual([{ action: 'file.upload', actor_name: 'gy_grid', result: 'ok' }]);
  });

  it('accepts PNG and WebP by their bytes, whatever the name says', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#00ff0080' } }).png().toBuffer();
    const webp = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0000ff' } }).webp().toBuffer();
    expect((await h.expectOk(await uploadAs('gy_grid', 'a.jpg', 'image/jpeg', png), 201)).json()).toMatchObject({ mime: 'image/png', gps: null });
    expect((await h.expectOk(await uploadAs('gy_grid', 'b.bin', 'application/octet-stream', webp), 201)).json()).toMatchObject({ mime: 'image/webp' });
  });

  it('refuses a text file named .jpg, with the allowed types', async () => {
    const res = await uploadAs('gy_grid', 'photo.jpg', 'image/jpeg', Buffer.from('this is not an image, just text pretending\n'.repeat(20)));
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED', params: { allowed: 'JPEG, PNG, WebP' } });
    const svg = await uploadAs('gy_grid', 'x.png', 'image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(svg.json().error.code).toBe('FILE_TYPE_NOT_ALLOWED');
    const broken = await uploadAs('gy_grid', 'x.jpg', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)]));
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'FILE_IMAGE_UNREADABLE']);
  });

  it('refuses a file over the upload limit with 413', async () => {
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(LIMIT + 10, 1)]);
    const res = await uploadAs('gy_grid', 'big.jpg', 'image/jpeg', big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a request without a file, and callers without a session', async () => {
    expect((await h.call('gy_grid', 'POST', '/api/files', { file: 'x' })).json().error.code).toBe('FILE_REQUIRED');
    const m = multipart('file', 'a.jpg', 'image/jpeg', await jpegWithGps());
    expect((await env.app.inject({ method: 'POST', url: '/api/files', payload: m.payload, headers: m.headers })).statusCode).toBe(401);
  });
});

describe('who may see a photo', () => {
  it('the uploader, then those who may see the case carrying it; everyone else 404', async () => {
    const id = (await h.expectOk(await uploadAs('gy_grid', 'p.jpg', 'image/jpeg', await jpegWithGps()), 201)).json().id as string;
    expect((await h.call('gy_command', 'GET', `/api/files/${id}`)).statusCode).toBe(404);
    expect((await h.call('dx_command', 'GET', `/api/files/${id}/thumbnail`)).statusCode).toBe(404);
    expect((await h.call('gy_grid', 'GET', '/api/files/not-a-uuid')).statusCode).toBe(404);

    const at = await h.centreOf('老围第1网格');
    const created = await h.expectOk(await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '楼道堆物（附照片）', ...at, source: 'grid_worker', attachments: [id] }), 201);
    expect(created.json().id).toBeTruthy();
    expect((await h.call('gy_command', 'GET', `/api/files/${id}`)).statusCode).toBe(200);
    expect((await h.call('gy_command', 'GET', `/api/files/${id}/thumbnail`)).statusCode).toBe(200);
    expect((await h.call('dx_command', 'GET', `/api/files/${id}`)).statusCode).toBe(404);
    expect((await h.call('sysadmin', 'GET', `/api/files/${id}`)).statusCode).toBe(404);
    const denied = await env.database.db.selectFrom('audit_log').select('actor_name').where('target_type', '=', 'file').where('target_id', '=', id).where('result', '=', 'denied').execute();
    expect(denied.map((d) => d.actor_name)).toContain('dx_command');
  });

  it('checkAttachments: only existing files the caller uploaded', async () => {
    const id = (await h.expectOk(await uploadAs('gy_grid', 'q.jpg', 'image/jpeg', await jpegWithGps()), 201)).json().id as string;
    const grid = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'gy_grid').executeTakeFirstOrThrow();
    const other = await env.database.db.selectFrom('accounts').select('id').where('username', '=', 'dx_command').executeTakeFirstOrThrow();
    const ctx = (accountId: string) => ({ actor: { id: accountId } as never, ip: '127.0.0.1', locale: 'en' as const });
    await expect(checkAttachments(env.database.db, ctx(grid.id), [id])).resolves.toBeUndefined();
    await expect(checkAttachments(env.database.db, ctx(other.id), [id])).rejects.toMatchObject({ code: 'FILE_ATTACHMENT_UNKNOWN' });
    await expect(checkAttachments(env.database.db, ctx(grid.id), [id, 'photo-1'])).rejects.toMatchObject({ code: 'FILE_ATTACHMENT_UNKNOWN', params: { ids: 'photo-1' } });
    await expect(checkAttachments(env.database.db, systemCtx('open311:test'), [id])).resolves.toBeUndefined();
  });
});

describe('anonymous uploads (photos of anonymous reports)', () => {
  let ipSeq = 0;
  const nextIp = () => `10.9.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
  async function anonUpload(bytes: Buffer, ip = '10.8.0.1', type = 'image/jpeg') {
    const m = multipart('file', 'snap.jpg', type, bytes);
    return env.app.inject({ method: 'POST', url: '/api/files/anonymous', payload: m.payload, headers: m.headers, remoteAddress: ip });
  }
  const anonReport = async (body: object, ip = '10.8.0.1') => env.app.inject({ method: 'POST', url: '/api/cases/anonymous', payload: body, remoteAddress: ip });

  it('answers a file id and a one-time token; the photo is stored without EXIF and audited as anonymous', async () => {
    const res = await h.expectOk(await anonUpload(await jpegWithGps()), 201);
    const body = res.json();
    expect(body).toMatchObject({ mime: 'image/jpeg', width: 640, height: 480, uploadToken: expect.stringMatching(/^[\w-]{32}$/) });
    expect(body.gps.lat).toBeCloseTo(22.56, 5);
    expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(3_600_000);
    const row = await env.database.db.selectFrom('files').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ uploaded_by: null, claimed_at: null, upload_ip: '10.8.0.1' });
    expect(row.upload_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.upload_token_hash).not.toContain(body.uploadToken);
    const bytes = await localFileStore(dataDir).get(row.sha256);
    expect((await sharp(bytes!).metadata()).exif).toBeUndefined();
    expect(bytes!.includes(Buffer.from('SecretCamera'))).toBe(false);
    const audit = await env.database.db.selectFrom('audit_log').select(['actor_name', 'actor_id', 'result']).where('target_type', '=', 'file').where('target_id', '=', body.id).execute();
    expect(audit).toEqual([{ actor_name: 'anonymous', actor_id: null, result: 'ok' }]);
    // nobody can fetch it before a case carries it
    expect((await h.call('gy_command', 'GET', `/api/files/${body.id}`)).statusCode).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: `/api/files/${body.id}` })).statusCode).toBe(401);
  });

  it('applies the same type checks', async () => {
    const text = await anonUpload(Buffer.from('not an image at all, only text\n'.repeat(10)), nextIp());
    expect([text.statusCode, text.json().error.code]).toEqual([415, 'FILE_TYPE_NOT_ALLOWED']);
    const none = await env.app.inject({ method: 'POST', url: '/api/files/anonymous', payload: {}, remoteAddress: nextIp() });
    expect(none.json().error.code).toBe('FILE_REQUIRED');
  });

  it('the anonymous report claims the photos with their tokens, once; staff who see the case see the photo', async () => {
    const ip = nextIp();
    const a = (await h.expectOk(await anonUpload(await jpegWithGps(), ip), 201)).json();
    const b = (await h.expectOk(await anonUpload(await sharp({ create: { width: 50, height: 40, channels: 3, background: '#336699' } }).png().toBuffer(), ip, 'image/png'), 201)).json();
    const at = await h.centreOf('老围第1网格');
    const base = { categoryCode: 'sanitation', description: '楼道堆物（匿名，附照片）', ...at };

    // never by id alone, never with a wrong token
    const byId = await anonReport({ ...base, attachments: [a.id] }, ip);
    expect([byId.statusCode, byId.json().error.code]).toEqual([400, 'FILE_ATTACHMENT_UNKNOWN']);
    const wrong = await anonReport({ ...base, photos: [{ id: a.id, token: a.uploadToken }, { id: b.id, token: 'x'.repeat(32) }] }, ip);
    expect([wrong.statusCode, wrong.json().error.code, wrong.json().error.params.ids]).toEqual([400, 'FILE_UPLOAD_TOKEN_INVALID', b.id]);
    // all or nothing: the good one was given back
    expect((await env.database.db.selectFrom('files').select('claimed_at').where('id', '=', a.id).executeTakeFirstOrThrow()).claimed_at).toBeNull();
    // a report that fails after the claim (a category closed to anonymous reports) gives them back too
    const closed = await anonReport({ ...base, categoryCode: 'emergency', photos: [{ id: a.id, token: a.uploadToken }] }, ip);
    expect(closed.json().error.code).toBe('CASE_ANONYMOUS_NOT_ALLOWED');

    const photos = [{ id: a.id, token: a.uploadToken }, { id: b.id, token: b.uploadToken }];
    const created = (await h.expectOk(await anonReport({ ...base, photos }, ip), 201)).json();
    expect(created.trackingCode).toMatch(/^[A-Za-z2-9]{10}$/);
    const row = await h.caseRow(created.id);
    expect(row.attachments).toEqual([a.id, b.id]);
    const tracked = (await env.app.inject({ method: 'GET', url: `/api/cases/track/${created.trackingCode}` })).json();
    expect(tracked.attachments).toEqual([a.id, b.id]);

    // used once
    const again = await anonReport({ ...base, photos: [photos[0]] }, ip);
    expect(again.json().error.code).toBe('FILE_UPLOAD_TOKEN_INVALID');
    // the command centre of the street sees the photo; another street does not
    expect((await h.call('gy_command', 'GET', `/api/files/${a.id}/thumbnail`)).statusCode).toBe(200);
    expect((await h.call('dx_command', 'GET', `/api/files/${a.id}`)).statusCode).toBe(404);
  });

  it('caps the unclaimed uploads per client address, and limits the requests per minute', async () => {
    const ip = nextIp();
    const one = (await h.expectOk(await anonUpload(await jpegWithGps(), ip), 201)).json();
    const row = await env.database.db.selectFrom('files').selectAll().where('id', '=', one.id).executeTakeFirstOrThrow();
    await env.database.db
      .insertInto('files')
      .values(Array.from({ length: ANONYMOUS_PENDING_PER_IP - 1 }, () => ({ sha256: row.sha256, mime: row.mime, size: row.size, thumbnail_key: row.thumbnail_key, upload_token_hash: 'f'.repeat(64), upload_expires_at: new Date(Date.now() + 3_600_000), upload_ip: ip })))
      .execute();
    const capped = await anonUpload(await jpegWithGps(), ip);
    expect([capped.statusCode, capped.json().error.code]).toEqual([429, 'FILE_ANONYMOUS_QUOTA']);
    expect((await anonUpload(await jpegWithGps(), nextIp())).statusCode).toBe(201); // another address is not affected

    const flood = nextIp();
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await env.app.inject({ method: 'POST', url: '/api/files/anonymous', payload: {}, remoteAddress: flood })).statusCode);
    expect(codes.slice(0, 20).every((c) => c === 400)).toBe(true);
    const limited = await env.app.inject({ method: 'POST', url: '/api/files/anonymous', payload: {}, remoteAddress: flood });
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'RATE_LIMITED']);
  });

  it('removes expired uploads no report claimed, with the bytes no other row uses', async () => {
    const ip = nextIp();
    const unique = await sharp({ create: { width: 33, height: 21, channels: 3, background: '#123456' } }).jpeg().toBuffer();
    const lonely = (await h.expectOk(await anonUpload(unique, ip), 201)).json();
    const shared = (await h.expectOk(await anonUpload(await jpegWithGps(), ip), 201)).json(); // same bytes as photos of cases above
    const claimed = (await h.expectOk(await anonUpload(await sharp({ create: { width: 35, height: 21, channels: 3, background: '#654321' } }).jpeg().toBuffer(), ip), 201)).json();
    const at = await h.centreOf('老围第1网格');
    await h.expectOk(await anonReport({ categoryCode: 'sanitation', description: '留下的照片', ...at, photos: [{ id: claimed.id, token: claimed.uploadToken }] }, ip), 201);
    const rowOf = (id: string) => env.database.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
    const lonelyRow = (await rowOf(lonely.id))!;
    const sharedRow = (await rowOf(shared.id))!;
    const store = localFileStore(dataDir);

    expect(await sweepAnonymousUploads({ database: env.database, store }, new Date())).toBe(0); // not expired yet
    const later = new Date(Date.now() + 3 * 3_600_000);
    expect(await sweepAnonymousUploads({ database: env.database, store }, later)).toBeGreaterThanOrEqual(2);
    expect(await rowOf(lonely.id)).toBeUndefined();
    expect(await rowOf(shared.id)).toBeUndefined();
    expect(await rowOf(claimed.id)).toBeDefined();
    expect(await store.get(lonelyRow.sha256)).toBeNull();
    expect(await store.get(lonelyRow.thumbnail_key!)).toBeNull();
    expect(await store.get(sharedRow.sha256)).not.toBeNull(); // other rows keep these bytes
    const audit = await env.database.db.selectFrom('audit_log').select(['actor_name', 'changes']).where('action', '=', 'file.sweep').execute();
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(audit[0]!.actor_name).toBe('system:files');
  });
});
