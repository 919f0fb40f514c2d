/** Request fields that several management routes share. */
import { Type } from '@sinclair/typebox';
import { invalid } from '../errors.ts';

/** `/…/:id` */
export const IdParams = Type.Object({ id: Type.String({ description: "The object's id." }) });

export const Name = Type.String({ minLength: 1, maxLength: 255 });

/** A name as stored: trimmed, and refused when blank; undefined when the request carries none. */
export function requireName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === '') throw invalid('name', 'invalid', 'name must not be blank.');
  return trimmed;
}
