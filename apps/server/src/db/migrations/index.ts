import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_org_network.js';
import * as m0003 from './0003_meta_work_places.js';
import * as m0004 from './0004_cases.js';
import * as m0005 from './0005_member_name_chars.js';
import * as m0006 from './0006_files_open311.js';
import * as m0007 from './0007_otp_codes.js';
import * as m0008 from './0008_notifications.js';
import * as m0009 from './0009_open311_public.js';
import * as m0010 from './0010_member_accounts.js';
import * as m0011 from './0011_anonymous_files.js';
import * as m0011feed from './0011_feed.js';
import * as m0012 from './0012_points_activities.js';
import * as m0013 from './0013_case_speed.js';
import * as m0014 from './0014_org_life.js';
import * as m0015 from './0015_case_place_checks.js';
import * as m0016 from './0016_rate_windows.js';
import * as m0017 from './0017_file_names.js';

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
  '0009_open311_public': m0009,
  '0010_member_accounts': m0010,
  '0011_anonymous_files': m0011,
  '0011_feed': m0011feed,
  '0012_points_activities': m0012,
  '0013_case_speed': m0013,
  '0014_org_life': m0014,
  '0015_case_place_checks': m0015,
  '0016_rate_windows': m0016,
  '0017_file_names': m0017,
};
