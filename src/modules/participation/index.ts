import type { Connection } from 'mongoose';
import type { WriteSerializer } from '../../platform/db/write-serializer';
import { participationModels } from './participation.model';
import { ParticipationService } from './participation.service';

export type { ParticipationRecorder, SubmissionRecord } from './participation.types';
export type { ScopeCounts, RebuildResult } from './participation.service';
export { ParticipationService, NOT_ANSWERED } from './participation.service';
export { breakdown, ratio, mean, median, suppressTotal, type BreakdownCell } from './metrics';

export function createParticipationModule(deps: { connection: Connection; serializer: WriteSerializer }) {
  const participation = new ParticipationService(participationModels(deps.connection), deps.serializer);
  return { participation };
}
