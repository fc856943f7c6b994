import type { Logger } from 'pino';
import type { Config } from './config';
import type { Db } from './db';
import type { Actor } from './auth';

/** What the app, its services and its jobs are given at start. Tests build their own. */
export interface Deps {
  db: Db;
  config: Config;
  log: Logger;
  /** The current time; tests move it to cross deadlines and grace periods. */
  clock: () => Date;
}

/**
 * The request context: what a service entry point acting for a person receives as its first argument, built once
 * per request (src/web/request.ts `ctxOf`). Jobs, which act for nobody, receive the Deps alone.
 */
export interface Ctx extends Deps {
  actor: Actor;
}
