import type { Request, Response } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { parse } from '../shared/validate';
import { actorOf } from '../web/request';
import { uploadedFile, type UploadOptions } from '../web/upload';
import { notFound } from '../shared/errors';
import { mediaPath } from '../shared/media';
import * as audio from './audio';
import { sendAudio } from './serve';
import { AudioUpload } from './schemas';

/**
 * HTTP pieces the API and the pages share: receiving an audio upload and sending a master.
 * Audio uploads: staff only (checked before the body is read), one byte over AUDIO_MAX_MB is a 413.
 */
export function audioUpload(deps: Deps): UploadOptions {
  return { roles: audio.STAFF, maxBytes: deps.config.AUDIO_MAX_MB * 1024 * 1024 };
}

/** Parses the multipart title and hands the file to the service; a refused request leaves no temp file. */
export async function receiveAudio(deps: Deps, req: Request) {
  const actor = actorOf(req);
  try {
    const file = uploadedFile(req);
    const { title } = parse(AudioUpload, { title: req.body?.title ?? '' });
    return await audio.uploadAudio(deps, actor, { path: file.path, size: file.size, originalName: file.originalname }, title);
  } finally {
    if (req.file) await fs.promises.unlink(req.file.path).catch(() => undefined);
  }
}

/** The master of an audio asset, by its content hash. */
export async function sendMaster(deps: Deps, req: Request, res: Response, sha256: string, name?: string): Promise<void> {
  const file = mediaPath(deps.config.MEDIA_DIR, `audio/${sha256.slice(0, 2)}/${sha256}.mp3`);
  if (!(await sendAudio(req, res, { path: file, sha256, name }))) throw notFound('Audio', 'AUDIO_NOT_FOUND');
}

