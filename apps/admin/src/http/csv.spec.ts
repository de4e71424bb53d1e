import { attachmentNamed, csvAmount, csvRecord, csvText } from './csv';

describe('CSV fields a spreadsheet opens safely', () => {
  it('puts a quote before text that starts like a formula, tab and carriage return included', () => {
    expect(['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1'].map(csvText)).toEqual([
      `"'=1+1"`,
      `"'+1"`,
      `"'-1"`,
      `"'@A1"`,
      `"'\t=1"`,
      `"'\r=1"`,
    ]);
  });

  it('quotes a field with a comma, quote or line break and leaves plain text bare', () => {
    expect(
      ['a,b', 'say "hi"', 'two\nlines', 'usage', '2026-12-07T10:00:00.000Z'].map(csvText),
    ).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', 'usage', '2026-12-07T10:00:00.000Z']);
  });

  it('keeps amounts numbers, negative ones too, and treats anything else in the column as text', () => {
    expect(['-0.500000', '10.000000', '0', '-1+2', '-0.5e3'].map(csvAmount)).toEqual([
      '-0.500000',
      '10.000000',
      '0',
      `"'-1+2"`,
      `"'-0.5e3"`,
    ]);
    expect(csvRecord(['a', '-1.5'])).toBe('a,-1.5\r\n');
  });
});

describe('a download named after caller-given text', () => {
  it('has an ASCII filename and the exact one as filename*', () => {
    expect(attachmentNamed('transactions-acct_1.csv')).toBe(
      `attachment; filename="transactions-acct_1.csv"; filename*=UTF-8''transactions-acct_1.csv`,
    );
    expect(attachmentNamed("a'(b)*.csv")).toBe(
      `attachment; filename="a__b__.csv"; filename*=UTF-8''a%27%28b%29%2A.csv`,
    );
  });
});
