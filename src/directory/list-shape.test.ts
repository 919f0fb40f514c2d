import { describe, expect, it } from 'vitest';
import { parseFilter } from '../scim/filter/parser.ts';
import { filterShape } from './list-shape.ts';

const shape = (text: string) => filterShape(parseFilter(text), text);

describe('filterShape', () => {
  it('takes string values out: lookups of one kind share a key', () => {
    const a = shape('userName eq "alice@acme.com"')!;
    const b = shape('USERNAME EQ "Bob@Acme.com"');
    expect(a.values).toEqual(['alice@acme.com']);
    expect(shape('userName eq "bob"')!.key).toBe(a.key);
    expect(b!.key).not.toBe(a.key); // the attribute and operator as written are part of it
    expect(shape('externalId eq "alice@acme.com"')!.key).not.toBe(a.key);
  });

  it('puts a value back in its place', () => {
    const s = shape('emails[type eq "work"].value eq "a@x.com" and title sw "Eng"')!;
    expect(s.values).toEqual(['work', 'a@x.com', 'Eng']);
    expect(s.with(['home', 'b@y.org', 'Ops'])).toEqual(parseFilter('emails[type eq "home"].value eq "b@y.org" and title sw "Ops"'));
  });

  it('equal values share one argument, so which values are equal is part of the shape', () => {
    const same = shape('userName eq "a" and externalId eq "a"')!;
    const other = shape('userName eq "a" and externalId eq "b"')!;
    expect(same.values).toEqual(['a']);
    expect(other.values).toEqual(['a', 'b']);
    expect(same.key).not.toBe(other.key);
  });

  it('an empty value is its own shape', () => {
    expect(shape('title ew ""')!.key).not.toBe(shape('title ew "x"')!.key);
  });

  it('numbers, booleans and null stay in the key', () => {
    expect(shape('active eq true')!.key).not.toBe(shape('active eq false')!.key);
    expect(shape('x eq 1')!.key).not.toBe(shape('x eq 2')!.key);
    expect(shape('title eq null')!.values).toEqual([]);
  });

  it('does not shape an or, nor a long filter', () => {
    expect(shape('userName eq "a" or userName eq "b"')).toBeUndefined();
    expect(shape('not (title eq "a" or title eq "b") and userName pr')).toBeUndefined();
    expect(shape(`userName eq "${'x'.repeat(2000)}"`)).toBeUndefined();
  });
});
