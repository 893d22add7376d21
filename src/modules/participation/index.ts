import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from '../../platform/logger';
import { frozenRoundModel } from './frozen-rounds';
import { indicatorModel } from './indicator.model';
import { IndicatorsService } from './indicators.service';
import { participationModels } from './participation.model';
import { OPEN_GOVERNMENT_LICENCE_CANADA } from '../../config';
import type { OpenDataSettings } from './open-data';
import { participationRouter } from './participation.routes';
import { ParticipationService } from './participation.service';
import { ParticipationReports, type RoundCatalog } from './reports.service';

export type { ParticipationRecorder, SubmissionRecord } from './participation.types';
export type { ScopeCounts, RebuildResult } from './participation.service';
export type { RoundCatalog, ScopeReport, TrendEntry } from './reports.service';
export type { IndicatorView, IndicatorForm } from './indicators.service';
export { ParticipationService, NOT_ANSWERED } from './participation.service';
export { ParticipationReports } from './reports.service';
export { IndicatorsService } from './indicators.service';
export { breakdown, ratio, mean, median, suppressTotal, type BreakdownCell } from './metrics';
export { breakdownSections, formatCount, formatShare } from './participation.presenter';
export { registerParticipationOpenApi } from './participation.openapi';

export interface ParticipationModule {
  participation: ParticipationService;
  reports: ParticipationReports;
  indicators: IndicatorsService;
  router: Router;
  init(): Promise<void>;
}

/** Without `rounds`, only recording and counting are available (used by the metrics:rebuild command). */
export function createParticipationModule(deps: { connection: Connection; logger?: Logger }): {
  participation: ParticipationService;
};
export function createParticipationModule(deps: {
  connection: Connection;
  logger?: Logger;
  rounds: RoundCatalog;
  suppressionThreshold: number;
  openData?: OpenDataSettings;
}): ParticipationModule;
export function createParticipationModule(deps: {
  connection: Connection;
  logger?: Logger;
  rounds?: RoundCatalog;
  suppressionThreshold?: number;
  openData?: OpenDataSettings;
}): ParticipationModule | { participation: ParticipationService } {
  const participation = new ParticipationService(participationModels(deps.connection), deps.logger);
  if (!deps.rounds) return { participation };
  const threshold = deps.suppressionThreshold ?? 5;
  const reports = new ParticipationReports(
    participation,
    deps.rounds,
    threshold,
    frozenRoundModel(deps.connection),
  );
  const indicators = new IndicatorsService(indicatorModel(deps.connection), reports);
  return {
    participation,
    reports,
    indicators,
    router: participationRouter({
      reports,
      indicators,
      suppressionThreshold: threshold,
      openData: deps.openData ?? { baseUrl: '', licenceUrl: OPEN_GOVERNMENT_LICENCE_CANADA },
    }),
    async init() {
      await participation.init();
      await reports.init();
      await indicators.init();
    },
  };
}
