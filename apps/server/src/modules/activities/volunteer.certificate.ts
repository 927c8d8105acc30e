import { sql } from 'kysely';
import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, idsInScope, requireAccess, requireMember } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { memberOrgs } from '../members/members.service.js';
import { listCommittee } from '../orgs/orgs.committee.js';
import { getOrg } from '../orgs/orgs.service.js';
import { ensureVolunteer, hoursEntries } from './volunteer.ledger.js';

// Certificates of verified volunteer hours (志愿服务记录证明, domain-rules §9): whoever recorded the
// service certifies it. A certificate names the volunteer by volunteer number (never the ID number),
// the hours and content, the issuing organisation, the person in charge and a contact, a number and
// a date. Its content is a snapshot taken when it is issued; issuing is audited.

export interface CertificateContent {
  volunteerName: string;
  volunteerNumber: string;
  orgName: string;
  personInCharge: string;
  contact: string;
  from: string | null;
  to: string | null;
  hours: number;
  records: { servedOn: string; content: string; hours: number; kind: 'service' | 'correction' }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function issue(deps: AppDeps, ctx: RequestContext, actor: { id: string; username: string; displayName: string }, input: { memberId: string; orgId: string; personInCharge?: string | null; contact?: string | null }) {
  const { db } = deps.database;
  const member = (await memberOrgs(db, [input.memberId])).get(input.memberId);
  const org = await getOrg(db, input.orgId);
  if (!member || !org) throw new AppError('NOT_FOUND');
  const entries = (await hoursEntries(db, input.memberId, input.orgId)).reverse();
  const hours = round2(entries.reduce((s, e) => s + Number(e.hours), 0));
  if (hours <= 0) throw new AppError('VOLUNTEER_NO_HOURS', { org: org.name });
  const secretary = (await listCommittee(deps, input.orgId)).find((c) => c.role === 'secretary');
  const personInCharge = input.personInCharge?.trim() || secretary?.name || '';
  const contact = input.contact?.trim() || org.contact_phone || '';
  if (!personInCharge || !contact) throw new AppError('CERTIFICATE_SIGNATORY_MISSING', { org: org.name });
  return db.transaction().execute(async (trx) => {
    const volunteerNumber = await ensureVolunteer(trx, input.memberId);
    const issuedOn = todayInChina();
    const { rows } = await sql<{ n: string }>`SELECT nextval('volunteer_certificate_seq')::text AS n`.execute(trx);
    const number = `ZYZM${issuedOn.slice(0, 4)}${rows[0]!.n.padStart(6, '0')}`;
    const content: CertificateContent = {
      volunteerName: member.name, volunteerNumber, orgName: org.name, personInCharge, contact,
      from: entries[0]?.served_on ?? null, to: entries.at(-1)?.served_on ?? null, hours,
      records: entries.map((e) => ({ servedOn: e.served_on, content: e.content, hours: Number(e.hours), kind: e.kind })),
    };
    const row = await trx
      .insertInto('volunteer_certificates')
      .values({ number, member_id: input.memberId, org_id: input.orgId, issued_on: issuedOn, hours, content: JSON.stringify(content), issued_by: actor.id, issued_by_name: actor.displayName || actor.username })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.id, actorName: actor.username, action: 'volunteer.certificate', targetType: 'volunteer_certificate', targetId: String(row.id), targetLabel: number, ip: ctx.ip,
      changes: { memberId: input.memberId, volunteerNumber, orgId: input.orgId, hours, personInCharge, contact },
    });
    return { id: String(row.id), number, orgId: input.orgId, orgName: org.name, issuedOn, hours, issuedByName: actor.displayName || actor.username };
  });
}

/** Staff issue a certificate for hours their organisation (subtree) recorded. */
export async function issueCertificate(deps: AppDeps, ctx: RequestContext, input: { memberId: string; orgId: string; personInCharge?: string | null; contact?: string | null }) {
  const actor = await requireAccess(deps.database.db, ctx, 'volunteer:certify', 'org', [input.orgId]);
  return issue(deps, ctx, actor, input);
}

/** A volunteer prints their own certificate from an organisation that recorded their hours. */
export async function issueMyCertificate(deps: AppDeps, ctx: RequestContext, orgId: string) {
  const { db } = deps.database;
  const { actor, memberId } = await requireMember(db, ctx);
  const recorded = await db.selectFrom('volunteer_hours').select('id').where('member_id', '=', memberId).where('org_id', '=', orgId).limit(1).executeTakeFirst();
  if (!recorded) throw new AppError('NOT_FOUND');
  return issue(deps, ctx, { id: actor.id, username: actor.username, displayName: actor.displayName }, { memberId, orgId });
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const cnDate = (d: string) => `${d.slice(0, 4)}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** The printable page of a certificate: the member's own, or one whose organisation or member is in the staff actor's scope. */
export async function certificateHtml(deps: AppDeps, ctx: RequestContext, id: string): Promise<string> {
  const { db } = deps.database;
  if (!ctx.actor) throw new AppError('AUTH_REQUIRED');
  const cert = /^\d{1,18}$/.test(id) ? await db.selectFrom('volunteer_certificates').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!cert) throw new AppError('NOT_FOUND');
  const own = ctx.actor.memberId !== null && String(cert.member_id) === ctx.actor.memberId;
  if (!own) {
    const member = (await memberOrgs(db, [String(cert.member_id)])).get(String(cert.member_id));
    const staff = can(ctx.actor, 'volunteer:certify') || can(ctx.actor, 'activities:read');
    const inScope = staff && (await idsInScope(db, ctx.actor, 'org', [String(cert.org_id), ...(member ? [member.orgId] : [])])).size > 0;
    if (!inScope) throw new AppError('NOT_FOUND');
  }
  const c = cert.content as unknown as CertificateContent;
  const rows = c.records
    .map((r) => `<tr><td>${esc(r.servedOn)}</td><td>${esc(r.content)}${r.kind === 'correction' ? '（更正）' : ''}</td><td class="n">${r.hours}</td></tr>`)
    .join('');
  const period = c.from && c.to ? `${cnDate(c.from)}至${cnDate(c.to)}` : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>志愿服务记录证明 ${esc(cert.number)}</title>
<style>
  body { font-family: "Songti SC", "SimSun", "Noto Serif CJK SC", serif; color: #111; margin: 0; }
  .page { width: 180mm; margin: 12mm auto; }
  h1 { text-align: center; letter-spacing: 0.4em; font-size: 26px; margin: 0 0 4px; }
  .no { text-align: right; font-size: 13px; margin-bottom: 20px; }
  p { font-size: 16px; line-height: 2; text-indent: 2em; margin: 0; }
  table { width: 100%; border-collapse: collapse; margin: 12px 0 20px; font-size: 14px; }
  th, td { border: 1px solid #333; padding: 6px 8px; text-align: left; }
  td.n, th.n { text-align: right; width: 5em; }
  .sign { margin-top: 36px; text-align: right; font-size: 16px; line-height: 2; }
  .foot { margin-top: 28px; font-size: 12px; color: #555; }
  @media print { .page { margin: 0 auto; } }
</style></head>
<body><div class="page" data-testid="certificate">
<h1>志愿服务记录证明</h1>
<div class="no">证明编号：<span data-testid="certificate-number">${esc(cert.number)}</span></div>
<p>兹证明 <b>${esc(c.volunteerName)}</b>（志愿者编号：<span data-testid="certificate-volunteer-number">${esc(c.volunteerNumber)}</span>）${period ? `于${period}` : ''}参加由${esc(c.orgName)}组织的志愿服务，经核实累计服务时长 <b data-testid="certificate-hours">${c.hours}</b> 小时。服务记录如下：</p>
<table><thead><tr><th>服务日期</th><th>服务内容</th><th class="n">时长（小时）</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr><td colspan="2">合计</td><td class="n">${c.hours}</td></tr></tfoot></table>
<p>特此证明。</p>
<div class="sign">出具单位：${esc(c.orgName)}（盖章）<br>负责人：${esc(c.personInCharge)}　联系电话：${esc(c.contact)}<br>出具日期：${cnDate(cert.issued_on)}</div>
<div class="foot">依据《志愿服务条例》《志愿服务记录与证明出具办法》，谁组织谁记录、谁记录谁证明。本证明记载的时长为经组织方确认的服务时长，不含计划时长。</div>
</div></body></html>`;
}
