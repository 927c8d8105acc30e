import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { mask } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { applyCountDeltas, memberDeltas, type CountDelta } from '../orgs/org-counts.js';
import { exportWorkbook, readRoster, templateWorkbook } from './members.excel.js';
import { present } from './members.present.js';
import { findMembers, memberValues, secretsOf, type MemberFilter } from './members.repo.js';
import { todayInChina } from './members.rules.js';
import { validateRows } from './members.roster-rows.js';
import { checkListAccess } from './members.service.js';

// Roster import and export (MEM-11). The import is stateless: preview and commit each read the
// uploaded file, so nothing sensitive waits on the server between the two calls.

const SAMPLE_ROWS = 20;
const INSERT_CHUNK = 500;
export const EXPORT_LIMIT = 50_000;

export async function importTemplate(deps: AppDeps, ctx: RequestContext): Promise<Buffer> {
  await requirePermission(deps.database.db, ctx, 'members:import');
  return templateWorkbook();
}

async function check(deps: AppDeps, ctx: RequestContext, file: Buffer) {
  const { db } = deps.database;
  const actor = await requirePermission(db, ctx, 'members:import', { type: 'member' });
  const rows = await readRoster(file, ctx.locale);
  const result = await validateRows(db, actor, deps.crypto.lookupHash, rows, todayInChina(), ctx.locale);
  return { actor, rows, ...result };
}

/** What an import would do: row counts, every row error, and a masked sample. Writes nothing. */
export async function previewImport(deps: AppDeps, ctx: RequestContext, file: Buffer) {
  const { rows, valid, errors } = await check(deps, ctx, file);
  return {
    rows: rows.length,
    valid: valid.length,
    errors,
    sample: valid.slice(0, SAMPLE_ROWS).map((v) => ({
      row: v.row,
      name: v.member.name,
      gender: v.member.gender,
      birthDate: v.member.birthDate,
      idNumberMasked: mask(v.member.idNumber)!,
      phoneMasked: mask(v.member.phone),
      status: v.member.status,
      joinedOn: v.member.joinedOn,
      fullOn: v.member.fullOn ?? null,
      category: v.member.category,
      education: v.member.education ?? null,
      orgId: v.member.orgId,
      orgName: v.orgName,
      residenceName: v.residenceName,
    })),
  };
}

/** Imports every row in one transaction, or nothing when any row is wrong. */
export async function commitImport(deps: AppDeps, ctx: RequestContext, file: Buffer) {
  const { actor, valid, errors, badRows } = await check(deps, ctx, file);
  if (errors.length) throw new AppError('IMPORT_HAS_ERRORS', { count: badRows, errors: errors.slice(0, 200) });
  const orgIds = [...new Set(valid.map((v) => v.member.orgId))].sort((a, b) => Number(a) - Number(b));
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      const deltas: CountDelta[] = [];
      for (let i = 0; i < valid.length; i += INSERT_CHUNK) {
        const chunk = valid.slice(i, i + INSERT_CHUNK);
        const inserted = await trx.insertInto('members').values(chunk.map((v) => memberValues(deps.crypto, v.member))).returning(['id', 'org_id', 'status', 'category']).execute();
        await sql`
          INSERT INTO member_moves (member_id, kind, from_org_id, to_org_id, reason, actor_id)
          SELECT m.id, 'join', NULL, m.org_id, 'import', ${actor.id}::uuid
          FROM unnest(${inserted.map((r) => String(r.id))}::bigint[], ${inserted.map((r) => String(r.org_id))}::bigint[]) AS m(id, org_id)`.execute(trx);
        for (const r of inserted) deltas.push(...memberDeltas({ orgId: String(r.org_id), status: r.status, category: r.category }, 1));
      }
      await applyCountDeltas(trx, deltas);
      await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'member.import', targetType: 'member', ip: ctx.ip, changes: { count: valid.length, orgIds } });
    });
  } catch (e) {
    // Someone filed one of these people between validation and commit: the unique index decides.
    if ((e as { code?: string })?.code === '23505') throw new AppError('ID_NUMBER_DUPLICATE', { name: '—' });
    throw e;
  }
  return { imported: valid.length, orgIds };
}

/** The filtered roster as .xlsx; full ID and phone numbers only with members:read_sensitive, audited. */
export async function exportMembers(deps: AppDeps, ctx: RequestContext, f: MemberFilter & { unmask?: boolean }): Promise<Buffer> {
  const { db } = deps.database;
  const actor = await checkListAccess(deps, ctx, 'members:export', f.orgId);
  if (f.unmask) await requirePermission(db, ctx, 'members:read_sensitive', { type: 'member' });
  const { rows, total } = await findMembers(db, actor, deps.crypto, f, { page: 1, pageSize: EXPORT_LIMIT + 1 });
  if (total > EXPORT_LIMIT) throw new AppError('EXPORT_TOO_LARGE', { count: total, limit: EXPORT_LIMIT });
  const views = await present(db, actor, rows);
  let items: Parameters<typeof exportWorkbook>[0] = views;
  if (f.unmask) {
    const secrets = await secretsOf(db, views.map((v) => v.id));
    items = views.map((v) => {
      const s = secrets.get(v.id)!;
      return { ...v, idNumber: deps.crypto.decrypt(s.id_number_enc), phone: s.phone_enc ? deps.crypto.decrypt(s.phone_enc) : null };
    });
  }
  const { unmask: _u, ...filter } = f;
  await recordAudit(db, {
    actorId: actor.id, actorName: actor.username, action: f.unmask ? 'member.export_unmasked' : 'member.export', targetType: 'member', ip: ctx.ip,
    changes: { filter: { ...filter, idNumber: filter.idNumber ? mask(filter.idNumber) : undefined, phone: filter.phone ? mask(filter.phone) : undefined }, rows: items.length },
  });
  return exportWorkbook(items);
}
