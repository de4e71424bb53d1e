/**
 * Many JSON texts as one query parameter. JSON.stringify escapes every control character, so
 * U+001E (record separator) never occurs in a JSON text and can join them; the statement
 * splits them again with `jsonTextsSql(n)`. A `text[]` parameter costs about three times the
 * CPU: the pg driver escapes every quote of every element.
 */
const SEPARATOR = '\u001e';

export function joinJsonTexts(texts: readonly string[]): string {
  if (texts.length === 0) throw new Error('joinJsonTexts needs at least one text');
  for (const text of texts) {
    if (text.length === 0 || text.includes(SEPARATOR))
      throw new Error(`not a JSON text: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return texts.join(SEPARATOR);
}

/** The SQL that splits parameter `$n` (made by joinJsonTexts) back into a text[]. */
export function jsonTextsSql(n: number): string {
  return `string_to_array($${n}::text, E'\\x1e')`;
}
