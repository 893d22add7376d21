import { Schema, type Connection, type Types } from 'mongoose';

export const INDICATOR_KINDS = ['sector_share', 'participants', 'manual'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];
export const INDICATOR_UNITS = ['percent', 'number'] as const;
export type IndicatorUnit = (typeof INDICATOR_UNITS)[number];

/**
 * A key indicator, shown publicly like a commitment's key-indicator table. Computed ones take their values from
 * the participation rollups, one per round; manual ones from data points entered by staff with their collection date.
 * Percentages are stored as fractions (0.2 for 20%).
 */
export interface IndicatorDoc {
  _id: Types.ObjectId;
  slug: string;
  name: { en: string; fr: string };
  description: { en: string; fr: string };
  kind: IndicatorKind;
  unit: IndicatorUnit;
  sector?: string;
  baseline?: { value: number; date: Date };
  target: { value: number; date: Date };
  dataPoints: { value: number; collectedAt: Date; note: string }[];
  published: boolean;
  order: number;
  /** The organisation whose staff manage it (absent on indicators stored before organisations: the default). */
  organisationId?: string;
  createdAt: Date;
  updatedAt: Date;
}

const indicatorSchema = new Schema<IndicatorDoc>(
  {
    slug: { type: String, required: true },
    name: { en: { type: String, default: '' }, fr: { type: String, default: '' } },
    description: { en: { type: String, default: '' }, fr: { type: String, default: '' } },
    kind: { type: String, enum: INDICATOR_KINDS, required: true },
    unit: { type: String, enum: INDICATOR_UNITS, required: true },
    sector: { type: String },
    baseline: { type: new Schema({ value: Number, date: Date }, { _id: false }), required: false },
    target: { type: new Schema({ value: Number, date: Date }, { _id: false }), required: true },
    dataPoints: [
      new Schema({ value: Number, collectedAt: Date, note: { type: String, default: '' } }, { _id: false }),
    ],
    published: { type: Boolean, default: true },
    order: { type: Number, default: 0 },
    organisationId: { type: String },
  },
  { collection: 'indicators', timestamps: true },
);
indicatorSchema.index({ slug: 1 }, { unique: true });

const build = (connection: Connection) => connection.model('Indicator', indicatorSchema);
export type IndicatorModel = ReturnType<typeof build>;

export function indicatorModel(connection: Connection): IndicatorModel {
  return (connection.models.Indicator as IndicatorModel | undefined) ?? build(connection);
}
