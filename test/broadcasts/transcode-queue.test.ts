import { describeEachDb } from '../helpers/context';
import { toneFile, uploadAndWait } from './audio-helpers';

/**
 * A long recording must not hold up a short one: an hour-long upload used to keep a 3-second clip waiting for
 * minutes. The long job here is stopped by the hard time limit (3 s) so the suite stays quick.
 */
describeEachDb(
  'audio: short conversions run beside a long one',
  (ctx) => {
    it('a 3 s clip uploaded after a 6-minute recording is ready while the long one is still converting', async () => {
      const dept = await ctx().createOrg({ name: 'Sở Y tế', shortName: 'SYT', kind: 'department' });
      const drafter = await ctx().createUser(['drafter'], dept);
      const longFile = toneFile('wav', { toneSec: 360, padSec: 1, rate: 8000 });
      const shortFile = toneFile('wav', { toneSec: 3, padSec: 0.5 });
      const started = Date.now();
      const long = await ctx().as(drafter).post('/api/v1/audio').field('title', 'Hội nghị').attach('file', longFile, 'hoi-nghi.wav');
      expect(long.status).toBe(201);
      const { audio: short } = await uploadAndWait(ctx(), drafter, shortFile, 'ban-tin.wav');
      const shortDone = Date.now() - started;
      expect(short.status).toBe('ready');
      const longNow = await ctx().db('audio_assets').where({ id: long.body.id }).first();
      expect(longNow.status).toBe('processing');
      expect(shortDone).toBeLessThan(3000);

      // the long one carries on (here until the 3 s limit stops it)
      for (let i = 0; i < 300 && (await ctx().db('audio_assets').where({ id: long.body.id }).first()).status === 'processing'; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await ctx().db('audio_assets').where({ id: long.body.id }).first()).status).not.toBe('processing');
    });
  },
  { AUDIO_JOB_TIMEOUT_SECONDS: '3' },
);
