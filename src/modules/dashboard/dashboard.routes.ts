import { Router, type Request } from 'express';
import { requireSignedIn } from '../../platform/http/auth';
import { formatDate, type Locale } from '../../platform/i18n';
import type { ParticipantActivity } from '../surveys';

type Bilingual = { en: string; fr: string };

/** What the dashboard asks of the other modules (each through its public face; composed in the composition root). */
export interface DashboardDeps {
  surveys: {
    participantActivity(userId: string): Promise<ParticipantActivity>;
  };
  subscriptions: {
    forUser(user: {
      id: string;
      email: string;
    }): Promise<
      { targetType: 'consultation' | 'round'; targetId: string; scope: 'all' | 'report'; token: string }[]
    >;
  };
  consultations: {
    findConsultationById(id: string): Promise<{ slug: string; title: Bilingual } | null | undefined>;
    getRoundById(id: string, opts?: { includeDrafts?: boolean }): Promise<{ slug: string; title: Bilingual }>;
  };
  followers: {
    forUser(user: {
      id: string;
      email: string;
    }): Promise<{ planSlug: string; number: string; token: string }[]>;
  };
  commitments: {
    getCommitment(
      slug: string,
      number: string,
    ): Promise<{ planSlug: string; number: string; title: Bilingual }>;
  };
}

const pick = (text: Bilingual | undefined, locale: Locale) =>
  text ? text[locale] || text.en || text.fr : '';

const NOTICES: Record<string, string> = { verified: 'dashboard:notices.verified' };

/** GET /account: the signed-in person's own surveys, responses and follows. */
export function dashboardRouter(deps: DashboardDeps): Router {
  const router = Router();

  router.get('/account', requireSignedIn(), async (req, res) => {
    const user = req.user!;
    const locale = req.locale;
    const [activity, subscriptions, follows] = await Promise.all([
      deps.surveys.participantActivity(user.id),
      deps.subscriptions.forUser(user),
      deps.followers.forUser(user),
    ]);
    const day = (date: Date | undefined) => (date ? formatDate(date, locale) : '');
    const following = [
      ...(await Promise.all(subscriptions.map((s) => describeSubscription(req, s)))),
      ...(await Promise.all(follows.map((f) => describeFollow(req, f)))),
    ].filter((item): item is NonNullable<typeof item> => Boolean(item));
    const noticeKey = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
    res.set('Cache-Control', 'no-store');
    res.render('dashboard/index', {
      title: req.t('dashboard:title'),
      notice: noticeKey ? req.t(noticeKey) : undefined,
      drafts: activity.drafts.map((d) => ({
        title: pick(d.title, locale),
        href: d.resumeAt
          ? `/surveys/${d.surveyId}/pages/${encodeURIComponent(d.resumeAt)}`
          : `/surveys/${d.surveyId}`,
        saved: day(d.savedAt),
        closes: day(d.closesAt),
        open: d.open,
      })),
      submitted: activity.submitted.map((r) => ({
        title: pick(r.title, locale),
        href: `/surveys/${r.surveyId}`,
        submitted: day(r.submittedAt),
        reference: r.reference,
        canEdit: r.canEdit,
        closes: day(r.closesAt),
      })),
      following,
    });
  });

  async function describeSubscription(
    req: Request,
    s: Awaited<ReturnType<DashboardDeps['subscriptions']['forUser']>>[number],
  ) {
    try {
      const target =
        s.targetType === 'round'
          ? await deps.consultations.getRoundById(s.targetId)
          : await deps.consultations.findConsultationById(s.targetId);
      if (!target) return undefined;
      return {
        kind: req.t(`dashboard:following.kinds.${s.targetType}${s.scope === 'report' ? 'Report' : ''}`),
        title: pick(target.title, req.locale),
        href: s.targetType === 'round' ? `/rounds/${target.slug}` : `/consultations/${target.slug}`,
        stopHref: `/unsubscribe/${s.token}`,
      };
    } catch {
      return undefined; // a target that is gone or not public any more is not listed
    }
  }

  async function describeFollow(
    req: Request,
    f: Awaited<ReturnType<DashboardDeps['followers']['forUser']>>[number],
  ) {
    try {
      const commitment = await deps.commitments.getCommitment(f.planSlug, f.number);
      return {
        kind: req.t('dashboard:following.kinds.commitment'),
        title: req.t('dashboard:following.commitmentTitle', {
          number: commitment.number,
          title: pick(commitment.title, req.locale),
        }),
        href: `/plans/${encodeURIComponent(f.planSlug)}/commitments/${encodeURIComponent(f.number)}`,
        stopHref: `/commitments/unfollow/${f.token}`,
      };
    } catch {
      return undefined;
    }
  }

  return router;
}
