import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { PUBLICATIONS, type BilingualText, type Publication } from './consultations.types';
import { bilingual } from './round.model';

export interface ConsultationDoc {
  _id: Types.ObjectId;
  slug: string;
  roundId: Types.ObjectId;
  title: BilingualText;
  summary: BilingualText;
  body: BilingualText;
  themes: string[];
  leadOrganisation: BilingualText;
  contactEmail: string;
  opensAt: Date;
  closesAt: Date;
  publication: Publication;
  publishedAt?: Date;
  createdBy: string;
  /** The organisation that owns it (platform/http/access.ts); unset on records from before organisations. */
  organisationId?: string;
  /** Organisations an admin shared it with: their staff may view and analyse it (platform/http/access.ts). */
  sharedWith?: string[];
  createdAt: Date;
  updatedAt: Date;
}

const consultationSchema = new Schema<ConsultationDoc>(
  {
    slug: { type: String, required: true },
    roundId: { type: Schema.Types.ObjectId, required: true },
    title: bilingual,
    summary: bilingual,
    body: bilingual,
    themes: { type: [String], default: [] },
    leadOrganisation: bilingual,
    contactEmail: { type: String, default: '' },
    opensAt: { type: Date, required: true },
    closesAt: { type: Date, required: true },
    publication: { type: String, enum: PUBLICATIONS, required: true, default: 'draft' },
    publishedAt: { type: Date },
    createdBy: { type: String, required: true },
    organisationId: { type: String },
    sharedWith: { type: [String], default: undefined },
  },
  { timestamps: true, collection: 'consultations' },
);
consultationSchema.index({ slug: 1 }, { unique: true });
consultationSchema.index({ roundId: 1, opensAt: -1 });
consultationSchema.index({ publication: 1, closesAt: 1 });

export type ConsultationModel = Model<ConsultationDoc>;

export function consultationModel(connection: Connection): ConsultationModel {
  return (
    (connection.models.Consultation as ConsultationModel | undefined) ??
    connection.model<ConsultationDoc>('Consultation', consultationSchema)
  );
}
