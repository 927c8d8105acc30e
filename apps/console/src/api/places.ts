// Places (区划、网格、小区、楼宇、企业): the tree, details, boundaries, GeoJSON import.
import { http, type Query } from './http';
import type { ListParams, Page } from './types';

export interface PlaceCan { edit: boolean; delete: boolean; addChild: boolean; importGeojson: boolean }
export interface Geometry { type: string; coordinates: unknown }

export interface PlaceNode { id: string; parentId: string | null; name: string; kind: string; code: string | null; hasChildren: boolean }

export interface Place {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  code: string | null;
  address: string | null;
  lng: number | null;
  lat: number | null;
  floors: number | null;
  buildingUse: string | null;
  households: number;
  hasBoundary: boolean;
  can: PlaceCan;
}

export interface PlaceDetail extends Place {
  sortOrder: number;
  geometry: Geometry | null;
  bbox: number[] | null;
  units: number | null;
  attributes: Record<string, unknown>;
  path: { id: string; name: string; kind: string }[];
  childCounts: Record<string, number>;
  subtreeCounts: Record<string, number>;
  childKinds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface PlaceWarning {
  code: 'OUTSIDE_PARENT';
  feature: string;
  featureIndex: number | null;
  placeCode: string | null;
  parentCode: string | null;
  outsideShare: number;
  message: string;
}
export type PlaceWritten = PlaceDetail & { warnings: PlaceWarning[] };

export interface PlaceInput {
  parentId: string;
  kind: string;
  name: string;
  code?: string | null;
  sortOrder?: number;
  geometry?: Geometry | null;
  lng?: number | null;
  lat?: number | null;
  address?: string | null;
  floors?: number | null;
  buildingUse?: string | null;
  households?: number | null;
  units?: number | null;
}

export interface Feature { type: 'Feature'; id?: string | number; geometry: Geometry | null; properties: Record<string, unknown> | null }
export interface FeatureCollection { type: 'FeatureCollection'; bbox?: number[]; features: Feature[] }

export interface ImportMapping { name: string; code: string; kind?: string; parentCode?: string }
export interface ImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  items: { featureIndex: number; name: string; code: string | null; kind: string; action: 'create' | 'update'; id: string | null; parentCode: string | null }[];
  warnings: PlaceWarning[];
}

export interface PlaceFilters { q?: string; kind?: string; parentId?: string; code?: string }

const enc = encodeURIComponent;

export const placesApi = {
  children: (parentId?: string) => http.get<PlaceNode[]>('/places/tree', { parentId }),
  list: (params: ListParams & PlaceFilters) => http.get<Page<Place>>('/places', params as unknown as Query),
  get: (id: string) => http.get<PlaceDetail>(`/places/${enc(id)}`),
  create: (input: PlaceInput) => http.post<PlaceWritten>('/places', input),
  update: (id: string, patch: Partial<Omit<PlaceInput, 'parentId' | 'kind'>>) => http.patch<PlaceWritten>(`/places/${enc(id)}`, patch),
  remove: (id: string) => http.del(`/places/${enc(id)}`),
  childrenGeojson: (id: string) => http.get<FeatureCollection>(`/places/${enc(id)}/children/geojson`),
  nextGridCode: (id: string) => http.get<{ code: string; communityCode: string }>(`/places/${enc(id)}/next-grid-code`),
  importGeojson: (input: { featureCollection: FeatureCollection; mapping: ImportMapping; parentId?: string; dryRun: boolean }) =>
    http.post<ImportResult>('/places/import/geojson', input),
};
