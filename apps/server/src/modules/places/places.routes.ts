import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createPlaceBody, featureCollectionOut, importBody, importResult, nextGridCode, placeDetail, placeIdParam, placeListQuery, placeNode, placePage, placeWritten, treeQuery, updatePlaceBody,
} from './places.schema.js';
import { importGeojson } from './places.import.js';
import { childrenGeoJson, getPlaceDetail, listPlaces, nextGridCodeFor, placeChildren } from './places.service.js';
import { createPlaceUnder, deletePlace, updatePlace } from './places.write.js';

export async function placeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['places'];
  const params = placeIdParam;

  app.get('/api/places/tree', { schema: { tags, summary: 'Children of a place (or my scope roots), for tree pickers', querystring: treeQuery, response: { 200: z.array(placeNode) } } }, async (req) =>
    placeChildren(app.deps.database.db, req.ctx.actor!, req.query.parentId),
  );

  app.get('/api/places', { schema: { tags, summary: 'Search places in my scope by name, kind, code prefix and subtree', querystring: placeListQuery, response: { 200: placePage } } }, (req) =>
    listPlaces(app.deps, req.ctx, req.query),
  );

  app.post('/api/places', { schema: { tags, summary: 'Create a place under a parent (kind and code rules; a grid without a code gets the next number)', body: createPlaceBody, response: { 201: placeWritten } } }, async (req, reply) => {
    reply.status(201);
    return createPlaceUnder(app.deps, req.ctx, req.body);
  });

  app.post(
    '/api/places/import/geojson',
    {
      bodyLimit: app.deps.config.uploadLimit,
      schema: { tags, summary: 'Import a GeoJSON FeatureCollection: all features checked first, then upserted by code in one transaction', body: importBody, response: { 200: importResult } },
    },
    (req) => importGeojson(app.deps, req.ctx, req.body),
  );

  app.get('/api/places/:id', { schema: { tags, summary: 'One place with its path, counts below it and rolled-up households (404 outside my scope)', params, response: { 200: placeDetail } } }, (req) =>
    getPlaceDetail(app.deps, req.ctx, req.params.id),
  );

  app.patch('/api/places/:id', { schema: { tags, summary: 'Change a place (name, code, boundary, point, building data)', params, body: updatePlaceBody, response: { 200: placeWritten } } }, (req) =>
    updatePlace(app.deps, req.ctx, req.params.id, req.body),
  );

  app.delete('/api/places/:id', { schema: { tags, summary: 'Delete a place without children that no organisation refers to', params } }, async (req, reply) => {
    await deletePlace(app.deps, req.ctx, req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/places/:id/children/geojson', { schema: { tags, summary: 'The children’s boundaries or points as a GeoJSON FeatureCollection (map preview)', params, response: { 200: featureCollectionOut } } }, (req) =>
    childrenGeoJson(app.deps, req.ctx, req.params.id),
  );

  app.get('/api/places/:id/next-grid-code', { schema: { tags, summary: 'The next free 15-digit grid code in a community', params, response: { 200: nextGridCode } } }, (req) =>
    nextGridCodeFor(app.deps, req.ctx, req.params.id),
  );
}
