import type { Deps } from './deps';

/**
 * Work each feature does once at start, after migrations and before listening
 * (e.g. logging which ffmpeg binary is used, resuming jobs a crash interrupted).
 */
export async function startup(_deps: Deps): Promise<void> {
  // features add their start-up steps here
}
