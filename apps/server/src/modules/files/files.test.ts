import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from '../cases/cases.fixtures.js';
import { systemCtx } from '../cases/cases.service.js';
import { jpegWithGps, multipart } from './files.fixtures.js';
import { checkAttachments } from './files.service.js';

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
