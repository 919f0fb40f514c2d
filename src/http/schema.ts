/**
 * TypeBox helpers for schemas that serialize replies and also become the OpenAPI 3.1 document (JSON Schema
 * 2020-12): nullability as `anyOf` with `{type: 'null'}`, closed sets as `enum`, shared objects as `$ref`.
 */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** `T` or null: 2020-12 has no `nullable` keyword. */
export const Nullable = <T extends TSchema>(t: T, options: SchemaOptions = {}) => Type.Union([t, Type.Null()], options);

/**
 * A closed set of strings as one `enum` (documentation tools list it; a union of consts reads poorly). `T` may be
 * widened to `string` where the record type is a plain string but the API only ever answers these values.
 */
export function StringEnum<T extends string>(values: readonly T[], options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: 'string', enum: [...values] });
}

/**
 * A `$ref` to a schema that app.addSchema registered (openapi/components.ts), typed as that schema. Fastify
 * serializes through it, and @fastify/swagger turns it into `#/components/schemas/<$id>`. A description here
 * becomes the response's description when the ref is a response schema.
 */
export function ref<T extends TSchema>(schema: T, description?: string): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id, description === undefined ? {} : { description }));
}

/** A response without a body (204): documented with no content; the handler sends nothing. */
export const NoContent = (description: string) => Type.Unsafe<undefined>({ type: 'null', description });
