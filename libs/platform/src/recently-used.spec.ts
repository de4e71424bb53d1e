import { RecentlyUsed } from './recently-used';

describe('RecentlyUsed', () => {
  it('drops the least recently used entry past its capacity: a read counts as use', () => {
    const kept = new RecentlyUsed<string, number>(2);
    kept.set('a', 1);
    kept.set('b', 2);
    expect(kept.get('a')).toBe(1);
    kept.set('c', 3);
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBe(1);
    expect(kept.get('c')).toBe(3);
    expect(kept.size).toBe(2);
  });

  it('counts setting an entry again as use, and keeps its newest value', () => {
    const kept = new RecentlyUsed<string, number>(2);
    kept.set('a', 1);
    kept.set('b', 2);
    kept.set('a', 3);
    kept.set('c', 4);
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')).toBe(3);
  });

  it('deletes the entries a predicate names', () => {
    const kept = new RecentlyUsed<string, number>(10);
    for (const [key, value] of Object.entries({ a: 1, b: 2, c: 3 })) kept.set(key, value);
    kept.deleteWhere((value) => value % 2 === 1);
    expect([kept.get('a'), kept.get('b'), kept.get('c')]).toEqual([undefined, 2, undefined]);
    expect(kept.size).toBe(1);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentlyUsed(0)).toThrow('capacity must be a positive integer, not 0');
  });
});
