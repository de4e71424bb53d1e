import { chunkStart, partitionName } from './outbox-partitions';

describe('outbox day partitions', () => {
  it('names a day partition after its UTC day', () => {
    expect(partitionName('2026-12-02')).toBe('outbox_p20261202');
  });

  it('refuses anything that is not a day, since the name goes into DDL', () => {
    for (const bad of ['2026-12-2', 'x; DROP TABLE outbox', '20261202'])
      expect(() => partitionName(bad)).toThrow(`not a day: ${bad}`);
  });

  it('starts a partition of several days on a Monday, and one of a day on its day', () => {
    expect(chunkStart('2026-12-02', 7)).toBe('2026-11-30');
    expect(chunkStart('2026-11-30', 7)).toBe('2026-11-30');
    expect(chunkStart('2026-12-06', 7)).toBe('2026-11-30');
    expect(chunkStart('2026-12-07', 7)).toBe('2026-12-07');
    expect(chunkStart('1969-12-31', 7)).toBe('1969-12-29');
    expect(chunkStart('2026-12-02', 1)).toBe('2026-12-02');
  });
});
