import { breakdown, mean, median, ratio, suppressTotal } from './metrics';

describe('participation metrics', () => {
  it('when 8 of 100 participants are civil society, then the share is exactly 0.08', () => {
    const cells = breakdown({ civil_society: 8, individual: 92 }, ['civil_society', 'individual'], 100);
    expect(cells[0]).toMatchObject({ key: 'civil_society', count: 8, share: 0.08, suppressed: false });
  });

  it('when some prefer not to say or were not asked, then they are categories of their own and left out of the answered share', () => {
    const counts = { civil_society: 20, individual: 60, prefer_not_to_say: 10, not_asked: 10 };
    const cells = breakdown(counts, ['civil_society', 'individual', 'prefer_not_to_say', 'not_asked'], 100);
    const civil = cells.find((c) => c.key === 'civil_society');
    expect(civil?.share).toBe(0.2);
    expect(civil?.shareOfAnswered).toBe(0.25);
    expect(cells.find((c) => c.key === 'not_asked')).toMatchObject({ share: 0.1, shareOfAnswered: null });
  });

  it('when a category has no participant, then it is listed with 0', () => {
    expect(breakdown({}, ['academia'], 10)[0]).toMatchObject({ count: 0, share: 0 });
    expect(breakdown({}, ['academia'], 0)[0]).toMatchObject({ count: 0, share: null });
  });

  it('when counts are under the threshold, then they are hidden, and a lone hidden cell takes the next smallest with it', () => {
    const cells = breakdown({ a: 2, b: 7, c: 50 }, ['a', 'b', 'c'], 59, { suppressBelow: 5 });
    expect(cells.map((c) => c.count)).toEqual([null, null, 50]);
    const two = breakdown({ a: 2, b: 3, c: 50 }, ['a', 'b', 'c'], 55, { suppressBelow: 5 });
    expect(two.map((c) => c.count)).toEqual([null, null, 50]);
    expect(two[0]).toMatchObject({ share: null, suppressed: true });
  });

  it('when zero or large counts are present, then they are never suppressed', () => {
    const cells = breakdown({ a: 0, b: 5 }, ['a', 'b'], 5, { suppressBelow: 5 });
    expect(cells.map((c) => c.count)).toEqual([0, 5]);
    expect(suppressTotal(3, 5)).toBeNull();
    expect(suppressTotal(0, 5)).toBe(0);
    expect(suppressTotal(3)).toBe(3);
  });

  it('when computing ratios, means and medians, then they are exact and empty inputs give null', () => {
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(1, 0)).toBeNull();
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mean([])).toBeNull();
    expect(median([])).toBeNull();
  });
});
