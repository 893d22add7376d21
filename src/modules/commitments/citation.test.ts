import { apa, bibtex, citationMeta, cslJson, ris, type CitationInput } from './citation';

const input: CitationInput = {
  author: 'Treasury Board of Canada Secretariat',
  title: 'Engage civil society on open government',
  label: 'Commitment 19',
  container: 'Canada’s 4th National Action Plan on Open Government 2018–2020',
  publisher: 'Agora',
  date: new Date('2018-12-31T00:00:00Z'),
  url: 'https://engage.example.ca/plans/nap4-2018-2020/commitments/19',
  locale: 'en',
  key: 'nap4-2018-2020-19',
};

describe('citations', () => {
  it('when cited in APA, then the full date is given and the title is set apart for italics', () => {
    const text = apa(input);
    expect(text.before).toBe('Treasury Board of Canada Secretariat. (2018, December 31). ');
    expect(text.title).toBe('Engage civil society on open government');
    expect(text.text).toBe(
      'Treasury Board of Canada Secretariat. (2018, December 31). Engage civil society on open government [Commitment 19, Canada’s 4th National Action Plan on Open Government 2018–2020]. Agora. https://engage.example.ca/plans/nap4-2018-2020/commitments/19',
    );
    expect(apa({ ...input, locale: 'fr' }).before).toBe(
      'Treasury Board of Canada Secretariat. (2018, 31 décembre). ',
    );
  });

  it('when exported, then CSL-JSON, BibTeX, RIS and the meta tags carry the same date and address', () => {
    expect(cslJson(input)).toMatchObject({ issued: { 'date-parts': [[2018, 12, 31]] }, URL: input.url });
    expect(bibtex({ ...input, title: 'Data & 100% open_gov {x}' })).toContain(
      'title = {Data \\& 100\\% open\\_gov x}',
    );
    expect(ris(input)).toContain('DA  - 2018/12/31\r\n');
    expect(citationMeta(input)).toContainEqual({ name: 'citation_publication_date', content: '2018/12/31' });
  });
});
