import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emptyAsUndefined, pageQuery } from '../../platform/pagination.js';
import { coverageReport } from './org-coverage.service.js';

const rateSchema = z.object({ total: z.number(), covered: z.number(), rate: z.number().nullable() });
const summary = z.object({ compound: rateSchema, office_building: rateSchema, enterprise: rateSchema, all: rateSchema });

export async function coverageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get('/api/places/:id/coverage', {
    schema: {
      tags: ['coverage'],
      summary: 'Organisation coverage of compounds, 20+-floor office buildings and enterprises, and branch-health warnings, under a place',
      params: z.object({ id: z.string().regex(/^\d{1,18}$/) }),
      querystring: z.object({
        date: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional()).describe('evaluate the rules in force on this day (default today)'),
        unitKind: z.preprocess(emptyAsUndefined, z.enum(['compound', 'office_building', 'enterprise']).optional()),
        covered: z.preprocess((v) => (v === '' || v === undefined ? undefined : v === 'true' || v === '1'), z.boolean().optional()),
        ...pageQuery,
      }),
      response: {
        200: z.object({
          place: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
          date: z.string(),
          ruleSet: z.object({ key: z.string(), version: z.string(), title: z.string(), effectiveFrom: z.string() }),
          summary,
          levels: z.array(summary.extend({ id: z.string(), name: z.string(), kind: z.string(), code: z.string().nullable() })),
          units: z.object({
            items: z.array(z.object({
              id: z.string(), name: z.string(), kind: z.string(), floors: z.number().nullable(), level: z.object({ id: z.string(), name: z.string() }).nullable(),
              covered: z.boolean(), ownBranch: z.boolean(), fullMembers: z.number(),
              coveredBy: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), via: z.enum(['own', 'joint']) })),
            })),
            total: z.number(), page: z.number(), pageSize: z.number(),
          }),
          warnings: z.array(z.object({
            rule: z.string(), ruleSet: z.string(), severity: z.enum(['violation', 'warning']),
            target: z.object({ type: z.enum(['place', 'org']), id: z.string(), name: z.string() }),
            params: z.record(z.string(), z.unknown()), message: z.string(), remedy: z.string(),
          })),
        }),
      },
    },
  }, (req) => coverageReport(app.deps, req.ctx, req.params.id, req.query));
}
