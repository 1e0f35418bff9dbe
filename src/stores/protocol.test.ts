// Request validation for the store API: each malformed body is rejected with a code and a message
// naming the field; valid bodies become typed requests.
import { describe, expect, it } from 'vitest';
import { DEFINITE_CODES, isReadOnly, parseRequest, RequestError } from './protocol.ts';

function rejects(path: string, body: unknown): { code: string; message: string } {
  try {
    parseRequest(path, body);
  } catch (err) {
    if (err instanceof RequestError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a RequestError');
}

describe('parseRequest', () => {
  it('accepts each op', () => {
    expect(parseRequest('/read', { key: 'a' })).toEqual({ f: 'read', key: 'a' });
    expect(parseRequest('/write', { key: 2, value: null })).toEqual({ f: 'write', key: 2, value: null });
    expect(parseRequest('/cas', { key: 'a', from: 1, to: 2 })).toEqual({ f: 'cas', key: 'a', from: 1, to: 2 });
    expect(parseRequest('/txn', { ops: [['r', 'a', null], ['append', 1, 3], ['w', 'b', 'x']] })).toEqual({
      f: 'txn',
      ops: [['r', 'a', null], ['append', 1, 3], ['w', 'b', 'x']],
    });
  });

  it('names what is wrong', () => {
    expect(rejects('/read', [1])).toEqual({ code: 'bad-request', message: 'request body must be a JSON object' });
    expect(rejects('/read', {})).toMatchObject({ code: 'bad-request', message: 'key must be a string or a finite number' });
    expect(rejects('/write', { key: 'a' })).toMatchObject({ message: 'missing field "value"' });
    expect(rejects('/cas', { key: 'a', from: 1 })).toMatchObject({ message: 'missing field "to"' });
    expect(rejects('/txn', { ops: 'x' })).toMatchObject({ message: 'ops must be an array of [f, key, value]' });
    expect(rejects('/txn', { ops: [['r', 'a']] })).toMatchObject({ message: 'ops[0] must be [f, key, value]' });
    expect(rejects('/txn', { ops: [['r', 'a', null], ['del', 'a', null]] })).toMatchObject({
      message: 'ops[1]: unknown micro-op "del" (append, r or w)',
    });
    expect(rejects('/txn', { ops: [['r', null, null]] })).toMatchObject({ message: 'ops[0] key must be a string or a finite number' });
    expect(rejects('/drop', {})).toMatchObject({ code: 'unknown-op' });
  });

  it('classifies read-only requests and definite codes', () => {
    expect(isReadOnly({ f: 'read', key: 'a' })).toBe(true);
    expect(isReadOnly({ f: 'txn', ops: [['r', 'a', null]] })).toBe(true);
    expect(isReadOnly({ f: 'txn', ops: [['r', 'a', null], ['w', 'a', 1]] })).toBe(false);
    expect(isReadOnly({ f: 'cas', key: 'a', from: 1, to: 1 })).toBe(false);
    expect(DEFINITE_CODES.has('not-leader')).toBe(true);
    expect(DEFINITE_CODES.has('timeout')).toBe(false);
    expect(DEFINITE_CODES.has('interrupted')).toBe(false);
  });
});
