import type { AppDeps } from '../../app.js';
import type { RequestContext } from '../../platform/actor.js';
import { can, idsInScope } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { todayInChina } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import type { CommitmentRules, RuleSet } from '../../platform/rules.js';
import { memberBranch, postFeedItem } from '../feed/feed.service.js';
import { present } from './commitments.present.js';
import { itemsOf, loadSets, replaceItems, setOfMemberYear } from './commitments.repo.js';
import { commitmentRulesOn } from './commitments.rules.js';

// A member's own commitments (亮身份、做承诺, MEM-10): one set per year, published to the branch
// feed, editable until the branch confirms it.

const yearsOf = (rules: CommitmentRules, today: string) => {
  const from = Number(today.slice(0, 4));
  return Array.from({ length: rules.yearsAhead + 1 }, (_, i) => from + i);
};

const rulesView = (r: RuleSet<CommitmentRules>, today: string) => ({ version: `${r.key}@${r.version}`, maxItems: r.rules.maxItems, itemMaxChars: r.rules.itemMaxChars, years: yearsOf(r.rules, today) });

/** The rule in force: the year, the number of items and their length. Throws before anything is written. */
function checkItems(r: RuleSet<CommitmentRules>, year: number, texts: string[], today: string) {
  const years = yearsOf(r.rules, today);
  const rule = `${r.key}@${r.version}`;
  if (!years.includes(year)) throw new AppError('COMMITMENT_YEAR_INVALID', { from: years[0], to: years.at(-1) }, { year: 'COMMITMENT_YEAR_INVALID' });
  if (texts.length > r.rules.maxItems) throw new AppError('COMMITMENT_TOO_MANY_ITEMS', { max: r.rules.maxItems, rule }, { items: 'COMMITMENT_TOO_MANY_ITEMS' });
  const long = texts.map((t, i) => [t, i] as const).filter(([t]) => [...t].length > r.rules.itemMaxChars);
  if (long.length) throw new AppError('COMMITMENT_ITEM_TOO_LONG', { max: r.rules.itemMaxChars, rule }, Object.fromEntries(long.map(([, i]) => [`items.${i}`, 'COMMITMENT_ITEM_TOO_LONG'])));
}

async function mineView(deps: AppDeps, ctx: RequestContext, memberId: string, orgId: string) {
  const { db } = deps.database;
  const actor = ctx.actor!;
  // a secretary who is also a member may confirm their own set, as for any member of their branch
  const inScope = can(actor, 'commitments:review') && (await idsInScope(db, actor, 'org', [orgId])).size > 0;
  return present(db, actor, await loadSets(db, { memberId }), () => inScope);
}

export async function myCommitments(deps: AppDeps, ctx: RequestContext) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const today = todayInChina();
  const rules = await commitmentRulesOn(db, today);
  return { items: await mineView(deps, ctx, me.memberId, me.orgId), rules: rulesView(rules, today) };
}

/** Publishes (first time: also to the branch feed) or replaces my commitments for a year. */
export async function publishCommitments(deps: AppDeps, ctx: RequestContext, year: number, texts: string[]) {
  const { db } = deps.database;
  const me = await memberBranch(db, ctx);
  const today = todayInChina();
  const rules = await commitmentRulesOn(db, today);
  checkItems(rules, year, texts, today);
  const label = `${me.name} ${year}`;
  const who = { actorId: me.actor.id, actorName: me.actor.username, ip: ctx.ip };
  try {
    await db.transaction().execute(async (trx) => {
      const existing = await setOfMemberYear(trx, me.memberId, year);
      if (existing) {
        if (existing.status === 'locked') throw new AppError('COMMITMENT_LOCKED', { year });
        const before = (await itemsOf(trx, String(existing.id))).map((i) => i.text);
        if (JSON.stringify(before) === JSON.stringify(texts)) return;
        await replaceItems(trx, String(existing.id), texts);
        await trx.updateTable('commitments').set({ updated_at: new Date(), rule_version: rules.version }).where('id', '=', existing.id).execute();
        await recordAudit(trx, { ...who, action: 'commitment.update', targetType: 'commitment', targetId: String(existing.id), targetLabel: label, changes: { year, items: { from: before, to: texts } } });
        return;
      }
      const row = await trx.insertInto('commitments').values({ member_id: me.memberId, org_id: me.orgId, year, rule_version: rules.version }).returning('id').executeTakeFirstOrThrow();
      const id = String(row.id);
      await replaceItems(trx, id, texts);
      await recordAudit(trx, { ...who, action: 'commitment.publish', targetType: 'commitment', targetId: id, targetLabel: label, changes: { year, orgId: me.orgId, items: texts, rule: `${rules.key}@${rules.version}` } });
      await postFeedItem(trx, {
        orgId: me.orgId, kind: 'commitment', title: `${me.name}公开${year}年度承诺`, body: texts.map((t, i) => `${i + 1}. ${t}`).join('\n'),
        refType: 'commitment', refId: id, actor: { id: me.actor.id, name: me.actor.username }, authorName: me.name, ip: ctx.ip,
      });
    });
  } catch (e) {
    // two devices publishing the first set of a year at once: the unique index decides
    if ((e as { code?: string })?.code === '23505') throw new AppError('COMMITMENT_YEAR_TAKEN', { year });
    throw e;
  }
  return (await mineView(deps, ctx, me.memberId, me.orgId)).find((c) => c.year === year)!;
}
