import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { describeEachDb, type TestUser } from '../helpers/context';
import { FFMPEG, toneFile, uploadAndWait } from './audio-helpers';

/**
 * Two provinces share one installation. Province B's department must not reach province A's communes: not by
 * scheduling them (by id, by a group, by "everything under A"), not by editing its own broadcast's targets, and
 * not through A's receiver feed tokens or confirmations.
 */
describeEachDb('broadcasts: a province cannot take over another province’s communes', (ctx) => {
  let provinceA: number;
  let districtA: number;
  let communesA: number[];
  let provinceB: number;
  let communeB: number;
  let drafterA: TestUser;
  let broadcasterA: TestUser;
  let drafterB: TestUser;
  let secretaryB: TestUser;
  let adminB: TestUser;
  let broadcasterB: TestUser;
  let audioA: number;
  let audioB: number;
  let groupA: number;
  let mixedGroupB: number;
  let broadcastB: number;
  let legacyOccurrenceA: number;

  const count = async (table: string) => Number((await ctx().db(table).count({ n: '*' }))[0].n);
  const counts = async () => ({
    broadcasts: await count('broadcasts'),
    targets: await count('broadcast_targets'),
    occurrences: await count('occurrences'),
    tokens: await count('feed_tokens'),
  });
  const schedule = { title: 'Tuyên truyền', startDate: '2026-03-02', endDate: '2026-03-04', times: ['06:00'] };

  beforeAll(async () => {
    provinceA = ctx().rootOrgId;
    const deptA = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông Hà Tĩnh', shortName: 'STTTT', kind: 'department', parentId: provinceA });
    districtA = await ctx().createOrg({ name: 'UBND huyện Cẩm Xuyên', shortName: 'UBND', kind: 'district', parentId: provinceA });
    communesA = [];
    for (const n of ['Cẩm Bình', 'Cẩm Thành']) communesA.push(await ctx().createOrg({ name: `UBND xã ${n}`, shortName: 'UBND', kind: 'commune', parentId: districtA }));

    provinceB = await ctx().createOrg({ name: 'Ủy ban nhân dân tỉnh Nghệ An', shortName: 'UBND', kind: 'province', parentId: null });
    const deptB = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông Nghệ An', shortName: 'STTTT', kind: 'department', parentId: provinceB });
    const districtB = await ctx().createOrg({ name: 'UBND huyện Nghi Lộc', shortName: 'UBND', kind: 'district', parentId: provinceB });
    communeB = await ctx().createOrg({ name: 'UBND xã Nghi Xuân', shortName: 'UBND', kind: 'commune', parentId: districtB });

    drafterA = await ctx().createUser(['drafter'], deptA, 'Chuyên viên Hà Tĩnh');
    broadcasterA = await ctx().createUser(['broadcaster'], communesA[0], 'Đài xã Cẩm Bình');
    drafterB = await ctx().createUser(['drafter'], deptB, 'Chuyên viên Nghệ An');
    secretaryB = await ctx().createUser(['secretary'], deptB, 'Văn thư Nghệ An');
    adminB = await ctx().createUser(['admin'], provinceB, 'Quản trị Nghệ An');
    broadcasterB = await ctx().createUser(['broadcaster'], communeB, 'Đài xã Nghi Xuân');

    const clip = toneFile('mp3', { toneSec: 1, padSec: 0.5 });
    audioA = (await uploadAndWait(ctx(), drafterA, clip, 'a.mp3')).id;
    audioB = (await uploadAndWait(ctx(), drafterB, clip, 'b.mp3')).id;

    // Groups are shared address books: B's staff can see and name A's group.
    const g = await ctx().as(drafterA).post('/api/v1/recipient-groups').send({ name: 'Các xã Cẩm Xuyên', orgIds: communesA });
    expect(g.status).toBe(201);
    groupA = g.body.id;
    const ts = new Date().toISOString();
    const [mg] = await ctx().db('recipient_groups').insert({ owner_org_id: deptB, name: 'Hỗn hợp', created_at: ts }).returning('id');
    mixedGroupB = Number(typeof mg === 'object' ? mg.id : mg);
    await ctx().db('recipient_group_members').insert([{ group_id: mixedGroupB, org_id: communeB }, { group_id: mixedGroupB, org_id: communesA[1] }]);

    ctx().setNow('2026-03-01T10:00:00Z');
    const own = await ctx().as(drafterB).post('/api/v1/broadcasts').send({ ...schedule, audioId: audioB, communeIds: [communeB] });
    expect(own.status).toBe(201);
    broadcastB = own.body.id;

    // A broadcast of B's aimed at A's commune, as data written before scheduling was scoped: owning it must not
    // make B a manager of that commune's receivers.
    const [lb] = await ctx().db('broadcasts').insert({ owner_org_id: deptB, audio_id: audioB, title: 'Cũ', start_date: '2026-03-02', end_date: '2026-03-02', times: '["06:00"]', days_of_week: '[1,2,3,4,5,6,7]', created_at: ts, updated_at: ts }).returning('id');
    const legacy = Number(typeof lb === 'object' ? lb.id : lb);
    await ctx().db('broadcast_targets').insert({ broadcast_id: legacy, org_id: communesA[0] });
    const [lo] = await ctx().db('occurrences').insert({ broadcast_id: legacy, org_id: communesA[0], scheduled_at: '2026-03-01T23:00:00.000Z', status: 'pending', updated_at: ts }).returning('id');
    legacyOccurrenceA = Number(typeof lo === 'object' ? lo.id : lo);
  });

  it.each([
    ['by commune ids', () => ({ communeIds: communesA })],
    ['by commune ids mixed with its own', () => ({ communeIds: [communeB, communesA[1]] })],
    ['by a group of A’s communes', () => ({ groupId: groupA })],
    ['by its own group that contains one of A’s communes', () => ({ groupId: mixedGroupB })],
    ['by everything under A’s province', () => ({ underOrgId: provinceA })],
    ['by everything under one of A’s districts', () => ({ underOrgId: districtA })],
  ])('B’s staff cannot schedule A’s communes %s, and nothing is written', async (_how, target) => {
    const before = await counts();
    for (const user of [drafterB, secretaryB, adminB]) {
      const res = await ctx().as(user).post('/api/v1/broadcasts').send({ ...schedule, audioId: audioB, ...target() });
      expect([400, 403]).toContain(res.status);
      expect(res.body.error.code).toBe('COMMUNES_OUTSIDE_PROVINCE');
    }
    // the form page takes the same path
    const page = await ctx().as(drafterB).post('/broadcasts').type('form').send({ ...schedule, times: '06:00', audioId: String(audioB), target: 'under', underOrgId: String(provinceA) });
    expect([400, 403]).toContain(page.status);
    expect(await counts()).toEqual(before);
  });

  it('B’s staff cannot retarget their own broadcast at A’s communes', async () => {
    const before = await counts();
    const targetsBefore = await ctx().db('broadcast_targets').where({ broadcast_id: broadcastB }).select('org_id');
    for (const target of [{ communeIds: [communesA[0]] }, { groupId: groupA }, { underOrgId: provinceA }, { underOrgId: districtA }]) {
      const res = await ctx().as(drafterB).patch(`/api/v1/broadcasts/${broadcastB}`).send(target);
      expect([400, 403]).toContain(res.status);
      expect(res.body.error.code).toBe('COMMUNES_OUTSIDE_PROVINCE');
    }
    expect(await counts()).toEqual(before);
    expect(await ctx().db('broadcast_targets').where({ broadcast_id: broadcastB }).select('org_id')).toEqual(targetsBefore);
    expect(Number((await ctx().db('occurrences').where({ broadcast_id: broadcastB }).whereNot({ org_id: communeB }).count({ n: '*' }))[0].n)).toBe(0);
  });

  it('a broadcast of B’s that already names A’s commune is not extended there by an edit', async () => {
    const legacy = (await ctx().db('occurrences').where({ id: legacyOccurrenceA }).first()).broadcast_id;
    const before = await counts();
    const extend = await ctx().as(drafterB).patch(`/api/v1/broadcasts/${legacy}`).send({ endDate: '2026-03-10', times: ['06:00', '17:00'] });
    expect(extend.status).toBe(400);
    expect(extend.body.error.code).toBe('COMMUNES_OUTSIDE_PROVINCE');
    expect(await counts()).toEqual(before);
    expect(Number((await ctx().db('occurrences').where({ broadcast_id: legacy }).count({ n: '*' }))[0].n)).toBe(1);
  });

  it('A’s staff still schedule A’s communes by ids, group and organisation', async () => {
    for (const target of [{ communeIds: communesA }, { groupId: groupA }, { underOrgId: provinceA }]) {
      const res = await ctx().as(drafterA).post('/api/v1/broadcasts').send({ ...schedule, audioId: audioA, ...target });
      expect(res.status).toBe(201);
      expect(res.body.broadcast.communeIds).toEqual([...communesA].sort((a, b) => a - b));
    }
  });

  it('B cannot list, mint or revoke A’s commune tokens, even owning a broadcast there', async () => {
    const minted = await ctx().as(drafterA).post('/api/v1/feed-tokens').send({ orgId: communesA[0], label: 'Loa IP thôn 1' });
    expect(minted.status).toBe(201);
    const before = await counts();
    for (const user of [drafterB, secretaryB, adminB, broadcasterB]) {
      expect((await ctx().as(user).get(`/api/v1/feed-tokens?orgId=${communesA[0]}`)).status).toBe(403);
      expect((await ctx().as(user).post('/api/v1/feed-tokens').send({ orgId: communesA[0], label: 'chiếm' })).status).toBe(403);
      expect((await ctx().as(user).post(`/api/v1/feed-tokens/${minted.body.id}/revoke`)).status).toBe(403);
      expect((await ctx().as(user).delete(`/api/v1/feed-tokens/${minted.body.id}`)).status).toBe(403);
      expect((await ctx().as(user).post(`/broadcasts/${broadcastB}/feed-tokens`).type('form').send({ orgId: String(communesA[0]) })).status).toBe(403);
    }
    expect(await counts()).toEqual(before);
    expect((await ctx().db('feed_tokens').where({ id: minted.body.id }).first()).revoked_at).toBeNull();
    // the token still works
    expect((await request(ctx().app).get(new URL(minted.body.urls.json).pathname)).status).toBe(200);
  });

  it('B cannot confirm A’s occurrences, neither signed in nor with a receiver token of its own', async () => {
    const own = await ctx().as(drafterB).post('/api/v1/feed-tokens').send({ orgId: communeB });
    expect(own.status).toBe(201);
    ctx().setNow('2026-03-02T00:30:00Z');
    for (const user of [drafterB, adminB, broadcasterB]) {
      expect((await ctx().as(user).post(`/api/v1/broadcaster/occurrences/${legacyOccurrenceA}/confirm`).send({})).status).toBe(403);
    }
    expect((await request(ctx().app).post(`/api/v1/feed/occurrences/${legacyOccurrenceA}/confirm`).set('X-Feed-Token', own.body.token).send({})).status).toBe(403);
    // the attack: mint a token for A's commune (as the owner of a broadcast there) and confirm with it
    const stolen = await ctx().as(drafterB).post('/api/v1/feed-tokens').send({ orgId: communesA[0] });
    expect(stolen.status).toBe(403);
    const viaStolen = await request(ctx().app).post(`/api/v1/feed/occurrences/${legacyOccurrenceA}/confirm`).set('X-Feed-Token', String(stolen.body.token ?? 'x'.repeat(32))).send({});
    expect(viaStolen.status).toBe(404);
    expect((await ctx().db('occurrences').where({ id: legacyOccurrenceA }).first()).status).toBe('pending');
  });

  it('A’s staff and the commune’s broadcaster manage its tokens; a token of the commune confirms its slot', async () => {
    const byStaff = await ctx().as(drafterA).post('/api/v1/feed-tokens').send({ orgId: communesA[0], label: 'Loa IP thôn 2' });
    expect(byStaff.status).toBe(201);
    const byBroadcaster = await ctx().as(broadcasterA).post('/api/v1/feed-tokens').send({ orgId: communesA[0], label: 'Loa IP thôn 3' });
    expect(byBroadcaster.status).toBe(201);
    const listed = await ctx().as(broadcasterA).get('/api/v1/feed-tokens');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: { id: number }) => t.id)).toEqual(expect.arrayContaining([byStaff.body.id, byBroadcaster.body.id]));
    expect((await ctx().as(drafterA).get(`/api/v1/feed-tokens?orgId=${communesA[0]}`)).status).toBe(200);
    expect((await ctx().as(broadcasterA).post(`/api/v1/feed-tokens/${byStaff.body.id}/revoke`)).status).toBe(200);
    expect((await ctx().as(drafterA).post(`/api/v1/feed-tokens/${byBroadcaster.body.id}/revoke`)).status).toBe(200);

    const token = await ctx().as(drafterA).post('/api/v1/feed-tokens').send({ orgId: communesA[0] });
    ctx().setNow('2026-03-02T00:30:00Z');
    const confirmed = await request(ctx().app).post(`/api/v1/feed/occurrences/${legacyOccurrenceA}/confirm`).set('X-Feed-Token', token.body.token).send({});
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('played');
  });

  it('a broadcaster posting the department’s token form is refused before anything is stored', async () => {
    const before = await count('feed_tokens');
    const res = await ctx().as(broadcasterA).post(`/broadcasts/${broadcastB}/feed-tokens`).type('form').send({ orgId: String(communesA[0]), label: 'x' });
    expect(res.status).toBe(403);
    const ownBroadcast = (await ctx().db('broadcasts').where({ owner_org_id: drafterA.orgId }).first()).id;
    const res2 = await ctx().as(broadcasterA).post(`/broadcasts/${ownBroadcast}/feed-tokens`).type('form').send({ orgId: String(communesA[0]), label: 'x' });
    expect(res2.status).toBe(403);
    expect(await count('feed_tokens')).toBe(before);
  });
});

/** An ID3v2 tag of `size` bytes (padding), the way an MP3 starts. */
function id3Tag(size: number): Buffer {
  const syncsafe = [(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f];
  return Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, ...syncsafe]), Buffer.alloc(size)]);
}

/**
 * A FIFO standing for a file elsewhere on the server. Whenever a process opens it for reading, the test notices
 * (a non-blocking open for writing succeeds only then), counts it and hands over a small WAV.
 */
function watchedFile(dir: string, content: Buffer): { path: string; opened: () => number; stop: () => void } {
  const file = path.join(dir, 'secret.wav');
  execFileSync('mkfifo', [file]);
  let opened = 0;
  const timer = setInterval(() => {
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch {
      return; // nobody is reading
    }
    opened += 1;
    try {
      fs.writeSync(fd, content);
    } catch {
      // the reader went away
    }
    fs.closeSync(fd);
  }, 10);
  return { path: file, opened: () => opened, stop: () => clearInterval(timer) };
}

describeEachDb('broadcasts: an upload cannot make ffmpeg read other files', (ctx) => {
  let drafter: TestUser;
  let dir: string;
  let secret: ReturnType<typeof watchedFile>;

  beforeAll(async () => {
    const dept = await ctx().createOrg({ name: 'Sở Thông tin và Truyền thông', shortName: 'STTTT', kind: 'department' });
    drafter = await ctx().createUser(['drafter'], dept);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vandong-secret-'));
    // 1 s of 8 kHz 8-bit noise-free tone: what the server's "other file" holds
    const wav = path.join(dir, 'content.wav');
    execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:d=1:sample_rate=8000', '-c:a', 'pcm_u8', wav]);
    secret = watchedFile(dir, fs.readFileSync(wav));
  });
  afterAll(() => {
    secret?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const playlist = () => Buffer.from(`#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\nfile://${secret.path}\n#EXT-X-ENDLIST\n`);

  /** The job (if one was queued) has finished: nothing is left "processing". */
  const settled = async () => {
    for (let i = 0; i < 200 && Number((await ctx().db('audio_assets').where({ status: 'processing' }).count({ n: '*' }))[0].n) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('refuses an ID3 header followed by an HLS playlist (content sniffing), and ffmpeg never opens the file it names', async () => {
    const res = await ctx().as(drafter).post('/api/v1/audio').field('title', 'x').attach('file', Buffer.concat([id3Tag(0), playlist()]), 'ban-tin.mp3');
    await settled();
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('AUDIO_UNSUPPORTED_TYPE');
    expect(secret.opened()).toBe(0);
    expect(Number((await ctx().db('audio_assets').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('a playlist hidden behind an ID3 tag longer than the sniffed head is read as MP3 only (explicit -f): refused, file never opened', async () => {
    const res = await ctx().as(drafter).post('/api/v1/audio').field('title', 'x').attach('file', Buffer.concat([id3Tag(6000), playlist()]), 'ban-tin.mp3');
    await settled();
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('AUDIO_UNREADABLE');
    expect(secret.opened()).toBe(0);
    expect(Number((await ctx().db('audio_assets').count({ n: '*' }))[0].n)).toBe(0);
    expect(fs.readdirSync(path.join(ctx().mediaDir, 'tmp'))).toEqual([]);
  });

  it('an MP3 with an ID3 tag, and ADTS AAC with one, still convert', async () => {
    for (const [format, name] of [['mp3', 'tag.mp3'], ['aac', 'tag.aac']] as const) {
      const src = path.join(dir, name);
      execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=1000:d=2', ...(format === 'mp3' ? ['-c:a', 'libmp3lame', '-id3v2_version', '3', '-metadata', 'title=Bản tin', '-f', 'mp3'] : ['-c:a', 'aac', '-f', 'adts']), src]);
      const body = format === 'aac' ? Buffer.concat([id3Tag(64), fs.readFileSync(src)]) : fs.readFileSync(src);
      expect(body.subarray(0, 3).toString()).toBe('ID3');
      const { audio } = await uploadAndWait(ctx(), drafter, body, name);
      expect(audio.status).toBe('ready');
      expect((await ctx().db('audio_assets').where({ id: audio.id }).first()).original_format).toBe(format);
    }
  });
});
