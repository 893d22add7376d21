import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../paths';
import { createI18n, loadResources, negotiateLocale } from '.';

function flatten(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    value && typeof value === 'object'
      ? flatten(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}

describe('translations', () => {
  const resources = loadResources();

  it('when a namespace exists in one language, then it exists in the other', () => {
    expect(Object.keys(resources.fr).sort()).toEqual(Object.keys(resources.en).sort());
  });

  it.each(Object.keys(resources.en))(
    'when a key exists in one language, then it exists in the other (%s)',
    (ns) => {
      const en = flatten(resources.en[ns] ?? {}).sort();
      const fr = flatten(resources.fr[ns] ?? {}).sort();
      expect({ ns, missingInFrench: en.filter((k) => !fr.includes(k)) }).toEqual({ ns, missingInFrench: [] });
      expect({ ns, missingInEnglish: fr.filter((k) => !en.includes(k)) }).toEqual({
        ns,
        missingInEnglish: [],
      });
    },
  );

  it('when a view or module uses a literal key, then that key exists in both languages', () => {
    const i18n = createI18n(resources);
    const sources = [
      ...filesUnder(path.join(ROOT, 'views'), /\.ejs$/),
      ...filesUnder(path.join(ROOT, 'src'), /\.ts$/).filter((f) => !f.endsWith('.test.ts')),
    ];
    const missing: string[] = [];
    for (const file of sources) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\b(?:t|key:)\s*\(?\s*'([a-z][\w-]*:[\w.-]*\w)'/g)) {
        const key = match[1] as string;
        for (const lng of ['en', 'fr']) {
          const exists = i18n.exists(key, { lng }) || i18n.exists(`${key}_other`, { lng });
          if (!exists) missing.push(`${path.relative(ROOT, file)}: ${key} (${lng})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('when a count is given, then French and English pick their own plural forms', () => {
    const i18n = createI18n(resources);
    expect(i18n.getFixedT('en')('common:errorSummary.title', { count: 1 })).toBe('There is a problem');
    expect(i18n.getFixedT('fr')('common:errorSummary.title', { count: 3 })).toBe('Il y a 3 problèmes');
  });
});

describe('negotiateLocale', () => {
  it.each([
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
    ['en-US,en;q=0.9', 'en'],
    ['de-DE,fr;q=0.5,en;q=0.7', 'en'],
    ['de', undefined],
    ['', undefined],
    ['fr;q=0', undefined],
  ])('when Accept-Language is %p, then the locale is %p', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });
});
