// Opaque keyset-pagination cursors: the sort key of the last row, base64url-encoded JSON.
import { ValidationError } from './errors.ts';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number, field = 'cursor'): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === length &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    ) {
      return key;
    }
  } catch {
    // fall through to the validation error
  }
  throw ValidationError.field(field, 'is not a cursor returned by this API');
}
