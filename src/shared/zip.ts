import zlib from 'node:zlib';

/**
 * Defence against zip bombs for ZIP-based uploads (XLSX): before any library inflates a part, the central
 * directory's declared sizes are summed, then every entry is actually inflated — counting bytes, keeping none —
 * and refused as soon as the total passes the limit, whatever the headers claim. The file is then rewritten
 * with exactly the entries checked (no data descriptors, sizes as measured), so a reader that walks the local
 * headers from the start (exceljs' streaming reader) sees nothing the check did not see.
 */
export class ZipRefused extends Error {
  constructor(readonly reason: 'too_large' | 'unreadable', message: string) {
    super(message);
    this.name = 'ZipRefused';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** An XLSX has a few dozen parts; thousands of entries are an attack on the reader, not a spreadsheet. */
const MAX_ENTRIES = 2000;

interface Entry {
  name: Buffer;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  data: Buffer;
  size: number;
}

const unreadable = (why: string) => new ZipRefused('unreadable', `not a readable ZIP file: ${why}`);
const tooBig = (max: number) => new ZipRefused('too_large', `the file inflates to more than ${Math.round(max / 1024 / 1024)} MB`);

function u16(buf: Buffer, at: number): number {
  if (at + 2 > buf.length) throw unreadable('truncated');
  return buf.readUInt16LE(at);
}
function u32(buf: Buffer, at: number): number {
  if (at + 4 > buf.length) throw unreadable('truncated');
  return buf.readUInt32LE(at);
}

/** Bytes an entry inflates to, stopping (and freeing the inflater) once past `limit`. */
function inflatedSize(data: Buffer, limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflater = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
    let n = 0;
    let done = false;
    inflater.on('data', (chunk: Buffer) => {
      n += chunk.length;
      if (n > limit && !done) {
        done = true;
        inflater.destroy();
        resolve(n);
      }
    });
    inflater.on('end', () => {
      if (!done) resolve(n);
    });
    inflater.on('error', (err) => {
      if (!done) reject(unreadable(err.message));
    });
    inflater.end(data);
  });
}

function readEntries(buf: Buffer): Entry[] {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw unreadable('no end of central directory');
  const total = u16(buf, end + 10);
  const cdOffset = u32(buf, end + 16);
  if (total === 0xffff || cdOffset === 0xffffffff) throw unreadable('ZIP64 is not accepted');
  if (total > MAX_ENTRIES) throw new ZipRefused('too_large', `more than ${MAX_ENTRIES} entries`);
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let i = 0; i < total; i++) {
    if (u32(buf, p) !== CENTRAL) throw unreadable('bad central directory');
    const flags = u16(buf, p + 8);
    const method = u16(buf, p + 10);
    const compressed = u32(buf, p + 20);
    const declared = u32(buf, p + 24);
    const nameLength = u16(buf, p + 28);
    const next = p + 46 + nameLength + u16(buf, p + 30) + u16(buf, p + 32);
    const local = u32(buf, p + 42);
    if (flags & 1) throw unreadable('encrypted entries are not accepted');
    if (method !== 0 && method !== 8) throw unreadable(`compression method ${method}`);
    if (u32(buf, local) !== LOCAL) throw unreadable('bad local header');
    const start = local + 30 + u16(buf, local + 26) + u16(buf, local + 28);
    if (start + compressed > buf.length || p + 46 + nameLength > buf.length) throw unreadable('truncated');
    entries.push({
      name: buf.subarray(p + 46, p + 46 + nameLength),
      flags,
      method,
      time: u16(buf, p + 12),
      date: u16(buf, p + 14),
      crc: u32(buf, p + 16),
      data: buf.subarray(start, start + compressed),
      size: declared,
    });
    p = next;
  }
  return entries;
}

/** Parts a spreadsheet reader needs before the sheets (shared strings, relationships) come first. */
function readingOrder(a: Entry, b: Entry): number {
  const sheet = (e: Entry) => /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(e.name.toString('utf8'));
  const [sa, sb] = [sheet(a), sheet(b)];
  if (!sa || !sb) return (sa ? 1 : 0) - (sb ? 1 : 0);
  return Number(sa[1]) - Number(sb[1]);
}

function writeZip(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const flags = e.flags & 0x0800; // keep "names are UTF-8", drop the data descriptor
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(e.time, 10);
    local.writeUInt16LE(e.date, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(e.name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(CENTRAL, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt16LE(e.time, 12);
    cd.writeUInt16LE(e.date, 14);
    cd.writeUInt32LE(e.crc, 16);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(e.size, 24);
    cd.writeUInt16LE(e.name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, e.name, e.data);
    central.push(cd, e.name);
    offset += 30 + e.name.length + e.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/**
 * The ZIP rewritten with only its checked entries, or ZipRefused: 'too_large' when its entries declare or
 * actually inflate to more than `maxUncompressed` bytes in total, 'unreadable' when it is no plain ZIP.
 */
export async function normaliseZip(buf: Buffer, maxUncompressed: number): Promise<Buffer> {
  const entries = readEntries(buf);
  let declared = 0;
  for (const e of entries) if ((declared += e.size) > maxUncompressed) throw tooBig(maxUncompressed);
  let actual = 0;
  for (const e of entries) {
    e.size = e.method === 0 ? e.data.length : await inflatedSize(e.data, maxUncompressed - actual);
    if ((actual += e.size) > maxUncompressed) throw tooBig(maxUncompressed);
  }
  return writeZip([...entries].sort(readingOrder));
}
