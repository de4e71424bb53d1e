import { JsonTextError, nestingBeyond, parseJsonText } from './json-text';

describe('JSON text within a nesting limit', () => {
  it('stops at the bracket that opens the level past the limit, however long the text', () => {
    const deep = '['.repeat(520_000) + ']'.repeat(520_000);
    expect(nestingBeyond(deep, 32)).toBe(32);
    expect(nestingBeyond('{"a":[{"b":[]}]}', 4)).toBe(-1);
    expect(nestingBeyond('{"a":[{"b":[]}]}', 3)).toBe(11);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestingBeyond('{"a":"[[[[\\"[[[["}', 1)).toBe(-1);
    expect(parseJsonText('{"a":"[[[[\\"[[[["}', 1)).toEqual({ a: '[[[["[[[[' });
  });

  it('parses what is within the limit', () => {
    expect(parseJsonText('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(parseJsonText('{"estimated_cost":"0.05"}')).toEqual({ estimated_cost: '0.05' });
  });

  it('names the problem of what it refuses', () => {
    const problemOf = (text: string, depth?: number) => {
      try {
        parseJsonText(text, depth);
        return 'parsed';
      } catch (error) {
        return error instanceof JsonTextError ? `${error.problem}: ${error.message}` : 'other';
      }
    };
    expect(problemOf('[[[1]]]', 2)).toBe('too_deep: nests deeper than 2 levels (at character 2)');
    expect(problemOf('{ not json')).toMatch(/^invalid_json: is not valid JSON: /);
    expect(problemOf('{"__proto__":{"x":1}}')).toBe('forbidden_key: holds a "__proto__" key');
    expect(problemOf('{"\\u005f_proto__":1}')).toBe('forbidden_key: holds a "__proto__" key');
    expect(problemOf('{"constructor":{"prototype":{}}}')).toBe(
      'forbidden_key: holds a "constructor.prototype" key',
    );
    expect(problemOf('{"constructor":"fine"}')).toBe('parsed');
  });
});
