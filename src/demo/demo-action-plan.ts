import type { Composition } from '../composition-root';
import type { Actor } from '../modules/commitments';

/**
 * The demo's action plan: Canada's 4th National Action Plan on Open Government (2018–2020) with commitment 19,
 * "Engage civil society on open government". Its milestones 19.1 and 19.2 are complete, with the other milestones
 * reached along the way, and its key indicator (the share of engagement participants who identify as civil
 * society) is computed live from the demo's 2016 and 2018 rounds: 8% then 20%. The texts paraphrase the public
 * status page of the commitment.
 */
export const DEMO_PLAN_SLUG = 'nap4-2018-2020';

const TBS = { en: 'Treasury Board of Canada Secretariat', fr: 'Secrétariat du Conseil du Trésor du Canada' };

export async function seedActionPlan(composition: Composition, officer: Actor): Promise<void> {
  const service = composition.commitments.commitments;
  const catalog = composition.consultations.consultations;
  const plan = await service.createPlan(
    {
      slug: DEMO_PLAN_SLUG,
      title: {
        en: 'Canada’s 4th National Action Plan on Open Government 2018–2020',
        fr: '4e Plan d’action national du Canada pour un gouvernement ouvert 2018-2020',
      },
      summary: {
        en: 'What the Government of Canada committed to for 2018 to 2020 to make government more open, and how far each commitment has come.',
        fr: 'Ce à quoi le gouvernement du Canada s’est engagé de 2018 à 2020 pour rendre le gouvernement plus ouvert, et où en est chaque engagement.',
      },
      organisation: { en: 'Government of Canada', fr: 'Gouvernement du Canada' },
      periodStart: '2018',
      periodEnd: '2020',
    },
    officer,
  );
  const round = (slug: string) => catalog.getRoundBySlug(slug);
  const [round2016, round2018] = await Promise.all([round('engagement-2016'), round('engagement-2018')]);
  const consultationIds = await Promise.all(
    ['ongoing-dialogue-2026', 'reaching-civil-society', 'co-creating-fourth-action-plan'].map(
      async (slug) => (await catalog.getConsultationBySlug(slug)).id,
    ),
  );

  await service.createCommitment(
    plan.slug,
    {
      number: '19',
      theme: { en: 'Open dialogue', fr: 'Dialogue ouvert' },
      title: {
        en: 'Engage civil society on open government',
        fr: 'Mobiliser la société civile sur le gouvernement ouvert',
      },
      summary: {
        en: 'The Government of Canada will put in place lasting ways to strengthen its conversation with civil society about open government.',
        fr: 'Le gouvernement du Canada mettra en place des moyens durables de renforcer son dialogue avec la société civile sur le gouvernement ouvert.',
      },
      leadDepartment: TBS,
      enquiryEmail: 'open-government@demo.agora.example',
      otherActors: {
        en: 'The Multi-stakeholder Forum on Open Government (civil society and government members)',
        fr: 'Le Forum multipartite sur le gouvernement ouvert (membres de la société civile et du gouvernement)',
      },
      plannedResult: {
        en: 'Civil society has a formal way to hold a regular, two-way conversation with the federal government on open government issues.',
        fr: 'La société civile dispose d’un moyen officiel de tenir une conversation régulière et dans les deux sens avec le gouvernement fédéral sur les enjeux du gouvernement ouvert.',
      },
      description: {
        en: 'Open government works best when the people outside government help decide what it should do. This commitment gives civil society organizations a standing place at the table, between action plans as well as while one is being written, and reaches out to the communities that are usually not heard.',
        fr: 'Le gouvernement ouvert fonctionne mieux quand les gens de l’extérieur aident à décider de ce qu’il doit faire. Cet engagement donne aux organisations de la société civile une place permanente à la table, entre les plans d’action comme pendant leur rédaction, et va à la rencontre des communautés que l’on entend peu.',
      },
      status: 'substantial',
      consultationIds,
      roundIds: [round2018.id],
    },
    officer,
  );
  const milestones: [string, { en: string; fr: string }, string, string][] = [
    [
      '19.1',
      {
        en: 'Set up, and keep running, a renewed mechanism for ongoing and meaningful dialogue between the Government of Canada and civil society organizations on open government, across the country.',
        fr: 'Mettre en place, et faire vivre, un mécanisme renouvelé de dialogue continu et constructif entre le gouvernement du Canada et les organisations de la société civile sur le gouvernement ouvert, partout au pays.',
      },
      '2018-01-01',
      '2018-06-30',
    ],
    [
      '19.2',
      {
        en: 'Hold targeted engagement activities with key civil society stakeholders to discuss open government issues in particular fields.',
        fr: 'Tenir des activités de mobilisation ciblées avec des intervenants clés de la société civile pour discuter des enjeux du gouvernement ouvert dans des domaines précis.',
      },
      '2018-03-01',
      '2018-12-15',
    ],
    [
      '',
      {
        en: 'The forum met in person for the first time in January 2018 and has held regular teleconferences since.',
        fr: 'Le forum s’est réuni en personne pour la première fois en janvier 2018 et tient depuis des téléconférences régulières.',
      },
      '',
      '2018-01-31',
    ],
    [
      '',
      {
        en: 'Thematic working groups were set up on the priority areas of the next action plan.',
        fr: 'Des groupes de travail thématiques ont été formés sur les domaines prioritaires du prochain plan d’action.',
      },
      '',
      '2018-04-30',
    ],
    [
      '',
      {
        en: 'People were asked which communities our civil society engagement activities should reach.',
        fr: 'On a demandé quelles communautés nos activités de mobilisation de la société civile devraient joindre.',
      },
      '',
      '2018-06-30',
    ],
    [
      '',
      {
        en: 'People were asked which open government themes need more collaboration between government and civil society.',
        fr: 'On a demandé quels thèmes du gouvernement ouvert demandent plus de collaboration entre le gouvernement et la société civile.',
      },
      '',
      '2018-06-30',
    ],
  ];
  for (const [number, text, startDate, endDate] of milestones) {
    await service.addMilestone(
      plan.slug,
      '19',
      // The planned milestones start part-way and are completed through dated updates below.
      {
        number,
        text,
        status: number === '19.1' ? 'substantial' : number ? 'limited' : 'complete',
        startDate,
        endDate,
      },
      officer,
    );
  }
  await service.saveIndicator(
    plan.slug,
    '19',
    undefined,
    {
      name: {
        en: 'Collaborative initiatives, products or tools created by the forum',
        fr: 'Initiatives, produits ou outils collaboratifs créés par le forum',
      },
      target: { en: '4', fr: '4' },
      targetDate: '2018-06-30',
      source: 'manual',
      actual: {
        en: 'The forum helped co-create the commitments of the 4th plan, agreed to support a gender-based analysis of them, and wrote its terms of reference and information products that departments can use to start multi-stakeholder initiatives.',
        fr: 'Le forum a aidé à co-créer les engagements du 4e plan, a accepté d’appuyer une analyse comparative entre les sexes de ceux-ci, et a rédigé son mandat et des produits d’information que les ministères peuvent utiliser pour lancer des initiatives multipartites.',
      },
      actualDate: '2018-06-30',
      sector: '',
      roundIds: [],
    },
    officer,
  );
  await service.saveIndicator(
    plan.slug,
    '19',
    undefined,
    {
      name: {
        en: 'Share of engagement participants self-identifying as civil society',
        fr: 'Part des participants à la mobilisation qui se disent de la société civile',
      },
      target: { en: 'Higher than in 2016', fr: 'Plus élevée qu’en 2016' },
      targetDate: '2018-12-31',
      source: 'rounds',
      actual: { en: '', fr: '' },
      actualDate: '',
      sector: 'civil_society',
      roundIds: [round2016.id, round2018.id],
    },
    officer,
  );

  const current = await service.getCommitment(plan.slug, '19', { includeDrafts: true });
  const milestoneId = (number: string) => current.milestones.find((m) => m.number === number)?.id ?? '';
  const updates: [string, string, string, { en: string; fr: string }][] = [
    [
      milestoneId('19.1'),
      'complete',
      '2018-06-30',
      {
        en: 'The renewed forum is running: it meets regularly and has terms of reference.',
        fr: 'Le forum renouvelé est en place : il se réunit régulièrement et a un mandat.',
      },
    ],
    [
      milestoneId('19.2'),
      'complete',
      '2018-12-15',
      {
        en: 'Targeted sessions were held with civil society organizations; 20% of the 2018 participants identified as civil society, up from 8% in 2016.',
        fr: 'Des séances ciblées ont eu lieu avec des organisations de la société civile; 20 % des participants de 2018 se sont dits de la société civile, contre 8 % en 2016.',
      },
    ],
    [
      '',
      'complete',
      '2018-12-31',
      { en: 'All deliverables complete.', fr: 'Tous les livrables sont terminés.' },
    ],
  ];
  for (const [index, [milestone, status, date, note]] of updates.entries()) {
    await service.recordStatusChange(
      plan.slug,
      '19',
      { milestoneId: milestone, status, date, note, submissionId: `demo-nap4-19-${index + 1}` },
      officer,
    );
  }
  await service.publishCommitment(plan.slug, '19', officer);
  await service.publishPlan(plan.slug, officer);
}
