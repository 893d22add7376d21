import type { Commitment, KeyIndicator } from './commitments.types';

/** One completed round's figure, as the participation module publishes it. */
export interface TrendEntryLike {
  roundId: string;
  status: string;
  title: { en: string; fr: string };
  endsOn: Date;
  /** When the round was completed: the date of its frozen figures. */
  completedAt?: Date;
  share: number | null;
}

/** The participation module's public figures (ParticipationReports.trend): shares of a sector, round by round. */
export interface ShareSource {
  trend(sector: string, audience: { exact: boolean }): Promise<TrendEntryLike[]>;
}

export interface IndicatorPoint {
  label: { en: string; fr: string };
  value: number | null;
  date: Date;
}

export interface IndicatorValue {
  indicator: KeyIndicator;
  /** Computed indicators: one point per linked round that is completed, oldest first. */
  series: IndicatorPoint[];
  latest: IndicatorPoint | undefined;
}

/**
 * The key indicators of a commitment with their latest actual data. Computed ones are read live from the
 * participation figures of their linked rounds, counting only completed rounds (a round still collecting responses
 * is not actual data yet), with the public's suppression unless `exact`.
 */
export async function indicatorValues(
  commitment: Pick<Commitment, 'indicators'>,
  source: ShareSource,
  exact = false,
): Promise<IndicatorValue[]> {
  const trends = new Map<string, Promise<TrendEntryLike[]>>();
  const trendOf = (sector: string) => {
    let found = trends.get(sector);
    if (!found) trends.set(sector, (found = source.trend(sector, { exact })));
    return found;
  };
  return Promise.all(
    commitment.indicators.map(async (indicator) => {
      if (indicator.source !== 'rounds') return { indicator, series: [], latest: undefined };
      const linked = new Set(indicator.roundIds);
      const series = (await trendOf(indicator.sector))
        .filter((entry) => entry.status === 'completed' && linked.has(entry.roundId))
        .map((entry) => ({
          label: entry.title,
          value: entry.share,
          date: entry.completedAt ?? entry.endsOn,
        }));
      const latest = [...series].reverse().find((p) => p.value !== null);
      return { indicator, series, latest };
    }),
  );
}
