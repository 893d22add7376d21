import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A department or team that staff belong to and that owns rounds and consultations (see platform/http/access.ts).
 * `_id` is a short code chosen by the admin (`esdc`, `tbs-ogp`), so creating one twice is a duplicate key.
 */
export interface OrganisationDocument {
  _id: string;
  name: { en: string; fr: string };
  createdAt: Date;
}

const organisationSchema = new Schema<OrganisationDocument>(
  {
    _id: { type: String, required: true },
    name: {
      en: { type: String, required: true, maxlength: 200 },
      fr: { type: String, required: true, maxlength: 200 },
    },
  },
  { collection: 'organisations', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

export function organisationModel(connection: Connection): Model<OrganisationDocument> {
  return (
    (connection.models.Organisation as Model<OrganisationDocument> | undefined) ??
    connection.model<OrganisationDocument>('Organisation', organisationSchema)
  );
}
