// Letters: the public entry point. Other features and the top-level files import only from here.

// Reading, drafting and the workflow, for dispatch, the demo seed and the campaign and home pages (each takes the request context).
export { approveLetter, awaitingActor, createLetter, getLetter, listLetters, returnedToActor, submitLetter } from './service';
export { issueLetter } from './register';

// The letter's history: dispatch records 'dispatched' in its own transaction.
export { recordLetterEvent } from './history';
export { LetterCreate } from './schemas';
export type { Letter } from './model';

// What dispatch e-mails (contract: src/dispatch/contract.ts), built without authorising: dispatch decides who may send.
export { getDispatchPackage } from './dispatch-package';

// The letter as printed and its DOCX renderer (the reports summary letter uses both).
export type { LetterDocument } from './document';
export { renderLetterDocx } from './docx';

// Templates: the shipped ones loaded at start-up, and the list (the demo seed drafts from one).
export { installShippedTemplates, listTemplates } from './template-service';

// HTTP: the JSON API (/api/v1) and the pages.
export { apiRouter, pageRouter } from './routes';
