import type request from 'supertest';

type Parser = (res: request.Response, cb: (err: Error | null, body: unknown) => void) => void;

function collect(res: NodeJS.ReadableStream, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(Buffer.concat(chunks)));
}

/** supertest parser that keeps the body as bytes (DOCX, audio, attachments). */
export const binary = ((res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => collect(res, (b) => cb(null, b))) as unknown as Parser;

/** supertest parser for text types it does not read by itself (audio/x-mpegurl playlists). */
export const text = ((res: NodeJS.ReadableStream, cb: (err: Error | null, body: string) => void) => collect(res, (b) => cb(null, b.toString('utf8')))) as unknown as Parser;
