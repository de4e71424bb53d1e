import { joinJsonTexts, jsonTextsSql } from './json-texts';

describe('JSON texts as one parameter', () => {
  it('joins texts with the record separator, which JSON.stringify never leaves raw', () => {
    const texts = [
      JSON.stringify({ a: 'quote " and \u001e inside' }),
      JSON.stringify('x'),
      JSON.stringify(null),
    ];
    expect(texts[0]).toContain('\\u001e');
    expect(joinJsonTexts(texts)).toBe(`${texts[0]}\u001e"x"\u001enull`);
    expect(joinJsonTexts(texts).split('\u001e')).toEqual(texts);
  });

  it('refuses what cannot be a JSON text, instead of splitting it wrongly', () => {
    expect(() => joinJsonTexts(['{"a":1}', 'raw\u001etext'])).toThrow('not a JSON text');
    expect(() => joinJsonTexts([''])).toThrow('not a JSON text');
    expect(() => joinJsonTexts([])).toThrow('at least one text');
  });

  it('splits parameter $n in SQL', () => {
    expect(jsonTextsSql(3)).toBe("string_to_array($3::text, E'\\x1e')");
  });
});
