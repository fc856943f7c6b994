import { describeEachDb } from '../helpers/context';
import { signIn } from '../helpers/browser-session';
import { setUpIssuer, communes, draftLetter, issue } from '../dispatch/letter-flow';
import { toneFile, uploadAndWait } from '../broadcasts/audio-helpers';
import { localDate } from '../../src/shared/time';

describeEachDb('each role’s home page', (ctx) => {
  it('shows the approver what to approve, the secretary what to issue and send, the reporter its report, the broadcaster today', async () => {
    const c = ctx();
    c.setNow('2026-11-25T01:00:00Z'); // Wednesday 08:00 in Vietnam
    const issuer = await setUpIssuer(c);
    const secretary = await c.createUser(['secretary'], issuer.orgId, 'Văn thư 2');
    const [agency] = await communes(c, 1, 'home');
    const [commune] = await communes(c, 1, 'xahome');
    const reporter = await c.createUser(['reporter'], agency.id, 'Đầu mối');
    const broadcaster = await c.createUser(['broadcaster'], commune.id, 'Đài xã');

    const submitted = await draftLetter(c, issuer, [{ orgId: agency.id }]);
    await c.as(issuer.drafter).post(`/api/v1/letters/${submitted}/submit`);
    const issued = await draftLetter(c, issuer, [{ orgId: agency.id }]);
    const { symbol } = await issue(c, issuer, issued);

    const today = localDate(c.deps.clock());
    await c.as(issuer.drafter).post('/api/v1/campaigns').send({ name: 'Chiến dịch tuần này', metricLabel: 'Số cán bộ', startDate: '2026-01-01', endDate: '2027-12-31', deadline: { weekday: 7, time: '23:59' }, orgIds: [agency.id] });
    const audio = await uploadAndWait(c, issuer.drafter, toneFile('wav', { toneSec: 1, padSec: 0.2 }), 'tin.wav');
    await c.as(issuer.drafter).post('/api/v1/broadcasts').send({ audioId: audio.id, title: 'Bản tin tối nay', communeIds: [commune.id], startDate: today, endDate: today, times: ['17:00'] });

    const approverHome = (await (await signIn(c.app, issuer.approver.email, issuer.approver.password)).agent.get('/')).text;
    expect(approverHome).toContain('Công văn chờ duyệt');
    expect(approverHome).toContain(`/letters/${submitted}`);

    const secretaryHome = (await (await signIn(c.app, secretary.email, secretary.password)).agent.get('/')).text;
    expect(secretaryHome).toContain('Công văn đã cấp số, chưa gửi');
    expect(secretaryHome).toContain(symbol);

    const reporterHome = (await (await signIn(c.app, reporter.email, reporter.password)).agent.get('/')).text;
    expect(reporterHome).toContain('Báo cáo tuần này');
    expect(reporterHome).toContain('Chiến dịch tuần này');

    const broadcasterHome = (await (await signIn(c.app, broadcaster.email, broadcaster.password)).agent.get('/')).text;
    expect(broadcasterHome).toContain('Lịch phát hôm nay');
    expect(broadcasterHome).toContain('17:00 — Bản tin tối nay');
  });
});
