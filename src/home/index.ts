// The home page: what waits for each role, read through letters, dispatch, reports and broadcasts.

// The panels, for the page (and anything else that wants them).
export { homeFor } from './service';
export type { HomeItem, HomePanel } from './service';
// HTTP: the page GET / (no API).
export { pageRouter } from './routes';
