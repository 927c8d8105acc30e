import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePermission } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { listRuleSets } from '../../platform/rules.js';
import { optionalString } from '../../platform/pagination.js';
import { caseRulesSchema } from '../cases/cases.rules.js';
import { commitmentRulesSchema } from '../commitments/commitments.rules.js';
import { pointsRulesSchema } from '../points/points.rules.js';
import { lifeRulesSchema } from '../life/life.rules.js';
import { volunteerRulesSchema } from '../activities/activities.rules.js';

// What each rule set must contain; a new version is checked against it before it is stored.
const RULE_SCHEMAS: Record<string, z.ZodTypeAny> = {
  org_rules: z.object({
    ownBranchMinFullMembers: z.number().int().min(1),
    jointBranchMaxUnits: z.number().int().min(1),
    branchMaxMembers: z.number().int().min(1),
    committeeOverMembers: z.number().int().min(1),
    committeeRequiredFullMembers: z.number().int().min(1),
    committeeMinSize: z.number().int().min(1),
    committeeMaxSize: z.number().int().min(1),
    termYears: z.object({ community: z.number().int().min(1), branch: z.number().int().min(1), general_branch: z.number().int().min(1), committee: z.number().int().min(1) }),
    termWarningDays: z.number().int().min(0),
    officeBuildingMinFloors: z.number().int().min(1),
  }),
  case_rules: caseRulesSchema,
  commitment_rules: commitmentRulesSchema,
  points_rules: pointsRulesSchema,
  life_rules: lifeRulesSchema,
  volunteer_rules: volunteerRulesSchema,
};

const ruleSetSchema = z.object({ id: z.string(), key: z.string(), version: z.string(), effectiveFrom: z.string(), title: z.string(), rules: z.unknown() });

export async function ruleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['rules'];
  app.get('/api/rules', { schema: { tags, summary: 'Rule sets and their versions', querystring: z.object({ key: optionalString(40) }), response: { 200: z.array(ruleSetSchema) } } }, async (req) => {
    await requirePermission(app.deps.database.db, req.ctx, 'rules:read');
    return listRuleSets(app.deps.database.db, req.query.key);
  });

  app.post('/api/rules', {
    schema: {
      tags, summary: 'Add a new version of a rule set, in force from a date',
      body: z.object({ key: z.enum(Object.keys(RULE_SCHEMAS) as [string, ...string[]]), version: z.string().trim().min(1).max(40), effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), title: z.string().trim().min(1).max(200), rules: z.record(z.string(), z.unknown()) }),
      response: { 201: z.object({ id: z.string() }) },
    },
  }, async (req, reply) => {
    const { db } = app.deps.database;
    const actor = await requirePermission(db, req.ctx, 'rules:write', { type: 'rule_set' });
    const parsed = RULE_SCHEMAS[req.body.key]!.safeParse(req.body.rules);
    if (!parsed.success) throw new AppError('VALIDATION_FAILED', {}, Object.fromEntries(parsed.error.issues.map((i) => [`rules.${i.path.join('.')}`, i.message])));
    if (await db.selectFrom('rule_sets').select('id').where('key', '=', req.body.key).where('version', '=', req.body.version).executeTakeFirst()) {
      throw new AppError('RULE_VERSION_TAKEN', { key: req.body.key, version: req.body.version });
    }
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('rule_sets').values({ key: req.body.key, version: req.body.version, effective_from: req.body.effectiveFrom, title: req.body.title, rules: JSON.stringify(parsed.data) }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'rules.create', targetType: 'rule_set', targetId: String(row.id), targetLabel: `${req.body.key}@${req.body.version}`, ip: req.ip, changes: { effectiveFrom: req.body.effectiveFrom, rules: parsed.data } });
      return String(row.id);
    });
    reply.status(201);
    return { id };
  });
}
