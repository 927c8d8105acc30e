import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Executor } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import type { Caller } from '../cases/cases.caller.js';
import { casesReferencingFile, mayViewCase } from '../cases/cases.service.js';
import { mayViewCommitmentFile } from '../commitments/commitments.service.js';
import { mayViewFeedFile } from '../feed/feed.service.js';
import { mayViewMeetingFile } from '../life/life.service.js';
import { documentName, documentType } from './files.document.js';
import { processImage } from './files.image.js';
import type { FileStore } from './files.store.js';

// Photos for cases (PLAT-6): upload (type from the bytes, GPS read, metadata removed, thumbnail),
// and serving, only to the uploader or to those who may see a case carrying the photo. Documents
// (PDF, Office) for notices and meeting records: uploadDocument, served as downloads.
// Anonymous reports: an anonymous upload answers a one-time upload token (only its sha256 is kept);
// the anonymous report presenting it claims the file; unclaimed ones are removed after they expire.

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

// issue 5: notices of the branch feed, evidence of commitments' fulfilment and meeting records carry photos too
const UPLOAD_PERMISSIONS = ['cases:report', 'cases:handle', 'cases:supervise', 'cases:department', 'feed:post', 'commitments:review', 'life:write'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UploadedDocument {
  id: string;
  mime: string;
  size: number;
  name: string;
  createdAt: string;
}

/** Those who post notices or keep meeting records attach documents to them (files.document.ts). */
const DOCUMENT_PERMISSIONS = ['feed:post', 'life:write'] as const;

/**
 * A document (PDF, Word, Excel, PowerPoint) for a notice or a meeting record: its type from the bytes,
 * stored as uploaded (no conversion), with its cleaned name. Refusals are audited.
 */
export async function uploadDocument(deps: FilesDeps, ctx: RequestContext, input: Buffer, uploadedName: string | undefined): Promise<UploadedDocument> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!DOCUMENT_PERMISSIONS.some((p) => can(actor, p))) await requirePermission(db, ctx, 'feed:post', { type: 'file' });
  let mime;
  try {
    mime = await documentType(input);
  } catch (e) {
    if (e instanceof AppError) {
      await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'file.upload', targetType: 'file', result: 'failed', reason: e.code, ip: ctx.ip, changes: { size: input.length, name: (uploadedName ?? '').slice(0, 200), document: true } });
    }
    throw e;
  }
  const name = documentName(uploadedName, mime);
  const key = await deps.store.put(input);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('files')
      .values({ sha256: key, mime, size: input.length, width: null, height: null, thumbnail_key: null, uploaded_by: actor.id, name })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'file.upload', targetType: 'file', targetId: row.id, targetLabel: name, ip: ctx.ip, changes: { mime, size: input.length, sha256: key, name, document: true } });
    return { id: row.id, mime, size: input.length, name, createdAt: row.created_at.toISOString() };
  });
}

/** What a list shows of attached files: type, name (documents) and size, by id. */
export interface FileInfo {
  id: string;
  mime: string;
  name: string | null;
  size: number;
}

export async function describeFiles(ex: Executor, ids: readonly string[]): Promise<Map<string, FileInfo>> {
  const valid = [...new Set(ids)].filter((id) => UUID.test(id));
  if (valid.length === 0) return new Map();
  const rows = await ex.selectFrom('files').select(['id', 'mime', 'name', 'size']).where('id', 'in', valid).execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, mime: r.mime, name: r.name, size: r.size }]));
}

export async function uploadFile(deps: FilesDeps, ctx: RequestContext, input: Buffer): Promise<UploadedFile> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!UPLOAD_PERMISSIONS.some((p) => can(actor, p))) await requirePermission(db, ctx, 'cases:report', { type: 'file' });
  return storeUpload(deps, ctx, input, { accountId: actor.id, actorName: actor.username });
}

/** How long an anonymous upload waits for its report, and how many may wait per client address. */
export const ANONYMOUS_UPLOAD_TTL_MS = 2 * 3_600_000;
export const ANONYMOUS_PENDING_PER_IP = 20;
export const ANONYMOUS_ACTOR = 'anonymous';

export interface AnonymousUpload extends UploadedFile {
  /** presented once, with the id, by the anonymous report that attaches the photo */
  uploadToken: string;
  expiresAt: string;
}

/**
 * A photo for an anonymous report (no session): the same checks as any upload, a cap on unclaimed
 * uploads per client address, and a one-time token of which only the sha256 is stored.
 */
export async function uploadAnonymousFile(deps: FilesDeps, ctx: RequestContext, input: Buffer, now = new Date()): Promise<AnonymousUpload> {
  const { db } = deps.database;
  const pending = await db
    .selectFrom('files')
    .select(sql<string>`count(*)`.as('n'))
    .where('uploaded_by', 'is', null)
    .where('claimed_at', 'is', null)
    .where('upload_ip', '=', ctx.ip)
    .where('upload_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  if (Number(pending.n) >= ANONYMOUS_PENDING_PER_IP) {
    await recordAudit(db, { actorName: ANONYMOUS_ACTOR, action: 'file.upload', targetType: 'file', result: 'denied', reason: 'FILE_ANONYMOUS_QUOTA', ip: ctx.ip, changes: { pending: Number(pending.n) } });
    throw new AppError('FILE_ANONYMOUS_QUOTA');
  }
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ANONYMOUS_UPLOAD_TTL_MS);
  const stored = await storeUpload(deps, ctx, input, { accountId: null, actorName: ANONYMOUS_ACTOR, anonymous: { tokenHash: sha256(token), expiresAt } });
  return { ...stored, uploadToken: token, expiresAt: expiresAt.toISOString() };
}

async function storeUpload(
  deps: FilesDeps,
  ctx: RequestContext,
  input: Buffer,
  who: { accountId: string | null; actorName: string; anonymous?: { tokenHash: string; expiresAt: Date } },
): Promise<UploadedFile> {
  const { db } = deps.database;
  let image;
  try {
    image = await processImage(input);
  } catch (e) {
    if (e instanceof AppError) {
      await recordAudit(db, { actorId: who.accountId, actorName: who.actorName, action: 'file.upload', targetType: 'file', result: 'failed', reason: e.code, ip: ctx.ip, changes: { size: input.length } });
    }
    throw e;
  }
  const [key, thumbKey] = [await deps.store.put(image.bytes), await deps.store.put(image.thumbnail)];
  const anon = who.anonymous;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('files')
      .values({
        sha256: key, mime: image.mime, size: image.bytes.length, width: image.width, height: image.height, gps_lng: image.gps?.lng ?? null, gps_lat: image.gps?.lat ?? null, thumbnail_key: thumbKey, uploaded_by: who.accountId,
        ...(anon ? { upload_token_hash: anon.tokenHash, upload_expires_at: anon.expiresAt, upload_ip: ctx.ip } : {}),
      })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: who.accountId, actorName: who.actorName, action: 'file.upload', targetType: 'file', targetId: row.id, ip: ctx.ip,
      changes: { mime: image.mime, size: image.bytes.length, uploadedSize: input.length, width: image.width, height: image.height, sha256: key, gps: image.gps !== null, ...(anon ? { anonymous: true } : {}) },
    });
    return { id: row.id, mime: image.mime, size: image.bytes.length, width: image.width, height: image.height, gps: image.gps, createdAt: row.created_at.toISOString() };
  });
}

/**
 * For the anonymous report: each (id, token) must name an unexpired, unclaimed anonymous upload.
 * Claims them all at once (or none) and answers their ids; release() gives them back when the
 * report then fails, so the same photos can be sent again.
 */
export async function claimAnonymousUploads(ex: Executor, photos: readonly { id: string; token: string }[], now = new Date()): Promise<{ ids: string[]; release(): Promise<void> }> {
  const unique = [...new Map(photos.map((p) => [p.id, p])).values()];
  if (unique.length === 0) return { ids: [], release: async () => undefined };
  const claimed: string[] = [];
  const bad: string[] = [];
  for (const p of unique) {
    if (!UUID.test(p.id) || !p.token) {
      bad.push(p.id);
      continue;
    }
    const row = await ex
      .updateTable('files')
      .set({ claimed_at: now })
      .where('id', '=', p.id)
      .where('uploaded_by', 'is', null)
      .where('claimed_at', 'is', null)
      .where('upload_token_hash', '=', sha256(p.token))
      .where('upload_expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (row) claimed.push(row.id);
    else bad.push(p.id);
  }
  const release = async () => {
    if (claimed.length) await ex.updateTable('files').set({ claimed_at: null }).where('id', 'in', claimed).where('uploaded_by', 'is', null).execute();
  };
  if (bad.length) {
    await release();
    throw new AppError('FILE_UPLOAD_TOKEN_INVALID', { ids: bad.join(', ') }, { photos: 'FILE_UPLOAD_TOKEN_INVALID' });
  }
  return { ids: claimed, release };
}

/**
 * Removes anonymous uploads that no report claimed before they expired: their rows, then the bytes
 * no remaining row refers to (the store is content-addressed, so two rows may share bytes).
 */
export async function sweepAnonymousUploads(deps: FilesDeps, now = new Date(), limit = 500): Promise<number> {
  const { db } = deps.database;
  const expired = await db
    .selectFrom('files')
    .select(['id', 'sha256', 'thumbnail_key'])
    .where('uploaded_by', 'is', null)
    .where('claimed_at', 'is', null)
    .where('upload_expires_at', '<=', now)
    .orderBy('upload_expires_at')
    .limit(limit)
    .execute();
  if (expired.length === 0) return 0;
  // a file some case refers to stays (claimed files are never expired; this guards older rows)
  const gone: typeof expired = [];
  for (const f of expired) if ((await casesReferencingFile(db, f.id, 1)).length === 0) gone.push(f);
  if (gone.length === 0) return 0;
  const ids = gone.map((f) => f.id);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('files').where('id', 'in', ids).where('claimed_at', 'is', null).execute();
    await recordAudit(trx, { actorName: 'system:files', action: 'file.sweep', targetType: 'file', changes: { removed: ids.length, ids: ids.slice(0, 50) } });
  });
  const keys = [...new Set(gone.flatMap((f) => [f.sha256, f.thumbnail_key]).filter((k): k is string => !!k))];
  const stillUsed = new Set(
    (await db.selectFrom('files').select(['sha256', 'thumbnail_key']).where((eb) => eb.or([eb('sha256', 'in', keys), eb('thumbnail_key', 'in', keys)])).execute()).flatMap((r) => [r.sha256, r.thumbnail_key]),
  );
  for (const k of keys) if (!stillUsed.has(k)) await deps.store.delete(k);
  return ids.length;
}

/** The bytes of a file (or its thumbnail) for the caller, or NOT_FOUND when they may not see it. */
export async function readStoredFile(deps: FilesDeps, ctx: RequestContext, id: string, variant: 'original' | 'thumbnail'): Promise<{ mime: string; bytes: Buffer; name: string | null }> {
  const { db } = deps.database;
  const actor = ctx.actor;
  if (!actor) throw new AppError('AUTH_REQUIRED');
  if (!UUID.test(id)) throw new AppError('NOT_FOUND');
  const row = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND');
  if (row.uploaded_by !== actor.id && !(await seesACaseWith(db, ctx, id)) && !(await mayViewFeedFile(db, ctx, id)) && !(await mayViewCommitmentFile(db, ctx, id)) && !(await mayViewMeetingFile(db, ctx, id))) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'access.denied', targetType: 'file', targetId: id, result: 'denied', reason: 'out_of_scope: file', ip: ctx.ip });
    throw new AppError('NOT_FOUND');
  }
  const key = variant === 'thumbnail' ? row.thumbnail_key : row.sha256;
  const bytes = key ? await deps.store.get(key) : null;
  if (!bytes) throw new AppError('NOT_FOUND');
  return variant === 'thumbnail' ? { mime: 'image/jpeg', bytes, name: null } : { mime: row.mime, bytes, name: row.name };
}

async function seesACaseWith(ex: Executor, ctx: RequestContext, fileId: string): Promise<boolean> {
  for (const caseId of await casesReferencingFile(ex, fileId)) if (await mayViewCase(ex, ctx, caseId)) return true;
  return false;
}

/**
 * Every attachment id names an uploaded file, and an account may attach only files it uploaded itself
 * (system callers any existing file; anonymous callers none: they present upload tokens instead).
 * Throws FILE_ATTACHMENT_UNKNOWN otherwise. Photos only (FILE_ATTACHMENT_NOT_PHOTO), unless
 * `documents` (notices and meeting records).
 */
export async function checkAttachments(ex: Executor, caller: Caller, ids: readonly string[] | undefined, opts: { documents?: boolean } = {}): Promise<void> {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) return;
  const valid = unique.filter((id) => UUID.test(id));
  const actorId = 'system' in caller ? null : (caller.actor?.id ?? undefined);
  let found = new Map<string, string>();
  // anonymous callers attach photos only through their upload tokens (claimAnonymousUploads), never by id
  if (actorId !== undefined && valid.length) {
    let q = ex.selectFrom('files').select(['id', 'mime']).where('id', 'in', valid);
    if (actorId !== null) q = q.where('uploaded_by', '=', actorId);
    found = new Map((await q.execute()).map((r) => [r.id, r.mime]));
  }
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('FILE_ATTACHMENT_UNKNOWN', { ids: missing.join(', ') }, { attachments: 'FILE_ATTACHMENT_UNKNOWN' });
  const notPhotos = opts.documents ? [] : unique.filter((id) => !found.get(id)!.startsWith('image/'));
  if (notPhotos.length) throw new AppError('FILE_ATTACHMENT_NOT_PHOTO', { ids: notPhotos.join(', ') }, { attachments: 'FILE_ATTACHMENT_NOT_PHOTO' });
}
