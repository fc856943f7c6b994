import type { Knex } from 'knex';
import * as m001 from './001_foundation';
import * as m002 from './002_letters';
import * as m003 from './003_dispatch';
import * as m004 from './004_broadcasts';
import * as m005 from './005_reports';
import * as m006 from './006_superadmin';
import * as m007 from './007_signing';
import * as m008 from './008_bulletins';
import * as m009 from './009_dayops';
import * as m010 from './010_letter_layout';
import * as m011 from './011_letter_ops';
import * as m012 from './012_incoming';
import * as m013 from './013_report_rollups';
import * as m014 from './014_schedule_rules';
import * as m015 from './015_search';
import * as m016 from './016_notifications';

export interface Migration {
  name: string;
  module: { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };
}

/** In the order they run. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migration[] = [
  { name: '001_foundation', module: m001 },
  { name: '002_letters', module: m002 },
  { name: '003_dispatch', module: m003 },
  { name: '004_broadcasts', module: m004 },
  { name: '005_reports', module: m005 },
  { name: '006_superadmin', module: m006 },
  { name: '007_signing', module: m007 },
  { name: '008_bulletins', module: m008 },
  { name: '009_dayops', module: m009 },
  { name: '010_letter_layout', module: m010 },
  { name: '011_letter_ops', module: m011 },
  { name: '012_incoming', module: m012 },
  { name: '013_report_rollups', module: m013 },
  { name: '014_schedule_rules', module: m014 },
  { name: '015_search', module: m015 },
  { name: '016_notifications', module: m016 },
];
