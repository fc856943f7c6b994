import type { Deps } from './deps';
import { installShippedTemplates } from './letters/template-service';
import { startupAudio } from './broadcasts/audio';
import { startupOutbox } from './dispatch/worker';

/**
 * Work each feature does once at start, after migrations and before listening
 * (e.g. logging which ffmpeg binary is used, resuming jobs a crash interrupted).
 */
export async function startup(_deps: Deps): Promise<void> {
  // features add their start-up steps here
  await installShippedTemplates(_deps.db, _deps.clock()); // letters: load templates/letters/*.hbs once, keeping UI edits
  await startupAudio(_deps); // broadcasts: log the ffmpeg binary and version, resume interrupted transcodes
  await startupOutbox(_deps); // dispatch: resume the mail outbox (reconcile messages a crash left in "sending")
}
