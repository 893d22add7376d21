import { loadResources } from './index';

/**
 * Canadian French typography in locales/fr (OQLF): a non-breaking space before a colon (none before ; ! ?),
 * « » with non-breaking spaces inside (never straight or English quotes), a non-breaking space before % ("8 %"),
 * and no "de le"/"à les" or "de" before a generated organisation or plan name (write "du Secrétariat", or avoid
 * the article). A regression in any file fails here with the key and the text.
 */
const NBSP = '[\\u00a0\\u202f]';

/** Code in messages about the API (JSON examples), URLs and placeholders are not French prose. */
function prose(value: string): string {
  return value
    .replace(/\{"[^{}]*(?:\{[^{}]*\})?[^{}]*\}/g, '{json}')
    .replace(/\w+:\/\/[^\s)]*/g, 'URL')
    .replace(/\{\{[^}]*\}\}/g, 'X');
}

const RULES: { name: string; bad: RegExp }[] = [
  { name: 'colon without a non-breaking space before it', bad: new RegExp(`(?<!${NBSP})(?<!\\d):(?!\\d)`) },
  { name: 'space before ; ! or ? (none in Canadian French)', bad: /[ \u00a0\u202f][;!?]/ },
  { name: 'straight or English quotation marks (use « »)', bad: /["“”]/ },
  { name: '« not followed by a non-breaking space', bad: new RegExp(`«(?!${NBSP})`) },
  { name: '» not preceded by a non-breaking space', bad: new RegExp(`(?<!${NBSP})»`) },
  { name: 'percent without a non-breaking space before it', bad: new RegExp(`(?<!${NBSP})%`) },
  {
    name: '"de" before a name that takes an article (du Secrétariat)',
    bad: /\bde (Secrétariat|Ministère|Bureau|Plan|Conseil)\b/,
  },
];

function* strings(value: unknown, key: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [key, value];
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) yield* strings(item, `${key}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, item] of Object.entries(value)) yield* strings(item, key ? `${key}.${k}` : k);
}

describe('French typography in locales/fr', () => {
  const fr = loadResources().fr;
  const entries = Object.entries(fr).flatMap(([ns, tree]) =>
    [...strings(tree, '')].map(([key, value]) => [`${ns}:${key}`, value] as const),
  );

  it('has strings to check', () => {
    expect(entries.length).toBeGreaterThan(500);
  });

  it.each(RULES)('no value has a $name', ({ bad }) => {
    const offending = entries
      .filter(([, value]) => bad.test(prose(value)))
      .map(([key, value]) => `${key}: ${value}`);
    expect(offending).toEqual([]);
  });

  it('catches each mistake it is meant to (the rules themselves)', () => {
    const samples = [
      'Erreur :',
      'Erreur:',
      'Vraiment ?',
      '"Autre"',
      '« Autre »',
      '8 %',
      '10%',
      'de Secrétariat',
    ];
    for (const sample of samples) expect(RULES.some(({ bad }) => bad.test(prose(sample)))).toBe(true);
    const good = [
      'Erreur\u00a0:',
      'Vraiment?',
      '«\u00a0Autre\u00a0»',
      '8\u00a0%',
      'à 10:30',
      'https://x.ca',
      'du Secrétariat',
    ];
    for (const sample of good) expect(RULES.filter(({ bad }) => bad.test(prose(sample)))).toEqual([]);
  });
});

describe('English spelling in locales/en', () => {
  it('writes "organization" (Canadian government English), never "organisation"', () => {
    const en = loadResources().en;
    const offending = Object.entries(en).flatMap(([ns, tree]) =>
      [...strings(tree, '')]
        // The API's field is called `organisation`: a name in code, not English prose.
        .filter(([key, value]) => key !== 'api.unknownFields' && /organis/i.test(prose(value)))
        .map(([key]) => `${ns}:${key}`),
    );
    expect(offending).toEqual([]);
  });
});
