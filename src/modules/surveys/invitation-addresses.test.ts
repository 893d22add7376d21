import { csvAddressCells, parseInvitationEntry, splitAddressList } from './invitation-addresses';

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
    const cells = csvAddressCells(csv);
    expect(cells).toEqual(['jane@gc.ca', 'bob@gc.ca', 'a@gc.ca\r\nBcc: x@evil.com']);
    expect(cells.map(parseInvitationEntry)).toEqual(['jane@gc.ca', 'bob@gc.ca', undefined]);
  });
});
