import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { BilingualText } from './consultations.types';
import { bilingual } from './round.model';

export interface ReportThemeDoc {
  title: BilingualText;
  /** What participants said about this theme (Markdown). */
  heard: BilingualText;
  /** The organisation's response: what it will do, or why not (Markdown). */
  response: BilingualText;
}

/** The "what we heard" report of one consultation: one per consultation (unique consultationId). */
export interface ReportDoc {
  _id: Types.ObjectId;
  consultationId: Types.ObjectId;
  introduction: BilingualText;
  themes: ReportThemeDoc[];
  publishedAt?: Date;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const themeSchema = new Schema<ReportThemeDoc>(
  { title: bilingual, heard: bilingual, response: bilingual },
  { _id: false },
);

const reportSchema = new Schema<ReportDoc>(
  {
    consultationId: { type: Schema.Types.ObjectId, required: true },
    introduction: bilingual,
    themes: { type: [themeSchema], default: [] },
    publishedAt: { type: Date },
    updatedBy: { type: String, required: true },
  },
  { timestamps: true, collection: 'consultation_reports' },
);
reportSchema.index({ consultationId: 1 }, { unique: true });
reportSchema.index({ publishedAt: -1 });

export type ReportModel = Model<ReportDoc>;

export function reportModel(connection: Connection): ReportModel {
  return (
    (connection.models.ConsultationReport as ReportModel | undefined) ??
    connection.model<ReportDoc>('ConsultationReport', reportSchema)
  );
}
