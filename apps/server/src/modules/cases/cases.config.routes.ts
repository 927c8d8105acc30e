import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listCategories, listDepartments, saveCategory, saveDepartment, setDepartmentStaff } from './cases.config.js';
import { listRoutes, saveRoute } from './cases.routing.js';
import {
  categoriesQuery, categoryBody, categorySchema, codeParam, createCategoryBody, departmentBodySchema, departmentSchema, departmentsQuery, idParam, routeBody, routeSchema, routesQuery, staffBody,
} from './cases.schema.js';

// Configuration of cases (cases:configure): categories and their deadlines, departments and their
// staff, the routing table. Reading categories is public (the report form and Open311 need them).

export async function configRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['cases'];
  const deps = app.deps;

  app.get('/api/cases/categories', { config: { public: true }, schema: { tags, summary: 'Case categories (active ones; all=1 for the settings page)', querystring: categoriesQuery, response: { 200: z.array(categorySchema) } } }, async (req) =>
    listCategories(deps.database.db, { all: req.query.all }),
  );
  app.post('/api/cases/categories', { schema: { tags, summary: 'Add a case category with its default priority and deadlines', body: createCategoryBody, response: { 201: categorySchema } } }, async (req, reply) => {
    const { code, ...input } = req.body;
    const saved = await saveCategory(deps, req.ctx, code, input, 'create');
    reply.status(201);
    return saved;
  });
  app.put('/api/cases/categories/:code', { schema: { tags, summary: 'Change a case category (deadline hours per priority override the rule set)', params: codeParam, body: categoryBody, response: { 200: categorySchema } } }, async (req) =>
    saveCategory(deps, req.ctx, req.params.code, req.body, 'update'),
  );

  app.get('/api/cases/departments', { schema: { tags, summary: 'Departments working in my area (department staff: their own)', querystring: departmentsQuery, response: { 200: z.array(departmentSchema) } } }, async (req) =>
    listDepartments(deps, req.ctx, req.query),
  );
  app.post('/api/cases/departments', { schema: { tags, summary: 'Add a department working in a place (a street, a district …)', body: departmentBodySchema, response: { 201: departmentSchema } } }, async (req, reply) => {
    const saved = await saveDepartment(deps, req.ctx, null, req.body);
    reply.status(201);
    return saved;
  });
  app.put('/api/cases/departments/:id', { schema: { tags, summary: 'Change a department', params: idParam, body: departmentBodySchema, response: { 200: departmentSchema } } }, async (req) =>
    saveDepartment(deps, req.ctx, req.params.id, req.body),
  );
  app.put('/api/cases/departments/:id/staff', { schema: { tags, summary: 'Set the accounts acting for a department', params: idParam, body: staffBody, response: { 200: departmentSchema } } }, async (req) =>
    setDepartmentStaff(deps, req.ctx, req.params.id, req.body.accountIds),
  );

  app.get('/api/cases/routing', { schema: { tags, summary: 'Routing table entries (place × category → departments) in my area', querystring: routesQuery, response: { 200: z.array(routeSchema) } } }, async (req) =>
    listRoutes(deps, req.ctx, req.query),
  );
  app.put('/api/cases/routing', { schema: { tags, summary: 'Set the departments for a place and a category (an empty list removes the entry)', body: routeBody } }, async (req, reply) => {
    await saveRoute(deps, req.ctx, req.body);
    return reply.status(204).send();
  });
}
