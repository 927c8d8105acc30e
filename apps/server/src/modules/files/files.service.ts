import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import type { Caller } from '../cases/cases.caller.js';
import { casesReferencingFile, mayViewCase } from '../cases/cases.service.js';
import { processImage } from './files.image.js';
import type { FileStore } from './files.store.js';

// Photos for cases (PLAT-6): upload (type from the bytes, GPS read, metadata removed, thumbnail),
// and serving, only to the uploader or to those who may see a case carrying the photo.

export interface FilesDeps {
  database: Database;
  store: FileStore;
}

export interface UploadedFile {
  id: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  /** the position the photo was taken at (from EXIF), for the client to propose as the case location */
  gps: { lng: number; lat: number } | null;
  createdAt: string;
}

const UPLOAD_PERMISSIONS = ['cases:report', 'cases:handle', 'cases:supervise', 'cases:department'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function uploadFile(deps: FilesDeps, ctx: RequestContext, input: Buffer): Promise<UploadedFile> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!UPLOAD_PERMISSIONS.some((p) => can(actor, p))) await requirePermission(db, ctx, 'cases:report', { type: 'file' });
  let image;
  try {
    image = await processImage(input);
  } catch (e) {
    if (e instanceof AppError) {
      await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'file.upload', targetType: 'file', result: 'failed', reason: e.code, ip: ctx.ip, changes: { size: input.length } });
    }
    throw e;
  }
  const [key, thumbKey] = [await deps.store.put(image.bytes), await deps.store.put(image.thumbnail)];
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('files')
      .values({ sha256: key, mime: image.mime, size: image.bytes.length, width: image.width, height: image.height, gps_lng: image.gps?.lng ?? null, gps_lat: image.gps?.lat ?? null, thumbnail_key: thumbKey, uploaded_by: actor.id })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'file.upload', targetType: 'file', targetId: row.id, ip: ctx.ip,
      changes: { mime: image.mime, size: image.bytes.length, uploadedSize: input.length, width: image.width, height: image.height, sha256: key, gps: image.gps !== null },
    });
    return { id: row.id, mime: image.mime, size: image.bytes.length, width: image.width, height: image.height, gps: image.gps, createdAt: row.created_at.toISOString() };
  });
}

/** The bytes of a file (or its thumbnail) for the caller, or NOT_FOUND when they may not see it. */
export async function readStoredFile(deps: FilesDeps, ctx: RequestContext, id: string, variant: 'original' | 'thumbnail'): Promise<{ mime: string; bytes: Buffer }> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!UUID.test(id)) throw new AppError('NOT_FOUND');
  const row = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  if (row.uploaded_by !== actor.id && !(await seesACaseWith(db, ctx, id))) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'file', targetId: id, result: 'denied', reason: 'out_of_scope: file', ip: ctx.ip });
    throw new AppError('NOT_FOUND');
  }
  const key = variant === 'thumbnail' ? row.thumbnail_key : row.sha256;
  const bytes = key ? await deps.store.get(key) : null;
  if (!bytes) throw new AppError('NOT_FOUND');
  return { mime: variant === 'thumbnail' ? 'image/jpeg' : row.mime, bytes };
}

async function seesACaseWith(ex: Executor, ctx: RequestContext, fileId: string): Promise<boolean> {
  for (const caseId of await casesReferencingFile(ex, fileId)) if (await mayViewCase(ex, ctx, caseId)) return true;
  return false;
}

/**
 * For the cases module: every attachment id names an uploaded file, and an account may attach only
 * files it uploaded itself (system callers any existing file). Throws FILE_ATTACHMENT_UNKNOWN otherwise.
 */
export async function checkAttachments(ex: Executor, caller: Caller, ids: readonly string[] | undefined): Promise<void> {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return;
  const valid = unique.filter((id) => UUID.test(id));
  const actorId = 'system' in caller ? null : (caller.actor?.id ?? undefined);
  let q = ex.selectFrom('files').select('id').where('id', 'in', valid.length ? valid : ['00000000-0000-0000-0000-000000000000']);
  if (actorId !== null) q = actorId === undefined ? q.where('uploaded_by', 'is', null) : q.where('uploaded_by', '=', actorId);
  const found = new Set((await q.execute()).map((r) => r.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('FILE_ATTACHMENT_UNKNOWN', { ids: missing.join(', ') }, { attachments: 'FILE_ATTACHMENT_UNKNOWN' });
}
