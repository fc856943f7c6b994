import type { Deps } from './deps';
import { installShippedTemplates } from './letters';
import { startupAudio } from './broadcasts';
import { startupOutbox } from './dispatch';
import { sweepTmp } from './shared/media';

/**
 * Work each feature does once at start, after migrations and before listening:
 * resuming what a crash interrupted, loading shipped content, logging what the process will use.
 */
export async function startup(deps: Deps): Promise<void> {
  const swept = await sweepTmp(deps.config.MEDIA_DIR); // uploads: temp files a crash left behind (before transcodes resume)
  if (swept) deps.log.info({ swept }, 'removed stale files from MEDIA_DIR/tmp');
  await installShippedTemplates(deps); // letters: load templates/letters/*.hbs once, keeping UI edits
  await startupAudio(deps); // broadcasts: log the ffmpeg binary and version, resume interrupted transcodes
  await startupOutbox(deps); // dispatch: reconcile messages a crash left in "sending", then send what is due
}
