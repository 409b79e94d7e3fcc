import { describe, expect, it } from 'vitest';
import { CsvParser, parseCsv } from '../../shared/csv/parser.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('CSV parser', () => {
  it('reads RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes', () => {
    expect(fields('a,b,c\n1,"x, ""y""\nz",3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"\nz', '3'],
    ]);
  });

  it('accepts LF, CRLF and lone CR line ends, skips blank lines, and needs no final line end', () => {
    expect(fields('a,b\r\n1,2\r\n\r\n3,4\r5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields('a,,c,\n,,,\n')).toEqual([
      ['a', '', 'c', ''],
      ['', '', '', ''],
    ]);
  });

  it('reports the physical line where each record starts', () => {
    expect(parseCsv('h\n"a\nb"\nc\n').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('flags a file that ends inside a quoted field', () => {
    const recs = parseCsv('a,b\n"open,1\n2');
    expect(recs[1]).toEqual({ fields: ['open,1\n2'], line: 2, unterminated: true, unfinished: true });
  });

  it('flags a last record with no line break after it: a truncated file may have cut it', () => {
    expect(parseCsv('a,b\n1,2').at(-1)).toEqual({ fields: ['1', '2'], line: 2, unfinished: true });
    expect(parseCsv('a,b\n1,"x"').at(-1)).toEqual({ fields: ['1', 'x'], line: 2, unfinished: true });
    expect(parseCsv('a,b\n1,').at(-1)).toEqual({ fields: ['1', ''], line: 2, unfinished: true });
    expect(parseCsv('a,b\n1,2\n').at(-1)).toEqual({ fields: ['1', '2'], line: 2 });
    expect(parseCsv('a,b\n1,"2"\r\n').at(-1)).toEqual({ fields: ['1', '2'], line: 2 });
  });

  it('gives the same records however the input is split into chunks', () => {
    const text = 'a,b\r\n"q""\r\nw",2\r\n3,"4"\r\n"",x\r\n5,6';
    const whole = parseCsv(text);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const p = new CsvParser();
        const out = p.push(text.slice(0, i));
        p.push(text.slice(i, j), out);
        p.push(text.slice(j), out);
        p.end(out);
        expect(out).toEqual(whole);
      }
    }
  });
});

describe('CSV parser with another delimiter', () => {
  it('reads tab-separated text', () => {
    const p = new CsvParser('\t');
    expect(p.end(p.push('a\tb\n1\t2,3\n')).map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['1', '2,3'],
    ]);
  });
});
