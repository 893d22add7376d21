import {
  parseInvitationEntry,
  parseLanguage,
  readCsvInvitees,
  readPastedInvitees,
  splitAddressList,
} from './invitation-addresses';

describe('invitation addresses', () => {
  it('when a list is pasted, then it splits on line breaks, commas, semicolons and tabs, never inside quotes', () => {
    expect(splitAddressList('a@gc.ca, b@gc.ca;c@gc.ca\nd@gc.ca\r\ne@gc.ca\tf@gc.ca')).toEqual([
      'a@gc.ca',
      'b@gc.ca',
      'c@gc.ca',
      'd@gc.ca',
      'e@gc.ca',
      'f@gc.ca',
    ]);
    expect(splitAddressList('"a@gc.ca x"@evil.com, ok@gc.ca')).toEqual(['"a@gc.ca x"@evil.com', 'ok@gc.ca']);
    expect(splitAddressList('"Doe, Jane" <jane@gc.ca>; (note, here) bob@gc.ca')).toEqual([
      '"Doe, Jane" <jane@gc.ca>',
      '(note, here) bob@gc.ca',
    ]);
  });

  it('when an entry is one plain mailbox, then its address is kept, lower-cased; names are allowed around it', () => {
    expect(parseInvitationEntry(' Ana@Example.CA ')).toBe('ana@example.ca');
    expect(parseInvitationEntry('Jane Doe <jane@gc.ca>')).toBe('jane@gc.ca');
    expect(parseInvitationEntry('"Doe, Jane" <Jane@GC.ca>')).toBe('jane@gc.ca');
  });

  it('when an entry is anything else, then it is refused whole, never re-split into an address', () => {
    for (const entry of [
      '"a@gc.ca x"@evil.com',
      'a@gc.ca\r\nBcc: x@evil.com',
      'a@gc.ca\nx@evil.com',
      'a@gc.ca x@evil.com',
      'a@gc.ca,x@evil.com',
      '<a@gc.ca> <x@evil.com>',
      'Jane <a@gc.ca>, x@evil.com',
      'Bcc: x@evil.com',
      '(comment) a@gc.ca',
      'a@b@gc.ca',
      'nonsense',
      '',
      `${'a'.repeat(300)}@gc.ca`,
    ]) {
      expect(parseInvitationEntry(entry)).toBeUndefined();
    }
  });

  it('when a CSV is uploaded, then each cell with an "@" is one entry, quoted cells included as they are', () => {
    const csv =
      'name,email\r\nJane,jane@gc.ca\r\n"Bob ""B""","bob@gc.ca"\r\nEve,"a@gc.ca\r\nBcc: x@evil.com"\r\n';
    const cells = readCsvInvitees(csv).entries.map((e) => e.entry);
    expect(cells).toEqual(['jane@gc.ca', 'bob@gc.ca', 'a@gc.ca\r\nBcc: x@evil.com']);
    expect(cells.map(parseInvitationEntry)).toEqual(['jane@gc.ca', 'bob@gc.ca', undefined]);
  });

  it('when a language is written in the usual ways, then it is read as en or fr; anything else is not a language', () => {
    for (const value of ['en', 'EN', 'English', 'anglais', 'Anglais', 'en-CA', 'eng', 'E'])
      expect(parseLanguage(value)).toBe('en');
    for (const value of ['fr', 'Français', 'francais', 'FRENCH', 'fr_CA', 'fra', 'F'])
      expect(parseLanguage(value)).toBe('fr');
    for (const value of ['', 'de', 'Deutsch', 'klingon', 'en fr', 'Jane'])
      expect(parseLanguage(value)).toBeUndefined();
  });

  it('when a pasted line ends with a language after its addresses, then they take it; an unknown one names its line', () => {
    const read = readPastedInvitees(
      'a@gc.ca, fr\r\nJane <b@gc.ca>; English\n\nc@gc.ca\nd@gc.ca, e@gc.ca, français\nnonsense\nx@gc.ca, klingon',
    );
    expect(read.entries).toEqual([
      { entry: 'a@gc.ca', locale: 'fr' },
      { entry: 'Jane <b@gc.ca>', locale: 'en' },
      { entry: 'c@gc.ca' },
      { entry: 'd@gc.ca', locale: 'fr' },
      { entry: 'e@gc.ca', locale: 'fr' },
      { entry: 'nonsense' },
      { entry: 'x@gc.ca' },
    ]);
    expect(read.problems).toEqual([{ source: 'list', line: 7, value: 'klingon' }]);
    // A name before an address (as mail clients copy "Doe, Jane <jane@gc.ca>") is not a language.
    expect(readPastedInvitees('Doe, Jane <jane@gc.ca>').problems).toEqual([]);
  });

  it('when a CSV has a language column, then it gives each row its language; without a header the last cell does', () => {
    const withHeader = readCsvInvitees('Email;Langue\r\na@gc.ca;FR\r\nb@gc.ca;\r\n"c@gc.ca";xx\r\n');
    expect(withHeader.entries).toEqual([
      { entry: 'a@gc.ca', locale: 'fr' },
      { entry: 'b@gc.ca' },
      { entry: 'c@gc.ca' },
    ]);
    expect(withHeader.problems).toEqual([{ source: 'file', line: 4, value: 'xx' }]);
    expect(readCsvInvitees('email,name\na@gc.ca,Jane\n')).toEqual({
      entries: [{ entry: 'a@gc.ca' }],
      problems: [],
    });
    expect(readCsvInvitees('a@gc.ca,en\nJane,b@gc.ca\n')).toEqual({
      entries: [{ entry: 'a@gc.ca', locale: 'en' }, { entry: 'b@gc.ca' }],
      problems: [],
    });
  });
});
