import { leadingZeroBits, networkOf } from './flood-guard';

describe('flood guard helpers', () => {
  it('when an address is given, then its network is /24 for IPv4 (also mapped) and /48 for IPv6', () => {
    expect(networkOf('198.51.100.7')).toBe('198.51.100.0/24');
    expect(networkOf('::ffff:198.51.100.7')).toBe('198.51.100.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:0db8:abcd::/48');
    expect(networkOf('2001:db8::1')).toBe('2001:0db8:0000::/48');
    expect(networkOf('not an address')).toBe('unknown');
  });

  it('when a digest is given, then its leading zero bits are counted across bytes', () => {
    expect(leadingZeroBits(Buffer.from([0x80, 0]))).toBe(0);
    expect(leadingZeroBits(Buffer.from([0x01, 0xff]))).toBe(7);
    expect(leadingZeroBits(Buffer.from([0x00, 0x00, 0x3f]))).toBe(18);
    expect(leadingZeroBits(Buffer.from([0, 0]))).toBe(16);
  });
});
