import { sql } from 'kysely';
import type { Db, Executor } from '../../database.js';
import { DEFAULT_RULE_SETS } from '../../../platform/rules.js';
import type { City } from './generate.js';

// What a member of 老围社区 finds in the demo (issue 5): a branch feed with the meetings their branch
// held and the notices of the street, the community and the branch; activities and volunteer jobs
// to sign up for in the coming two weeks (relative to the day the demo is loaded, so there is always
// something ahead); and a branch-mate's commitments for the year, one of them fulfilled. Written
// as the modules would write them (an activity and a commitment post to the feed), once, when the
// community exists and nothing of it is there yet. Meetings of other communities post nothing.

const DAY = 86_400_000;

/**
 * One feed item per held meeting of the branches (all branches without `branchIds`), as recording a
 * meeting posts it, dated when it ended, in time order; meetings already in a feed are left out. Also
 * used by the bench.
 */
export async function postHeldMeetings(ex: Executor, branchIds?: string[]): Promise<void> {
  const when = sql`coalesce(m.ends_at, m.held_on::timestamptz + interval '20 hours')`;
  await sql`
    INSERT INTO feed_items (org_id, kind, title, body, cascade, internal, author_name, ref_type, ref_id, created_at)
    SELECT m.branch_id, 'meeting', m.title, m.place || '，应到' || m.expected || '人，实到' || m.present || '人', false, true, coalesce(m.host, '支部书记'), 'meeting', m.id::text, ${when}
    FROM meetings m
    WHERE m.held_on IS NOT NULL ${branchIds ? sql`AND m.branch_id = ANY(${branchIds}::bigint[])` : sql``}
      AND NOT EXISTS (SELECT 1 FROM feed_items f WHERE f.ref_type = 'meeting' AND f.ref_id = m.id::text)
    ORDER BY ${when}, m.id`.execute(ex);
}

export async function loadMemberLifeDemo(db: Db, city: City): Promise<{ feedItems: number; activities: number }> {
  const n = city.named;
  const laoweiOrg = n.orgs['桂园街道/老围社区'];
  const laoweiPlace = n.places['桂园街道/老围社区'];
  const streetOrg = n.orgs['桂园街道'];
  const streetPlace = n.places['桂园街道'];
  if (!laoweiOrg || !laoweiPlace || !streetOrg || !streetPlace) return { feedItems: 0, activities: 0 };
  if (await db.selectFrom('activities').select('id').limit(1).executeTakeFirst()) return { feedItems: 0, activities: 0 };

  return db.transaction().execute(async (trx) => {
    const branches = (await trx
      .selectFrom('orgs as o')
      .innerJoin('org_closure as c', 'c.descendant_id', 'o.id')
      .select(['o.id', 'o.name'])
      .where('c.ancestor_id', '=', String(laoweiOrg))
      .where('o.kind', 'in', ['branch', 'joint_branch', 'general_branch'])
      .where('o.status', '=', 'active')
      .orderBy('o.id')
      .execute()).map((b) => ({ id: String(b.id), name: b.name }));
    if (branches.length === 0) return { feedItems: 0, activities: 0 };
    const first = branches[0]!;
    const now = Date.now();
    const at = (days: number, hour = 9) => {
      const d = new Date(now + days * DAY);
      d.setUTCHours(hour - 8, 0, 0, 0); // hour in China time
      return d;
    };

    // 1. the meetings the community's branches held this year, as recording them posts them
    await postHeldMeetings(trx, branches.map((b) => b.id));

    // 2. notices from above, and one from the branch itself
    const notices = [
      { org: String(streetOrg), title: '关于开展“党员回社区报到”服务月活动的通知', body: '请各社区党委组织在职党员回居住地社区报到，认领服务岗位，每人本季度参加社区服务不少于4小时。', cascade: true, author: '桂园街道党工委', days: -20 },
      { org: String(laoweiOrg), title: '老围社区党群服务中心周末开放安排', body: '党群服务中心周六、周日 9:00–17:00 开放，提供政策咨询、长者助餐和四点半课堂，欢迎党员和居民前来。', cascade: true, author: '老围社区党委', days: -9 },
      { org: String(streetOrg), title: '冬季消防安全检查工作提示', body: '进入冬季用火用电高峰，请各支部组织党员协助网格员开展楼栋消防通道巡查，发现堵塞及时在“随手拍”上报。', cascade: true, author: '桂园街道党工委', days: -4 },
      { org: first.id, title: '本月主题党日：学习贯彻党的二十届四中全会精神', body: '请全体党员按时参加，带好学习笔记；因故不能参加的请提前向支部书记请假。', cascade: false, author: `${first.name}`, days: -2 },
    ];
    for (const x of notices) {
      await sql`INSERT INTO feed_items (org_id, kind, title, body, cascade, internal, author_name, created_at)
        VALUES (${x.org}::bigint, 'notice', ${x.title}, ${x.body}, ${x.cascade}, true, ${x.author}, ${new Date(now + x.days * DAY)})`.execute(trx);
    }

    // 3. activities and volunteer jobs ahead, each posted to its organiser's feed (cascading)
    const activities = [
      { kind: 'volunteer', title: '老围社区长者饭堂助餐志愿服务', description: '协助长者饭堂分餐、送餐上门，陪伴独居长者用餐。', org: String(laoweiOrg), place: String(laoweiPlace), organiser: '老围社区党委', day: 3, from: 11, to: 13, capacity: 8, skills: [], hours: 2, location: '老围社区长者饭堂' },
      { kind: 'volunteer', title: '楼道清洁和消防通道清障行动', description: '与网格员一起清理楼道堆物和小广告，检查消防通道。', org: String(laoweiOrg), place: String(laoweiPlace), organiser: '老围社区党委', day: 5, from: 14, to: 17, capacity: 15, skills: [], hours: 3, location: '老围社区第1网格各楼栋' },
      { kind: 'activity', title: '主题党日：重温入党誓词', description: '全体党员参加，重温入党誓词并开展专题学习。', org: first.id, place: null, organiser: first.name, day: 7, from: 19, to: 21, capacity: 40, skills: [], hours: 0, location: '老围社区党群服务中心二楼会议室' },
      { kind: 'volunteer', title: '四点半课堂作业辅导', description: '为双职工家庭的小学生辅导作业，需要有辅导经验的党员。', org: String(streetOrg), place: String(streetPlace), organiser: '桂园街道党工委', day: 10, from: 16, to: 18, capacity: 6, skills: ['教育辅导'], hours: 2, location: '桂园街道党群服务中心' },
    ] as const;
    for (const a of activities) {
      const startsAt = at(a.day, a.from);
      const endsAt = at(a.day, a.to);
      const row = await trx
        .insertInto('activities')
        .values({
          kind: a.kind, title: a.title, description: a.description, org_id: a.org, place_id: a.place, organiser_name: a.organiser, starts_at: startsAt, ends_at: endsAt,
          signup_deadline: new Date(startsAt.getTime() - 2 * 3_600_000), location: a.location, capacity: a.capacity, skills: [...a.skills], service_hours: a.hours, contact: '0755-82000000',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const when = startsAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
      await trx.insertInto('feed_items').values({
        org_id: a.org, kind: 'activity', title: a.title, body: `${when} · ${a.location}\n${a.description}`, cascade: true, internal: true, author_name: a.organiser,
        ref_type: 'activity', ref_id: String(row.id), created_at: new Date(now - (activities.length - activities.indexOf(a)) * 3_600_000),
      }).execute();
    }

    // 4. commitments for the year (亮身份、做承诺) of a branch-mate of the demo member, one fulfilled
    // (践诺); the demo member's own are theirs to publish
    const logins = await trx.selectFrom('accounts').select('member_id').where('username', 'in', ['member', 'lw_secretary']).where('member_id', 'is not', null).execute();
    const demoMember = await trx.selectFrom('accounts').innerJoin('members', 'members.id', 'accounts.member_id').select('members.org_id').where('accounts.username', '=', 'member').executeTakeFirst();
    const mate = demoMember
      ? await trx.selectFrom('members').select(['id', 'name', 'org_id']).where('org_id', '=', String(demoMember.org_id)).where('state', '=', 'active')
          .where('id', 'not in', logins.map((l) => String(l.member_id))).orderBy('id').executeTakeFirst()
      : undefined;
    if (mate) {
      const m = mate;
      const rules = DEFAULT_RULE_SETS.find((r) => r.key === 'commitment_rules')!;
      const year = new Date(now).getUTCFullYear();
      const c = await trx
        .insertInto('commitments')
        .values({ member_id: String(m.id), org_id: String(m.org_id), year, rule_version: `${rules.key}@${rules.version}`, published_at: new Date(Date.UTC(year, 1, 20)) })
        .returning('id')
        .executeTakeFirstOrThrow();
      const texts = ['每季度参加社区志愿服务不少于4小时', '带头做好楼栋垃圾分类宣传', '结对帮扶一户困难家庭'];
      const items = await trx
        .insertInto('commitment_items')
        .values(texts.map((text, i) => ({ commitment_id: c.id, position: i + 1, text, status: i === 1 ? 'fulfilled' : 'in_progress' })))
        .returning(['id', 'position'])
        .execute();
      const done = items.find((i) => i.position === 2)!;
      await trx.insertInto('commitment_fulfilments').values({ item_id: done.id, status: 'fulfilled', note: '在楼栋开展垃圾分类宣传3次，发放宣传单200份', recorded_on: `${year}-09-15`, recorder_name: '支部书记' }).execute();
      await trx.insertInto('feed_items').values([
        { org_id: String(m.org_id), kind: 'commitment', title: `${m.name}亮身份、做承诺`, body: texts.join('\n'), cascade: false, internal: true, author_name: m.name, ref_type: 'commitment', ref_id: String(c.id), created_at: new Date(Date.UTC(year, 1, 20)) },
        { org_id: String(m.org_id), kind: 'commitment', title: `${m.name}践行承诺`, body: `${texts[1]}\n在楼栋开展垃圾分类宣传3次，发放宣传单200份`, cascade: false, internal: true, author_name: '支部书记', ref_type: 'commitment_item', ref_id: String(done.id), created_at: new Date(Date.UTC(year, 8, 15)) },
      ]).execute();
    }
    // feed ids follow time, as they do when items are posted one by one: renumber what was just written
    await sql`
      WITH o AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS k FROM feed_items),
           base AS (SELECT coalesce(max(id), 0) AS b FROM feed_items)
      UPDATE feed_items f SET id = base.b + o.k FROM o, base WHERE f.id = o.id`.execute(trx);
    await sql`SELECT setval(pg_get_serial_sequence('feed_items', 'id'), (SELECT max(id) FROM feed_items))`.execute(trx);
    const count = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM feed_items`.execute(trx)).rows[0]!.n);
    return { feedItems: count, activities: activities.length };
  });
}
