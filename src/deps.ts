import type { Logger } from 'pino';
import type { Config } from './config';
import type { Db } from './db';

/** What the app, its services and its jobs are given at start. Tests build their own. */
export interface Deps {
  db: Db;
  config: Config;
  log: Logger;
  /** The current time; tests move it to cross deadlines and grace periods. */
  clock: () => Date;
}
