// The public entry point of broadcasts: nothing outside this folder imports its other files.

// Routers, mounted by src/app.ts (API at /api/v1, pages and receiver feeds at /).
export { apiRouter, pageRouter } from './routes';
// The public masters (/audio/<sha256>.mp3), mounted before sessions and body parsing.
export { publicAudioRouter } from './http';
// Jobs and start-up (src/all-jobs.ts, src/startup.ts): missed slots, interrupted conversions, ffmpeg check.
export { jobs } from './jobs';
export { startupAudio } from './audio';
// Reads for other features: a commune's day (home page), a campaign's broadcasts and who missed them (campaigns).
export { itemsForCommune } from './broadcaster';
export { broadcastsOfCampaign } from './schedule';
export { missedByBroadcast } from './missed';
// What the demo seed does through the service, as a user would (src/seed).
export { enqueueAudioJob, uploadAudio } from './audio';
export { resolveFfmpeg } from './ffmpeg';
export { createBroadcast, markMissed } from './schedule';
export { confirmOccurrence } from './broadcaster';
