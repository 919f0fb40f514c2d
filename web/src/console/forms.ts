import type { ApiError } from '../lib/http.ts';

/** 409 codes that are about one field: shown on that input, as a 422's field errors are. */
const CONFLICT_FIELDS: Record<string, string> = { attribute_exists: 'name', role_exists: 'slug' };

/** The server's message for one field of a 422 (`errors[].field`) or of a field's 409, for the input that shows it. */
export function fieldError(error: ApiError | undefined, field: string): string | undefined {
  if (error?.code && CONFLICT_FIELDS[error.code] === field) return error.message;
  const found = error?.errors.find((e) => e.field === field);
  return found ? (found.message ?? found.code ?? 'Invalid') : undefined;
}

/** Whether the error is already shown on an input, so the form need not repeat it below. */
export function shownOnField(error: ApiError | undefined, fields: string[]): boolean {
  if (!error) return false;
  if (error.code && fields.includes(CONFLICT_FIELDS[error.code] ?? '')) return true;
  return error.errors.length > 0 && error.errors.every((e) => fields.includes(e.field ?? ''));
}
