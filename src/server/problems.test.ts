import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrorsFromAjv } from './problems.ts';

describe('field errors from validation', () => {
  it('names the field and says what a pattern wants in plain words', () => {
    const errors = fieldErrorsFromAjv([
      {
        instancePath: '/slug',
        keyword: 'pattern',
        message: 'must match pattern "^[a-z0-9]+(-[a-z0-9]+)*$"',
        params: { pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
      },
      {
        instancePath: '/sources/0/url',
        keyword: 'pattern',
        message: 'must match pattern "^https?://"',
        params: { pattern: '^https?://' },
      },
      {
        instancePath: '/code',
        keyword: 'pattern',
        message: 'must match pattern "^[A-Z]{2}$"',
        params: { pattern: '^[A-Z]{2}$' },
      },
      { instancePath: '', keyword: 'required', message: 'x', params: { missingProperty: 'name' } },
    ]);
    assert.deepEqual(errors, [
      {
        field: 'slug',
        message: 'must be lower-case letters and digits, in words joined by single hyphens (e.g. "team-a")',
      },
      { field: 'sources.0.url', message: 'must start with http:// or https://' },
      { field: 'code', message: 'must match pattern "^[A-Z]{2}$"' },
      { field: 'name', message: 'is required' },
    ]);
  });
});
