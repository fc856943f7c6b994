export { enqueueAudioJob, uploadAudio } from './audio';
export { confirmOccurrence, itemsForCommune } from './broadcaster';
export { resolveFfmpeg } from './ffmpeg';
export { missedByBroadcast } from './missed';
export { broadcastsOfCampaign, createBroadcast, markMissed } from './schedule';
export { jobs } from './jobs';
export { apiRouter, pageRouter } from './routes';
export { startupAudio } from './audio';
