import { csvCell, csvDocument, csvRow, UTF8_BOM } from './csv';

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example")', `"'=HYPERLINK(""http://evil.example"")"`],
    ['+1 555', "'+1 555"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
  ])('when a text cell starts like a formula (%p), then it is neutralised', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('when cells hold commas, quotes, line breaks, numbers, dates or nothing, then they are written per RFC 4180', () => {
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(0.2)).toBe('0.2');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2018-06-30T00:00:00Z'))).toBe('2018-06-30T00:00:00.000Z');
    expect(csvCell(['a', 'b'])).toBe('a; b');
    expect(csvCell('Société civile')).toBe('Société civile');
    expect(csvRow(['x', 1])).toBe('x,1\r\n');
  });

  it('when a document is streamed, then it starts with a BOM and the header', async () => {
    async function* rows() {
      yield ['a', 1];
      yield ['b', 2];
    }
    const lines: string[] = [];
    for await (const line of csvDocument(['name', 'n'], rows())) lines.push(line);
    expect(lines.join('')).toBe(`${UTF8_BOM}name,n\r\na,1\r\nb,2\r\n`);
  });
});
