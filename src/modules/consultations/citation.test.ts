import { apaDate, bibtex, cslJson, ris, type CitationSource } from './citation';

const source: CitationSource = {
  kind: 'consultation',
  slug: 'budget-2018',
  title: 'Budget {2018}: 50% of $ & #1_plan ~ ^\\ \n second line',
  organisation: 'Finance & Co',
  date: new Date('2018-03-01T00:00:00.000Z'),
  url: 'https://engage.example.ca/consultations/budget-2018',
  locale: 'fr',
  site: 'Agora',
};

describe('citations', () => {
  it('when a date is cited, then it is the full date in the language (APA for web pages)', () => {
    expect(apaDate(new Date('2018-03-01T00:00:00.000Z'), 'en')).toBe('2018, March 1');
    expect(apaDate(new Date('2018-03-01T00:00:00.000Z'), 'fr')).toBe('2018, 1er mars');
    // An instant late in the evening in Toronto is that day, not the next one in UTC.
    expect(apaDate(new Date('2018-03-02T03:30:00.000Z'), 'en')).toBe('2018, March 1');
  });

  it('when a title holds BibTeX special characters, then each is escaped and the entry stays balanced', () => {
    const entry = bibtex(source);
    expect(entry).toContain(
      'title = {Budget \\{2018\\}: 50\\% of \\$ \\& \\#1\\_plan \\textasciitilde{} \\textasciicircum{}\\textbackslash{}',
    );
    expect(entry).toContain('author = {{Finance \\& Co}}');
    const unescaped = entry.replace(/\\[{}]/g, '');
    expect(unescaped.split('{').length).toBe(unescaped.split('}').length);
  });

  it('when a title has a line break, then RIS keeps one line per tag and CSL-JSON keeps the text', () => {
    const lines = ris(source).split('\r\n');
    expect(lines.filter((l) => l.startsWith('TI  - '))).toHaveLength(1);
    expect(lines.every((l) => l === '' || /^[A-Z][A-Z0-9] {2}- /.test(l))).toBe(true);
    expect(cslJson(source)[0]).toMatchObject({
      title: source.title,
      issued: { 'date-parts': [[2018, 3, 1]] },
    });
  });
});
