import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { barChart, timePositions, trendChart } from './svg-charts';

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
    expect(XMLValidator.validate(svg.replace(/<ul[\s\S]*$/, ''))).toBe(true);
    for (const text of ['8%', '20%', '2016', '2018']) expect(svg).toContain(`>${text}</text>`);
    // the target's words are in the legend under the drawing, where they cannot cover a value
    expect(svg).toMatch(/<ul class="chart-legend"><li>.*Target 25%<\/li><\/ul>$/);
  });

  it('when charts are drawn, then they have no viewBox (text is never scaled down) and no text is under 12 px', () => {
    const trend = trendChart({
      title: 't',
      description: 'd',
      points: [
        { label: '2016', value: 0.08, display: '8%', date: new Date('2016-03-01') },
        { label: '2026', value: 0.192, display: '19.2%', date: new Date('2026-03-01'), inProgress: true },
      ],
      target: { value: 0.2, label: 'Target: 20%' },
    });
    const bars = barChart({ title: 't', description: 'd', bars: [{ label: 'A', value: 1, display: '1' }] });
    for (const svg of [trend, bars]) {
      expect(svg).not.toContain('viewBox');
      const sizes = [...svg.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1]));
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    }
  });

  it('when rounds have dates, then x is proportional to time: 2016, 2018 and 2026 are not evenly spaced', () => {
    const at = (year: number) => ({ date: new Date(Date.UTC(year, 2, 1)) });
    const [a, b, c] = timePositions([at(2016), at(2018), at(2026)]);
    expect(a).toBe(0);
    expect(c).toBe(1);
    expect(b).toBeCloseTo(0.2, 2);
    expect(timePositions([{}, {}, {}])).toEqual([0, 0.5, 1]);
    expect(timePositions([at(2020)])).toEqual([0.5]);
  });

  it('when a round is in progress, then its point is hollow, the line to it dashed, and the legend says so', () => {
    const svg = trendChart({
      title: 't',
      description: 'd',
      points: [
        { label: '2018', value: 0.2, display: '20%', date: new Date('2018-03-01') },
        { label: '2026', value: 0.192, display: '19.2%', date: new Date('2026-11-01'), inProgress: true },
      ],
      inProgressLabel: 'Round in progress: its figures can still change',
    });
    expect(svg).toContain('class="chart__point chart__point--in-progress"');
    expect(svg).toMatch(/<line [^>]*stroke-dasharray="6 5"\/>/);
    expect(svg).toContain('Round in progress: its figures can still change</li>');
    const finished = trendChart({
      title: 't',
      description: 'd',
      points: [{ label: '2018', value: 0.2, display: '20%' }],
    });
    expect(finished).not.toContain('chart-legend');
  });

  it('when there is no data, then the charts still render', () => {
    expect(XMLValidator.validate(trendChart({ title: 't', description: 'd', points: [] }))).toBe(true);
    expect(XMLValidator.validate(barChart({ title: 't', description: 'd', bars: [] }))).toBe(true);
  });
});
