import {
  AGE_RANGES,
  GENDERS,
  REGION_CATEGORIES,
  SECTOR_CATEGORIES,
  isSector,
} from '../../platform/classifications';
import { NotFoundError } from '../../platform/errors';
import { LOCALES } from '../../platform/i18n';
import type { ConsultationsService, Round } from '../consultations';
import { readSnapshot, saveSnapshot, type FrozenRoundModel } from './frozen-rounds';
import { publishTables, type BreakdownCell } from './metrics';
import type { Scope } from './participation.model';
import { NOT_ANSWERED, type ParticipationService, type ScopeCounts } from './participation.service';

/** The rounds the reports need, from the consultations module. */
export type RoundCatalog = Pick<ConsultationsService, 'listRounds' | 'getRoundBySlug' | 'getRoundById'>;

export interface Audience {
  /** Analysts (and staff) see exact counts; the public sees small counts suppressed. */
  exact: boolean;
}

export interface ScopeReport {
  participants: number | null;
  responses: number | null;
  bySector: BreakdownCell[];
  byRegion: BreakdownCell[];
  byLanguage: BreakdownCell[];
  byChannel: BreakdownCell[];
  byGender: BreakdownCell[];
  byAgeRange: BreakdownCell[];
}

export interface TrendEntry {
  round: string;
  roundId: string;
  /** 'active' rounds are still collecting responses: their numbers can change. */
  status: Round['status'];
  title: Round['title'];
  startsOn: Date;
  endsOn: Date;
  /** For a completed round: when it was completed, the date of its (frozen) figures. */
  completedAt: Date | undefined;
  participants: number | null;
  count: number | null;
  share: number | null;
  shareOfAnswered: number | null;
}

/** The open-data table's columns, described in the data dictionary on /open-data. */
export const OPEN_DATA_COLUMNS = [
  'round',
  'round_title_en',
  'round_title_fr',
  'dimension',
  'category',
  'participants',
  'share',
] as const;

export class ParticipationReports {
  constructor(
    private readonly participation: ParticipationService,
    private readonly rounds: RoundCatalog,
    private readonly suppressionThreshold: number,
    private readonly frozen: FrozenRoundModel,
  ) {}

  async init(): Promise<void> {
    await this.frozen.init();
  }

  /** For consultations.completeRound: keeps the round's counts as they are now, as its completion's snapshot. */
  async freeze(roundId: string, completedAt: Date): Promise<void> {
    await saveSnapshot(this.frozen, roundId, completedAt, await this.participation.counts('round', roundId));
  }

  /** A round's counts: the snapshot taken at its completion when it is completed, the live counters otherwise. */
  async roundCounts(round: Pick<Round, 'id' | 'status' | 'completedAt'>): Promise<ScopeCounts> {
    if (round.status === 'completed' && round.completedAt) {
      const snapshot = await readSnapshot(this.frozen, round.id, round.completedAt);
      if (snapshot) return snapshot;
    }
    // Active rounds, and rounds completed before snapshots existed (no completion date): live.
    return this.participation.counts('round', round.id);
  }

  /** Rounds that are not drafts, oldest first (the order of a trend). */
  async publicRounds(): Promise<Round[]> {
    return (await this.rounds.listRounds()).sort((a, b) => a.startsOn.getTime() - b.startsOn.getTime());
  }

  async roundBySlug(slug: string): Promise<Round> {
    return this.rounds.getRoundBySlug(slug);
  }

  /** Who took part in one round, consultation or survey, by every dimension. */
  async scopeReport(scope: Scope, scopeId: string, audience: Audience): Promise<ScopeReport> {
    if (scope === 'round') {
      const round = await this.rounds.getRoundById(scopeId, { includeDrafts: true }).catch(() => null);
      if (round) return this.reportFrom(await this.roundCounts(round), audience);
    }
    return this.reportFrom(await this.participation.counts(scope, scopeId), audience);
  }

  /** Who took part in a round (its frozen figures once completed). */
  async roundReport(round: Round, audience: Audience): Promise<ScopeReport> {
    return this.reportFrom(await this.roundCounts(round), audience);
  }

  reportFrom(counts: ScopeCounts, audience: Audience): ScopeReport {
    const suppressBelow = audience.exact ? undefined : this.suppressionThreshold;
    // Every table of the scope is published together: they share one total, so one table that cannot be
    // protected hides the total, and with it every table (see metrics.ts).
    const published = publishTables(
      counts.participants,
      counts.responses,
      {
        bySector: { counts: counts.by.sector, categories: SECTOR_CATEGORIES },
        byRegion: { counts: counts.by.region, categories: REGION_CATEGORIES },
        byLanguage: { counts: counts.by.locale, categories: LOCALES },
        byChannel: { counts: counts.by.channel, categories: ['open', 'invited'] },
        byGender: { counts: counts.by.gender, categories: [...GENDERS, NOT_ANSWERED] },
        byAgeRange: { counts: counts.by.ageRange, categories: [...AGE_RANGES, NOT_ANSWERED] },
      },
      suppressBelow,
    );
    return { participants: published.participants, responses: published.responses, ...published.tables };
  }

  /** Public (suppressed) participation of every published round, one row per category, in OPEN_DATA_COLUMNS order. */
  async openDataRows(): Promise<(string | number | null)[][]> {
    const rows: (string | number | null)[][] = [];
    for (const round of await this.publicRounds()) {
      const report = await this.roundReport(round, { exact: false });
      const head = [round.slug, round.title.en, round.title.fr];
      rows.push([...head, 'all', 'all', report.participants, report.participants === null ? null : 1]);
      for (const [dimension, cells] of [
        ['sector', report.bySector],
        ['region', report.byRegion],
        ['language', report.byLanguage],
        ['channel', report.byChannel],
      ] as const) {
        for (const c of cells) rows.push([...head, dimension, c.key, c.count, c.share]);
      }
    }
    return rows;
  }

  /** One entry per round, oldest first: participants, and how many of them gave `sector`, with its share. */
  async trend(sector: string, audience: Audience): Promise<TrendEntry[]> {
    if (!isSector(sector) && sector !== 'not_asked')
      throw new NotFoundError({ key: 'participation:errors.unknownSector' });
    const rounds = await this.publicRounds();
    const entries: TrendEntry[] = [];
    for (const round of rounds) {
      const report = await this.roundReport(round, audience);
      const cell = report.bySector.find((c) => c.key === sector);
      entries.push({
        round: round.slug,
        roundId: round.id,
        status: round.status,
        title: round.title,
        startsOn: round.startsOn,
        endsOn: round.endsOn,
        completedAt: round.completedAt,
        participants: report.participants,
        count: cell?.count ?? null,
        share: cell?.share ?? null,
        shareOfAnswered: cell?.shareOfAnswered ?? null,
      });
    }
    return entries;
  }
}
