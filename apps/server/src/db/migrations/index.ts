import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_platform.js';

/** Every migration in order. Names sort by their number; a migration is never edited once released. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
};
