// Incoming letters (văn bản đến): the public entry point. Other features and the top-level files import only from here.

// What dispatch hands over and the call that puts a dispatched letter into the recipients' inboxes (its transaction).
export type { ArrivingLetter } from './service';
export type { InboxFile, InboxItem } from './model';
export { deliverToInboxes } from './service';

// The home page's panels (request context): letters to receive (văn thư), letters handed to me.
export { lettersAssignedToMe, lettersToReceive } from './service';

// HTTP: the JSON API (/api/v1) and the pages.
export { apiRouter, pageRouter } from './routes';
