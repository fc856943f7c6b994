/**
 * Signature and seal images: PNG with a transparent background (alpha channel or tRNS), at most 1 MB and
 * 3000 × 3000 px, mostly blue (a signature) or red (a seal). Read with our own small PNG decoder (8 and 16 bit,
 * not interlaced) so the colour can be checked; an interlaced PNG skips the colour check.
 */
import zlib from 'node:zlib';
import { invalid } from '../shared/errors';

export const IMAGE_MAX_BYTES = 1024 * 1024;
export const IMAGE_MAX_PIXELS = 3000;
/** Printed width when the PNG does not say its resolution. */
export const DEFAULT_WIDTH_MM = { seal: 36, signature: 45 } as const;

export type ImageKind = 'signature' | 'seal';

export interface PngFacts {
  width: number;
  height: number;
  /** From pHYs, when given in pixels per metre. */
  widthMm: number | null;
}

const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  type: string;
  data: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  let at = 8;
  while (at + 12 <= png.length) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (at + 12 + len > png.length) throw new Error('truncated');
    out.push({ type, data: png.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
    if (type === 'IEND') break;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Mean colour of the visible (alpha > 128), not near-white pixels; null if it cannot tell. */
function meanInk(width: number, height: number, depth: number, colorType: number, raw: Buffer, palette: Buffer | null, trns: Buffer | null): [number, number, number] | null {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  if (!channels || (depth !== 8 && depth !== 16 && !(colorType === 3 && depth === 8))) return null;
  const bpp = channels * (depth / 8);
  const stride = width * bpp;
  let prev = Buffer.alloc(stride);
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < height; y++) {
    const off = y * (stride + 1);
    const filter = raw[off];
    const line = Buffer.from(raw.subarray(off + 1, off + 1 + stride));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      if (filter === 1) line[i] = (line[i] + a) & 0xff;
      else if (filter === 2) line[i] = (line[i] + b) & 0xff;
      else if (filter === 3) line[i] = (line[i] + ((a + b) >> 1)) & 0xff;
      else if (filter === 4) line[i] = (line[i] + paeth(a, b, c)) & 0xff;
    }
    prev = line;
    for (let x = 0; x < width; x += 2) {
      const p = x * bpp;
      const s = (k: number) => line[p + k * (depth / 8)];
      let r: number;
      let g: number;
      let bl: number;
      let alpha = 255;
      if (colorType === 3) {
        const idx = line[p];
        r = palette?.[idx * 3] ?? 0;
        g = palette?.[idx * 3 + 1] ?? 0;
        bl = palette?.[idx * 3 + 2] ?? 0;
        alpha = trns && idx < trns.length ? trns[idx] : 255;
      } else if (colorType === 0 || colorType === 4) {
        r = g = bl = s(0);
        if (colorType === 4) alpha = s(1);
      } else {
        r = s(0);
        g = s(1);
        bl = s(2);
        if (colorType === 6) alpha = s(3);
      }
      if (alpha < 128 || (r > 220 && g > 220 && bl > 220)) continue;
      sum[0] += r;
      sum[1] += g;
      sum[2] += bl;
      n++;
    }
  }
  return n ? [sum[0] / n, sum[1] / n, sum[2] / n] : null;
}

/** Checks an uploaded signature or seal image; throws a 400 (413 when too large) naming the reason. */
export function checkImage(png: Buffer, kind: ImageKind): PngFacts {
  if (png.length > IMAGE_MAX_BYTES) throw invalid('IMAGE_TOO_LARGE', `The image is larger than ${IMAGE_MAX_BYTES / 1024} KB`, { file: 'too large' });
  if (png.length < 33 || !png.subarray(0, 8).equals(SIG)) throw invalid('IMAGE_NOT_PNG', 'The image is not a PNG file', { file: 'not a PNG' });
  let list: Chunk[];
  try {
    list = chunks(png);
  } catch {
    throw invalid('IMAGE_NOT_PNG', 'The PNG file is damaged', { file: 'damaged PNG' });
  }
  const ihdr = list[0];
  if (ihdr?.type !== 'IHDR' || ihdr.data.length < 13 || !list.some((c) => c.type === 'IDAT')) throw invalid('IMAGE_NOT_PNG', 'The PNG file is damaged', { file: 'damaged PNG' });
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const depth = ihdr.data[8];
  const colorType = ihdr.data[9];
  const interlace = ihdr.data[12];
  if (!width || !height || width > IMAGE_MAX_PIXELS || height > IMAGE_MAX_PIXELS) {
    throw invalid('IMAGE_TOO_BIG', `The image must be at most ${IMAGE_MAX_PIXELS} × ${IMAGE_MAX_PIXELS} pixels (it is ${width} × ${height})`, { file: 'too many pixels' });
  }
  const trns = list.find((c) => c.type === 'tRNS')?.data ?? null;
  if (colorType !== 4 && colorType !== 6 && !trns) throw invalid('IMAGE_NOT_TRANSPARENT', 'The image needs a transparent background (PNG with an alpha channel)', { file: 'no transparency' });
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data)), { maxOutputLength: 64 * 1024 * 1024 });
  } catch {
    throw invalid('IMAGE_NOT_PNG', 'The PNG file is damaged', { file: 'damaged PNG' });
  }
  if (interlace === 0) {
    const ink = meanInk(width, height, depth, colorType, raw, list.find((c) => c.type === 'PLTE')?.data ?? null, trns);
    if (ink) {
      const [r, g, b] = ink;
      if (kind === 'signature' && !(b > r + 15 && b > g)) throw invalid('IMAGE_NOT_BLUE', 'A signature image must be blue', { file: 'not blue' });
      if (kind === 'seal' && !(r > g + 40 && r > b + 20)) throw invalid('IMAGE_NOT_RED', 'A seal image must be red', { file: 'not red' });
    }
  }
  const phys = list.find((c) => c.type === 'pHYs')?.data;
  const ppm = phys && phys.length >= 9 && phys[8] === 1 ? phys.readUInt32BE(0) : 0;
  return { width, height, widthMm: ppm > 0 ? (width / ppm) * 1000 : null };
}

/** Encodes RGBA pixels (8 bit) as a PNG, with pHYs when `ppm` (pixels per metre) is given. */
export function encodePng(width: number, height: number, rgba: Buffer, ppm = 0): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.concat([Buffer.from([0]), rgba.subarray(y * width * 4, (y + 1) * width * 4)]));
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(body));
    return Buffer.concat([head, body, tail]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const parts = [SIG, chunk('IHDR', ihdr)];
  if (ppm) {
    const p = Buffer.alloc(9);
    p.writeUInt32BE(ppm, 0);
    p.writeUInt32BE(ppm, 4);
    p[8] = 1;
    parts.push(chunk('pHYs', p));
  }
  parts.push(chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

function canvas(width: number, height: number) {
  const rgba = Buffer.alloc(width * height * 4);
  const dot = (cx: number, cy: number, r: number, color: [number, number, number]) => {
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(height - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(width - 1, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
          const i = (y * width + x) * 4;
          rgba[i] = color[0];
          rgba[i + 1] = color[1];
          rgba[i + 2] = color[2];
          rgba[i + 3] = 255;
        }
      }
    }
  };
  return { rgba, dot };
}

/** A blue handwritten-looking signature on a transparent background (demo and tests). */
export function demoSignaturePng(seed = 1): Buffer {
  const w = 420;
  const h = 160;
  const { rgba, dot } = canvas(w, h);
  const blue: [number, number, number] = [20, 40, 170];
  for (let t = 0; t <= 1; t += 0.0005) {
    const x = 30 + t * 330 + 18 * Math.sin(t * 40 + seed);
    const y = 85 - 45 * Math.sin(t * 9 + seed) * Math.cos(t * 23) - 20 * t;
    dot(x, y, 3.2, blue);
  }
  for (let t = 0; t <= 1; t += 0.001) dot(60 + t * 320, 128 - 10 * Math.sin(t * 6), 2.6, blue);
  return encodePng(w, h, rgba);
}

/** A round red seal, 36 mm across, with a star (demo and tests). */
export function demoSealPng(): Buffer {
  const size = 425;
  const c = size / 2;
  const { rgba, dot } = canvas(size, size);
  const red: [number, number, number] = [215, 25, 30];
  for (let a = 0; a < Math.PI * 2; a += 0.002) {
    for (const [r, thick] of [[200, 6], [150, 3]] as const) dot(c + r * Math.cos(a), c + r * Math.sin(a), thick, red);
    if (Math.abs(((a * 12) / Math.PI) % 1) < 0.35) dot(c + 175 * Math.cos(a), c + 175 * Math.sin(a), 5, red); // 24 dashes
  }
  for (let i = 0; i < 5; i++) {
    const a1 = -Math.PI / 2 + (i * 2 * Math.PI) / 5;
    const a2 = -Math.PI / 2 + (((i + 2) % 5) * 2 * Math.PI) / 5;
    for (let t = 0; t <= 1; t += 0.002) dot(c + 70 * ((1 - t) * Math.cos(a1) + t * Math.cos(a2)), c + 70 * ((1 - t) * Math.sin(a1) + t * Math.sin(a2)), 6, red);
  }
  return encodePng(size, size, rgba, Math.round(size / 0.036));
}
