import Flatbush from 'flatbush';
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import { bboxOf, loadTurf, type Area, type BBox } from './places.geometry.js';

// Point-in-polygon over all grids: a flatbush index over the grids' bounding boxes picks the
// candidates, turf's booleanPointInPolygon decides. Cases are routed to a grid by their location.

export interface GridEntry {
  id: string;
  code: string | null;
  name: string;
  geometry: Area;
  bbox?: BBox | null;
  communityId?: string;
  streetId?: string;
  districtId?: string;
}

export interface GridLocation {
  gridId: string;
  gridCode: string | null;
  gridName: string;
  communityId?: string;
  streetId?: string;
  districtId?: string;
}

type PointInPolygon = (typeof import('@turf/turf'))['booleanPointInPolygon'];
type Indexed = GridEntry & { bbox: BBox; boxArea: number };

const ANCESTOR_KINDS = { community: 'communityId', street: 'streetId', district: 'districtId' } as const;

/**
 * The version of the grids: bumped (by triggers on places, migration 0013) in the transaction of any
 * change to a grid row, whoever makes it. One indexed lookup, compared before a shared index is reused.
 */
async function gridStamp(ex: Executor): Promise<string> {
  const row = await ex.selectFrom('platform_meta').select('value').where('key', '=', GRID_VERSION_KEY).executeTakeFirst();
  return versionOf(row?.value);
}

/** The platform_meta key of the grids' version, for a caller that reads it with its own lookup. */
export const GRID_VERSION_KEY = 'grid_version';
const versionOf = (value: string | null | undefined) => (value && /^\d+$/.test(value) ? value : '0');

export class GridIndex {
  private constructor(
    private readonly grids: Indexed[],
    private readonly tree: Flatbush | null,
    private readonly inPolygon: PointInPolygon,
    /** The state of the grids it was built from (see gridIndexOf). */
    readonly stamp: string,
  ) {}

  /** An index over the given grids (ties between overlapping grids go to the smaller, then the first). */
  static async fromGrids(grids: readonly GridEntry[], stamp = ''): Promise<GridIndex> {
    const turf = await loadTurf();
    const entries: Indexed[] = grids.map((g) => {
      const bbox = g.bbox ?? bboxOf(g.geometry);
      return { ...g, bbox, boxArea: (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) };
    });
    let tree: Flatbush | null = null;
    if (entries.length > 0) {
      tree = new Flatbush(entries.length);
      for (const e of entries) tree.add(e.bbox[0], e.bbox[1], e.bbox[2], e.bbox[3]);
      tree.finish();
    }
    return new GridIndex(entries, tree, turf.booleanPointInPolygon, stamp);
  }

  /** Every grid with a boundary, with its community, street and district from the closure table. */
  static async load(ex: Executor, knownStamp?: string): Promise<GridIndex> {
    const stamp = knownStamp ?? (await gridStamp(ex));
    const rows = await ex
      .selectFrom('places')
      .select(['id', 'code', 'name', 'geometry', 'bbox'])
      .where('kind', '=', 'grid')
      .where('geometry', 'is not', null)
      .orderBy('code')
      .orderBy('id')
      .execute();
    const ids = rows.map((r) => String(r.id));
    const ancestors = new Map<string, Partial<Record<(typeof ANCESTOR_KINDS)[keyof typeof ANCESTOR_KINDS], string>>>();
    if (ids.length > 0) {
      const { rows: anc } = await sql<{ grid_id: string; id: string; kind: keyof typeof ANCESTOR_KINDS }>`
        SELECT c.descendant_id AS grid_id, a.id, a.kind
        FROM place_closure c JOIN places a ON a.id = c.ancestor_id
        WHERE c.descendant_id = ANY(${ids}::bigint[]) AND c.depth > 0 AND a.kind IN ('community', 'street', 'district')`.execute(ex);
      for (const a of anc) {
        const key = String(a.grid_id);
        ancestors.set(key, { ...ancestors.get(key), [ANCESTOR_KINDS[a.kind]]: String(a.id) });
      }
    }
    const grids: GridEntry[] = rows.map((r) => ({
      id: String(r.id),
      code: r.code,
      name: r.name,
      geometry: r.geometry as Area,
      bbox: r.bbox && r.bbox.length === 4 ? (r.bbox as BBox) : null,
      ...ancestors.get(String(r.id)),
    }));
    return GridIndex.fromGrids(grids, stamp);
  }

  get size(): number {
    return this.grids.length;
  }

  /** The grid containing the point (edges count as inside), with its ancestors; null outside every grid. */
  locate(lng: number, lat: number): GridLocation | null {
    if (!this.tree || !Number.isFinite(lng) || !Number.isFinite(lat)) return null;
    const hits = this.tree
      .search(lng, lat, lng, lat)
      .filter((i) => this.inPolygon([lng, lat], this.grids[i]!.geometry))
      .sort((a, b) => this.grids[a]!.boxArea - this.grids[b]!.boxArea || a - b);
    const g = hits.length ? this.grids[hits[0]!]! : null;
    if (!g) return null;
    return {
      gridId: g.id,
      gridCode: g.code,
      gridName: g.name,
      ...(g.communityId ? { communityId: g.communityId } : {}),
      ...(g.streetId ? { streetId: g.streetId } : {}),
      ...(g.districtId ? { districtId: g.districtId } : {}),
    };
  }

  /** A fresh index from the database, e.g. after an import. */
  rebuild(ex: Executor): Promise<GridIndex> {
    return GridIndex.load(ex);
  }
}

// One index per database, with the version it is being (or was) built from: requests that arrive
// while it loads share the same load.
const shared = new WeakMap<Db, { stamp: string; index: Promise<GridIndex>; ready?: GridIndex }>();

/**
 * The index already built for a database, without waiting or reading anything (null while none is):
 * for a caller that routes a point first and reads the grids' version in its own next statement.
 * With `version`, only an index at least that current.
 */
export function builtGridIndex(db: Db, version?: string | null): GridIndex | null {
  const cached = shared.get(db);
  if (!cached?.ready) return null;
  return version === undefined || BigInt(cached.stamp) >= BigInt(versionOf(version)) ? cached.ready : null;
}

/**
 * The shared index of a database: built on first use and rebuilt when the grids have changed since
 * (here or on another server instance), so a case is always routed by the current boundaries.
 * The version is read before the grids, so an index never carries a newer version than its grids.
 */
export async function gridIndexOf(db: Db, opts: { version?: string | null } = {}): Promise<GridIndex> {
  // a caller may read the version itself, with its own lookup (platform_meta, GRID_VERSION_KEY)
  const stamp = opts.version !== undefined ? versionOf(opts.version) : await gridStamp(db);
  const cached = shared.get(db);
  // versions only grow: an index built from a newer version than this request read is current too
  if (cached && BigInt(cached.stamp) >= BigInt(stamp)) {
    const index = await cached.index.catch(() => null);
    if (index) return index;
  }
  const index = GridIndex.load(db, stamp);
  const entry: { stamp: string; index: Promise<GridIndex>; ready?: GridIndex } = { stamp, index };
  shared.set(db, entry);
  void index.then((built) => {
    entry.ready = built;
  }, () => undefined);
  // a failed load is not kept: the next case tries again
  index.catch(() => {
    if (shared.get(db) === entry) shared.delete(db);
  });
  return index;
}

/** Drops the shared index after grid boundaries changed; the next gridIndexOf rebuilds it. */
export function invalidateGridIndex(db: Db): void {
  shared.delete(db);
}
