import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_org_network.js';
import * as m0003 from './0003_meta_work_places.js';
import * as m0004 from './0004_cases.js';
import * as m0005 from './0005_member_name_chars.js';
import * as m0006 from './0006_files_open311.js';
import * as m0007 from './0007_otp_codes.js';
import * as m0008 from './0008_notifications.js';
import * as m0010 from './0010_member_accounts.js';

/** Every migration in order. Names sort by their number; a migration is never edited once released. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_org_network': m0002,
  '0003_meta_work_places': m0003,
  '0004_cases': m0004,
  '0005_member_name_chars': m0005,
  '0006_files_open311': m0006,
  '0007_otp_codes': m0007,
  '0008_notifications': m0008,
  '0010_member_accounts': m0010,
};
