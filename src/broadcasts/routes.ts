import { Router } from 'express';
import type { Deps } from '../deps';

/** JSON API, mounted at /api/v1. */
export function apiRouter(_deps: Deps): Router {
  return Router();
}

/** Server-rendered pages, mounted at /. */
export function pageRouter(_deps: Deps): Router {
  return Router();
}
