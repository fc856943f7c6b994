// Dispatch: the public entry point. Other features and the top-level files import only from here.

// The contract with letters (which builds the package) and the shared outbox other features enqueue into.
export type { DispatchPackage, MailRequest } from './contract';
export { enqueueMail } from './outbox';
export { drainOutbox, kickOutbox } from './worker';

// E-mailing issued letters and following them (each takes the request context; deliveryOverview and
// acknowledgeDelivery take the Deps: their callers have authorised, or act for nobody).
export { acknowledgeDelivery, deliveryOverview, dispatchLetter, lettersAwaitingDispatch, listDeliveries } from './service';

// The inbox feature records a receipt in the system on the sender's delivery (in its own transaction).
export { acknowledgeInSystem } from './service';
export type { DeliveryChannel } from './states';

// Start-up, shutdown and the job.
export { outboxIdle, startupOutbox } from './worker';
export { jobs } from './jobs';

// HTTP: the JSON API (/api/v1) and the pages.
export { apiRouter, pageRouter } from './routes';
