/** Discovery documents (RFC 7643 §5–7, RFC 7644 §4), generated from the definitions. */
import { RESOURCE_TYPES, SCHEMAS } from './definitions.ts';
import type { AttributeDef } from './types.ts';

const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export interface ServiceProviderOptions {
  baseUrl: string;
  maxResults: number;
  maxOperations: number;
  maxPayloadSize: number;
  documentationUri?: string;
}

export function serviceProviderConfig(o: ServiceProviderOptions) {
  return {
    schemas: [SPC_SCHEMA],
    ...(o.documentationUri ? { documentationUri: o.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: true, maxOperations: o.maxOperations, maxPayloadSize: o.maxPayloadSize },
    filter: { supported: true, maxResults: o.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with the directory’s bearer token: Authorization: Bearer <token>.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${o.baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  return RESOURCE_TYPES.map((rt) => ({
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    schemaExtensions: rt.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.id}` },
  }));
}

function describe(def: AttributeDef): Record<string, unknown> {
  return {
    name: def.name,
    type: def.type,
    multiValued: def.multiValued,
    description: def.description,
    required: def.required,
    caseExact: def.caseExact,
    mutability: def.mutability,
    returned: def.returned,
    uniqueness: def.uniqueness,
    ...(def.canonicalValues ? { canonicalValues: def.canonicalValues } : {}),
    ...(def.referenceTypes ? { referenceTypes: def.referenceTypes } : {}),
    ...(def.subAttributes ? { subAttributes: def.subAttributes.map(describe) } : {}),
  };
}

export function schemasList(baseUrl: string): Record<string, unknown>[] {
  return Object.values(SCHEMAS).map((schema) => ({
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(describe),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  }));
}
