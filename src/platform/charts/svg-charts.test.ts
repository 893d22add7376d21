import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { barChart, trendChart } from './svg-charts';

describe('SVG charts', () => {
  it('when a bar chart is drawn, then it is valid SVG named by its title and description, with escaped labels', () => {
    const svg = barChart({
      title: 'Participants by sector',
      description: 'Civil society 20%',
      bars: [
        { label: 'Civil society <script>', value: 0.2, display: '20%', highlight: true },
        { label: 'Individuals', value: 0.8, display: '80%' },
        { label: 'Academia', value: null, display: 'suppressed' },
      ],
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg;
    expect(root['@_role']).toBe('img');
    expect(root['@_aria-labelledby']).toBe(`${root.title['@_id']} ${root.desc['@_id']}`);
    expect(svg).toContain('Civil society &lt;script&gt;');
    expect(svg).not.toContain('<script>');
  });

  it('when a trend is drawn with a target, then every point and the target are written as text too', () => {
    const svg = trendChart({
      title: 'Civil society share',
      description: '8% in 2016, 20% in 2018',
      points: [
        { label: '2016', value: 0.08, display: '8%' },
        { label: '2018', value: 0.2, display: '20%' },
      ],
      target: { value: 0.25, label: 'Target 25%' },
    });
    expect(XMLValidator.validate(svg)).toBe(true);
    for (const text of ['8%', '20%', '2016', '2018', 'Target 25%']) expect(svg).toContain(`>${text}</text>`);
  });

  it('when there is no data, then the charts still render', () => {
    expect(XMLValidator.validate(trendChart({ title: 't', description: 'd', points: [] }))).toBe(true);
    expect(XMLValidator.validate(barChart({ title: 't', description: 'd', bars: [] }))).toBe(true);
  });
});
