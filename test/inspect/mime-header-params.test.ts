/**
 * Content-Type / Content-Disposition parameters as real mailers write them, RFC 2231 included.
 */
import { describe, expect, it } from 'vitest';
import { parseHeaderParams } from '../../src/inspect/mime-header-params.ts';

describe('parseHeaderParams', () => {
  it('reads the value and unquoted, quoted and escaped parameters', () => {
    expect(
      parseHeaderParams(
        'text/calendar; charset="utf-8"; method=REQUEST; name="a \\"b\\" \\\\ c.ics"',
      ),
    ).toEqual({
      value: 'text/calendar',
      params: { charset: 'utf-8', method: 'REQUEST', name: 'a "b" \\ c.ics' },
      problems: [],
    });
  });

  it('lower-cases names only, and takes the first of duplicated parameters', () => {
    expect(parseHeaderParams('Text/Plain; CharSet=UTF-8; charset=latin1')).toEqual({
      value: 'Text/Plain',
      params: { charset: 'UTF-8' },
      problems: ['duplicate parameter "charset"; the first is used'],
    });
  });

  it('tolerates white space around "=", folds, comments and a trailing ";" silently', () => {
    expect(
      parseHeaderParams(
        'multipart/mixed;\t boundary = "b (not a comment)" (comment) ;\r\n charset= x ;',
      ),
    ).toEqual({
      value: 'multipart/mixed',
      params: { boundary: 'b (not a comment)', charset: 'x' },
      problems: [],
    });
  });

  it('reads parameters not separated by ";", and reports it', () => {
    expect(parseHeaderParams('text/calendar method=REQUEST charset=utf-8')).toEqual({
      value: 'text/calendar',
      params: { method: 'REQUEST', charset: 'utf-8' },
      problems: ['parameters not separated by ";"'],
    });
  });

  it('reads an unquoted value with spaces up to the ";" as clients do, and reports it', () => {
    expect(parseHeaderParams('attachment; filename=Team meeting.ics; size=12')).toEqual({
      value: 'attachment',
      params: { filename: 'Team meeting.ics', size: '12' },
      problems: ['an unquoted parameter value contains white space'],
    });
  });

  it('keeps unquoted values with "=" (boundaries) whole', () => {
    expect(parseHeaderParams('multipart/alternative; boundary==_alt_36138_=').params).toEqual({
      boundary: '=_alt_36138_=',
    });
  });

  it('runs an unterminated quoted string to the end and reports it', () => {
    expect(parseHeaderParams('application/msword; name="FieldReport')).toEqual({
      value: 'application/msword',
      params: { name: 'FieldReport' },
      problems: ['unterminated quoted string; the value runs to the end of the header'],
    });
  });

  it('reports stray characters and parameters without a value', () => {
    expect(parseHeaderParams('text/plain; "x"; =y; flowed; a=1')).toEqual({
      value: 'text/plain',
      params: { a: '1' },
      problems: [
        'unexpected "\\"" where a parameter name was expected',
        'unexpected "=" where a parameter name was expected',
        'parameter "y" has no "=value"',
        'parameter "flowed" has no "=value"',
      ],
    });
  });

  it('keeps several leading words joined for the caller to judge', () => {
    expect(parseHeaderParams('text / plain ; a=b').value).toBe('text / plain');
    expect(parseHeaderParams('').value).toBe('');
    expect(parseHeaderParams('; a=b')).toEqual({ value: '', params: { a: 'b' }, problems: [] });
  });

  it('decodes RFC 2231 extended values and continuations, joining octets before the charset', () => {
    expect(
      parseHeaderParams(
        'attachment; filename*0*=UTF-8\'\'R%C3; filename*1*=%A9union; filename*2=" 2026.ics"',
      ).params,
    ).toEqual({ filename: 'Réunion 2026.ics' });
    expect(parseHeaderParams("inline; filename*=iso-8859-1'fr'caf%E9.ics").params).toEqual({
      filename: 'café.ics',
    });
    expect(parseHeaderParams('inline; name*0="a"; name*1="b"').params).toEqual({ name: 'ab' });
  });

  it('prefers the RFC 2231 form over a plain parameter of the same name', () => {
    expect(
      parseHeaderParams('attachment; filename="fallback.ics"; filename*=UTF-8\'\'%E2%9C%93.ics')
        .params,
    ).toEqual({ filename: '✓.ics' });
  });

  it('keeps the raw text for an unknown charset and reports numbering gaps', () => {
    expect(parseHeaderParams("inline; filename*=x-unknown''a%20b").params).toEqual({
      filename: 'a%20b',
    });
    expect(parseHeaderParams('inline; name*1="b"; name*0="a"; name*3="d"')).toEqual({
      value: 'inline',
      params: { name: 'abd' },
      problems: ['RFC 2231 continuations of "name" are not numbered 0, 1, 2…'],
    });
    expect(parseHeaderParams('inline; name*=%41').problems).toEqual([
      "an RFC 2231 extended value lacks its charset'language' prefix",
    ]);
  });

  it('stores a parameter called __proto__ as data', () => {
    const { params } = parseHeaderParams('text/plain; __proto__=x; constructor=y');
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(params['__proto__']).toBe('x');
    expect('toString' in params).toBe(false);
  });

  it('keeps only a handful of problems for a header full of them', () => {
    const { problems } = parseHeaderParams(
      'text/plain' + '; "x"; a'.repeat(1000) + '; ' + 'b=1; b=2; '.repeat(3),
    );
    expect(problems.length).toBeLessThanOrEqual(10);
  });
});
