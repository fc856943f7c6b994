import multer from 'multer';
import type { Request } from 'express';
import { tmpDir } from '../shared/media';
import { invalid } from '../shared/errors';

/**
 * One multipart file field, streamed to MEDIA_DIR/tmp with a size limit (413 above it).
 * The service decides what the bytes are and moves them into the content-addressed store.
 */
export function singleFile(mediaDir: string, field: string, maxBytes: number) {
  return multer({
    storage: multer.diskStorage({ destination: tmpDir(mediaDir) }),
    limits: { fileSize: maxBytes, files: 1, fields: 50 },
  }).single(field);
}

export function uploadedFile(req: Request, field = 'file'): Express.Multer.File {
  if (!req.file) throw invalid('FILE_REQUIRED', `Attach a file in the "${field}" field`, { [field]: 'required' });
  return req.file;
}
