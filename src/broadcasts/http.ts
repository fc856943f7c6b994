import { Router, type Request, type Response } from 'express';
import fs from 'node:fs';
import type { Deps } from '../deps';
import { PREPARER_ROLES } from '../auth';
import { ctxOf } from '../web/request';
import { field, formBody, parseForm } from '../web/forms';
import { uploadedFile, type UploadOptions } from '../web/upload';
import { AppError, invalid, notFound } from '../shared/errors';
import { mediaPath } from '../shared/media';
import * as audio from './audio';
import { sendAudio } from './serve';
import { AudioUpload } from './schemas';

/**
 * HTTP pieces the API and the pages share: receiving an audio upload and sending a master.
 * Audio uploads: preparers only (checked before the body is read), one byte over AUDIO_MAX_MB is a 413.
 */
export function audioUpload(deps: Deps): UploadOptions {
  return { roles: PREPARER_ROLES, maxBytes: deps.config.AUDIO_MAX_MB * 1024 * 1024 };
}

/**
 * Parses the multipart title and hands the file to the service; a refused request leaves no temp file.
 * A missing title and a missing file are reported together (FILE_REQUIRED, as without a title), each on its
 * field; a body the upload refused (413, malformed) is reported as it is.
 */
export async function receiveAudio(req: Request) {
  const ctx = ctxOf(req);
  try {
    if (req.uploadError) throw req.uploadError;
    const fields: Record<string, string> = {};
    let title = '';
    try {
      title = parseForm(AudioUpload, formBody(req), (b) => ({ title: field(b, 'title') ?? '' })).title;
    } catch (err) {
      if (!(err instanceof AppError) || !err.fields) throw err;
      Object.assign(fields, err.fields);
    }
    if (!req.file && Object.keys(fields).length) throw invalid('FILE_REQUIRED', 'Attach a file in the "file" field', { ...fields, file: 'required' });
    const file = uploadedFile(req);
    if (Object.keys(fields).length) throw invalid('VALIDATION_FAILED', 'The request is not valid', fields);
    return await audio.uploadAudio(ctx, { path: file.path, size: file.size, originalName: file.originalname }, title);
  } finally {
    if (req.file) await fs.promises.unlink(req.file.path).catch(() => undefined);
  }
}

/** The master of an audio asset, by its content hash. */
export async function sendMaster(deps: Deps, req: Request, res: Response, sha256: string, name?: string): Promise<void> {
  const file = mediaPath(deps.config.MEDIA_DIR, `audio/${sha256.slice(0, 2)}/${sha256}.mp3`);
  if (!(await sendAudio(req, res, { path: file, sha256, name }))) throw notFound('Audio', 'AUDIO_NOT_FOUND');
}

/**
 * The public, content-addressed masters (`/audio/<sha256>.mp3`, the audioUrl of every feed), mounted by src/app.ts
 * before body parsing, sessions, CSRF and audit: a download needs none of them (no cookie is read, no database
 * query made), and 500 loudspeakers fetching the morning bulletin should cost what express.static costs. A name
 * that is not a master, or a master that is not there, falls through to the ordinary 404 page.
 */
export function publicAudioRouter(deps: Deps): Router {
  const r = Router();
  r.get('/audio/:file', async (req, res, next) => {
    const m = /^([0-9a-f]{64})\.mp3$/.exec(String(req.params.file));
    const file = m && mediaPath(deps.config.MEDIA_DIR, `audio/${m[1].slice(0, 2)}/${m[1]}.mp3`);
    if (!m || !file || !(await sendAudio(req, res, { path: file, sha256: m[1] }))) next();
  });
  return r;
}
