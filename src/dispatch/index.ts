export type { DispatchPackage } from './contract';
export { enqueueMail } from './outbox';
export { acknowledge, deliveryOverview, dispatchLetter, lettersAwaitingDispatch } from './service';
export { drainOutbox, kickOutbox } from './worker';
export { jobs } from './jobs';
export { apiRouter, pageRouter } from './routes';
export { startupOutbox } from './worker';
export { outboxIdle } from './worker';
