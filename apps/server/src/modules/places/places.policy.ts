import { can } from '../../platform/access.js';
import type { Actor } from '../../platform/actor.js';
import { childKinds } from './places.rules.js';

export interface PlaceFacts {
  kind: string;
  /** The parent lies in the actor's scope: a place is changed from the level above it. */
  parentInScope: boolean;
  /** Direct children; undefined when not counted (lists). */
  children?: number;
  /** Organisations attached to the place; undefined when not counted (lists). */
  orgRefs?: number;
}

/** What the actor may do with one place; the console enables its buttons from this. */
export function placeCan(actor: Actor, f: PlaceFacts) {
  const write = can(actor, 'places:write');
  const edit = write && f.parentInScope;
  return {
    edit,
    delete: edit && f.children === 0 && f.orgRefs === 0,
    addChild: write && childKinds(f.kind).length > 0,
    importGeojson: write && childKinds(f.kind).length > 0,
  };
}
export type PlaceCan = ReturnType<typeof placeCan>;
