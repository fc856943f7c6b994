import { formatLegalDate, formatVnDate, isoWeekOf, isValidIsoWeek, localToUtc, localDate, mondayOfIsoWeek, nextIsoWeek, isValidDate, isValidTime } from '../../src/shared/time';

describe('dates as Vietnamese officials write them', () => {
  it('pads the day below 10 and only months 1 and 2 on a letter (NĐ 30/2020)', () => {
    expect(formatLegalDate('2021-10-21')).toBe('ngày 21 tháng 10 năm 2021');
    expect(formatLegalDate('2021-08-02')).toBe('ngày 02 tháng 8 năm 2021');
    expect(formatLegalDate('2026-02-05')).toBe('ngày 05 tháng 02 năm 2026');
    expect(formatLegalDate('2019-06-29')).toBe('ngày 29 tháng 6 năm 2019');
    expect(formatLegalDate('2026-01-15')).toBe('ngày 15 tháng 01 năm 2026');
  });

  it('writes UI dates with two-digit day and month', () => {
    expect(formatVnDate('2026-02-05')).toBe('ngày 05 tháng 02 năm 2026');
    expect(formatVnDate('2026-11-09')).toBe('ngày 09 tháng 11 năm 2026');
  });

  it('reads instants in Asia/Ho_Chi_Minh (UTC+7)', () => {
    expect(localToUtc('2026-02-05', '06:00').toISOString()).toBe('2026-02-04T23:00:00.000Z');
    expect(localDate(new Date('2026-02-04T17:30:00Z'))).toBe('2026-02-05');
    expect(formatLegalDate(new Date('2021-10-20T18:00:00Z'))).toBe('ngày 21 tháng 10 năm 2021');
  });

  it('validates calendar dates and clock times', () => {
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidTime('25:00')).toBe(false);
    expect(isValidTime('06:00')).toBe(true);
  });
});

describe('reporting weeks (ISO, Monday to Sunday, Vietnam time)', () => {
  it('names the week of an instant in local time', () => {
    expect(isoWeekOf(new Date('2021-10-11T03:00:00Z'))).toBe('2021-W41');
    // Sunday 23:30 UTC is already Monday morning in Vietnam
    expect(isoWeekOf(new Date('2021-10-17T17:30:00Z'))).toBe('2021-W42');
    expect(isoWeekOf(new Date('2021-01-01T05:00:00Z'))).toBe('2020-W53');
  });

  it('finds the Monday of a week and rejects weeks that do not exist', () => {
    expect(mondayOfIsoWeek('2021-W41')).toBe('2021-10-11');
    expect(mondayOfIsoWeek('2020-W53')).toBe('2020-12-28');
    expect(isValidIsoWeek('2021-W53')).toBe(false);
    expect(isValidIsoWeek('2021-41')).toBe(false);
    expect(nextIsoWeek('2020-W53')).toBe('2021-W01');
  });
});
