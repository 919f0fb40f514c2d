/** Converts between JavaScript values and the column encodings shared by both databases. */

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** SQLite hands back JSON text; pg hands back jsonb already parsed. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: unknown): boolean => value === 1 || value === true || value === '1';

export const now = (): string => new Date().toISOString();
