import type { Region, Sector } from '../platform/classifications';

/**
 * The demo: Canada's open-government engagement, rounds of 2016 and 2018, whose key indicator was the share of
 * engagement participants self-identifying as civil society (8% in 2016, 20% in 2018). Respondents are synthetic;
 * their sectors are chosen so those two shares come out exactly.
 */

/** Participants per sector in each historical round. 2016: 8 of 100 civil society; 2018: 30 of 150. */
export const SECTOR_MIX: Record<'2016' | '2018', Partial<Record<Sector, number>>> = {
  '2016': {
    civil_society: 8,
    academia: 10,
    private_sector: 14,
    government: 12,
    indigenous_organization: 3,
    individual: 45,
    other: 3,
    prefer_not_to_say: 5,
  },
  '2018': {
    civil_society: 30,
    academia: 16,
    private_sector: 18,
    government: 15,
    indigenous_organization: 6,
    individual: 52,
    other: 5,
    prefer_not_to_say: 8,
  },
};

/** Roughly where people live, for regions (weights, not counts). */
export const REGION_WEIGHTS: [Region, number][] = [
  ['ON', 38],
  ['QC', 22],
  ['BC', 13],
  ['AB', 11],
  ['MB', 4],
  ['SK', 3],
  ['NS', 3],
  ['NB', 2],
  ['NL', 1],
  ['PE', 1],
  ['NT', 1],
  ['YT', 1],
  ['NU', 1],
  ['outside_canada', 1],
  ['prefer_not_to_say', 2],
];

export const THEME_OPTIONS = [
  { id: 'data', label: { en: 'Open data', fr: 'Données ouvertes' } },
  { id: 'information', label: { en: 'Open information', fr: 'Information ouverte' } },
  { id: 'dialogue', label: { en: 'Open dialogue', fr: 'Dialogue ouvert' } },
  { id: 'fiscal', label: { en: 'Fiscal transparency', fr: 'Transparence financière' } },
];

export const TEXT_ANSWERS = {
  en: [
    'Publish spending data every month, not once a year.',
    'Hold sessions outside the big cities, and online in the evening.',
    'Explain what changed because of what people said.',
    'Work with Indigenous organizations from the start, not at the end.',
    'Make datasets easier to find and to reuse.',
    'Fund small community groups so they can take part.',
  ],
  fr: [
    'Publier les données sur les dépenses chaque mois, pas une fois par année.',
    'Tenir des séances hors des grandes villes, et en ligne le soir.',
    'Expliquer ce qui a changé grâce à ce que les gens ont dit.',
    'Travailler avec les organisations autochtones dès le départ, pas à la fin.',
    'Rendre les jeux de données plus faciles à trouver et à réutiliser.',
    'Financer les petits groupes communautaires pour qu’ils puissent participer.',
  ],
};
