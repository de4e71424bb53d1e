import { portFromEnv } from './bootstrap';
import { switchFromEnv, urlFromEnv, wholeNumber } from './env-values';

describe('configuration values that mean nothing are refused, the ones that mean something read', () => {
  it('reads a whole number in decimal digits within its range; unset or empty is the default', () => {
    const range = { min: 1, max: 100 };
    expect(wholeNumber({ N: '42' }, 'N', 7, range)).toBe(42);
    expect(wholeNumber({}, 'N', 7, range)).toBe(7);
    expect(wholeNumber({ N: '' }, 'N', 7, range)).toBe(7);
    for (const bad of ['0', '101', '-1', '1.5', '1e1', '0x10', 'Infinity', 'NaN', 'ten'])
      expect(() => wholeNumber({ N: bad }, 'N', 7, range)).toThrow(
        `N must be a positive integer up to 100, got "${bad}"`,
      );
    expect(() => wholeNumber({ N: '99999999999999999999' }, 'N', 7, { min: 0 })).toThrow(
      `N must be an integer >= 0, got "99999999999999999999"`,
    );
  });

  it('takes a TCP port from 1 to 65535, never 0 (a port the system picks)', () => {
    expect(portFromEnv(3000, {})).toBe(3000);
    expect(portFromEnv(3000, { PORT: '8080' })).toBe(8080);
    for (const bad of ['0', '65536', '0x1f90'])
      expect(() => portFromEnv(3000, { PORT: bad })).toThrow('PORT must be a positive integer');
  });

  it('reads a switch from its words in any case, and refuses another word instead of reading it as off', () => {
    for (const on of ['1', 'true', 'YES', 'On'])
      expect(switchFromEnv({ S: on }, 'S', false)).toBe(true);
    for (const off of ['0', 'False', 'no', 'OFF'])
      expect(switchFromEnv({ S: off }, 'S', true)).toBe(false);
    expect(switchFromEnv({ S: '' }, 'S', true)).toBe(true);
    for (const bad of ['enabled', 'y', 'tls'])
      expect(() => switchFromEnv({ S: bad }, 'S', false)).toThrow(`S must be one of`);
  });

  it('takes a URL of its schemes with a host, and shows at most the scheme of another', () => {
    expect(urlFromEnv('U', 'https://tally.example/ok', ['http', 'https']).hostname).toBe(
      'tally.example',
    );
    expect(() => urlFromEnv('U', 'localhost:3000/x', ['http', 'https'])).toThrow(
      'U must be a http:// or https:// URL with a host, got text that is not one',
    );
    expect(() => urlFromEnv('U', 'ftp://user:pw@tally.example/x', ['http', 'https'])).toThrow(
      'got a ftp: URL',
    );
  });
});
