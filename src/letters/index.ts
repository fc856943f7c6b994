export { getDispatchPackage } from './dispatch-package';
export type { LetterDocument } from './document';
export { renderLetterDocx } from './docx';
export type { Letter } from './model';
export { issueLetter } from './register';
export { LetterCreate } from './schemas';
export { approveLetter, awaitingActor, createLetter, listLetters, submitLetter } from './service';
export { installShippedTemplates, listTemplates } from './template-service';
export { apiRouter, pageRouter } from './routes';
