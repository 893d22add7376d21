import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const SUBSCRIPTION_TARGETS = ['consultation', 'round'] as const;
export type SubscriptionTarget = (typeof SUBSCRIPTION_TARGETS)[number];
/** 'all': opening, closing soon, closed and report; 'report': only the "what we heard" report (an opt-in). */
export type SubscriptionScope = 'all' | 'report';

export interface SubscriptionDoc {
  _id: Types.ObjectId;
  email: string;
  locale: 'en' | 'fr';
  userId?: string;
  targetType: SubscriptionTarget;
  targetId: Types.ObjectId;
  scope: SubscriptionScope;
  /** Unsubscribing keeps the record (inactive), so the emailed link keeps working and can be undone. */
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const subscriptionSchema = new Schema<SubscriptionDoc>(
  {
    email: { type: String, required: true },
    locale: { type: String, enum: ['en', 'fr'], default: 'en' },
    userId: { type: String },
    targetType: { type: String, enum: SUBSCRIPTION_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    scope: { type: String, enum: ['all', 'report'], required: true },
    active: { type: Boolean, default: true },
  },
  { timestamps: true, collection: 'consultation_subscriptions' },
);
// One subscription per address and target: following twice is the same as following once.
subscriptionSchema.index({ email: 1, targetType: 1, targetId: 1 }, { unique: true });
subscriptionSchema.index({ targetType: 1, targetId: 1, active: 1 });

export type SubscriptionModel = Model<SubscriptionDoc>;

export function subscriptionModel(connection: Connection): SubscriptionModel {
  return (
    (connection.models.ConsultationSubscription as SubscriptionModel | undefined) ??
    connection.model<SubscriptionDoc>('ConsultationSubscription', subscriptionSchema)
  );
}

/** One record per notice sent (e.g. `closing:<consultationId>`), so the periodic job does its work once. */
export interface NoticeDoc {
  _id: Types.ObjectId;
  key: string;
  sentAt: Date;
  recipients: number;
}

const noticeSchema = new Schema<NoticeDoc>(
  { key: { type: String, required: true }, sentAt: { type: Date, required: true }, recipients: Number },
  { collection: 'consultation_notices' },
);
noticeSchema.index({ key: 1 }, { unique: true });

export type NoticeModel = Model<NoticeDoc>;

export function noticeModel(connection: Connection): NoticeModel {
  return (
    (connection.models.ConsultationNotice as NoticeModel | undefined) ??
    connection.model<NoticeDoc>('ConsultationNotice', noticeSchema)
  );
}
