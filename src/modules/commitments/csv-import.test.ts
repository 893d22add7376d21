import { ValidationError } from '../../platform/errors';
import { parseCsv } from './csv-import';

describe('parseCsv', () => {
  it('when cells are quoted, then commas, doubled quotes and line breaks stay inside them', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
    ]);
  });

  it('when the last line has no line end or blank lines are present, then the rows are the same', () => {
    expect(parseCsv('a,b\n\n1,\n,2')).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['', '2'],
    ]);
  });

  it('when a quoted cell is never closed, then the whole file is refused', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(ValidationError);
  });
});
