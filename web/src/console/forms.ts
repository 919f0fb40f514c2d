import type { ApiError } from '../lib/http.ts';

/** The server's message for one field of a 422 (`errors[].field`), for the input that shows it. */
export function fieldError(error: ApiError | undefined, field: string): string | undefined {
  const found = error?.errors.find((e) => e.field === field);
  return found ? (found.message ?? found.code ?? 'Invalid') : undefined;
}
