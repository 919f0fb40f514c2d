/**
 * The attribute definitions of RFC 7643: core User (§4.1), Enterprise User (§4.3), core Group (§4.2) and the
 * common attributes (§3.1). Validation, projection, filtering and /Schemas all read these, and nothing else.
 */
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  type AttributeDef,
  type ResourceTypeDef,
  type SchemaDef,
} from './types.ts';

function attr(name: string, type: AttributeDef['type'], description: string, opts: Partial<AttributeDef> = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

const str = (name: string, description: string, opts: Partial<AttributeDef> = {}) => attr(name, 'string', description, opts);

/** The sub-attributes shared by emails, phoneNumbers, ims, photos, entitlements, roles, x509Certificates. */
function multiValued(name: string, description: string, types: string[] | undefined, value: AttributeDef = str('value', `The ${name} value.`)): AttributeDef {
  return attr(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      value,
      str('display', 'A human-readable name, primarily used for display purposes.'),
      str('type', `A label indicating the attribute's function.`, types ? { canonicalValues: types } : {}),
      attr('primary', 'boolean', 'Whether this is the primary value; at most one value may be primary.'),
    ],
  });
}

/** id, externalId and meta belong to every resource (RFC 7643 §3.1); /Schemas does not list them. */
export const COMMON_ATTRIBUTES: AttributeDef[] = [
  str('id', 'The service provider’s unique, stable identifier for the resource.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  str('externalId', 'The provisioning client’s identifier for the resource.', { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', 'The name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When the resource was added.', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource.', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      str('version', 'The version (ETag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

const userAttributes: AttributeDef[] = [
  str('userName', 'Unique identifier for the User, typically used to sign in.', { required: true, uniqueness: 'server' }),
  attr('name', 'complex', 'The components of the user’s real name.', {
    subAttributes: [
      str('formatted', 'The full name, formatted for display.'),
      str('familyName', 'The family name (last name).'),
      str('givenName', 'The given name (first name).'),
      str('middleName', 'The middle name(s).'),
      str('honorificPrefix', 'The honorific prefix(es), e.g. "Ms.".'),
      str('honorificSuffix', 'The honorific suffix(es), e.g. "III".'),
    ],
  }),
  str('displayName', 'The name of the User, suitable for display to end-users.'),
  str('nickName', 'The casual way to address the user.'),
  attr('profileUrl', 'reference', 'A URI to the user’s online profile.', { referenceTypes: ['external'] }),
  str('title', 'The user’s title, such as "Vice President".'),
  str('userType', 'The relationship between the organization and the user.'),
  str('preferredLanguage', 'The user’s preferred written or spoken language.'),
  str('locale', 'The user’s default location for localization.'),
  str('timezone', 'The user’s time zone, in IANA format.'),
  attr('active', 'boolean', 'The user’s administrative status.'),
  str('password', 'The user’s cleartext password; never stored or returned by Guestlist.', { mutability: 'writeOnly', returned: 'never' }),
  multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
  multiValued('phoneNumbers', 'Phone numbers for the user.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multiValued('ims', 'Instant messaging addresses for the user.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multiValued('photos', 'URLs of photos of the user.', ['photo', 'thumbnail'], attr('value', 'reference', 'The URL of a photo.', { referenceTypes: ['external'] })),
  attr('addresses', 'complex', 'Physical mailing addresses for the user.', {
    multiValued: true,
    subAttributes: [
      str('formatted', 'The full mailing address, formatted for display.'),
      str('streetAddress', 'The full street address.'),
      str('locality', 'The city or locality.'),
      str('region', 'The state or region.'),
      str('postalCode', 'The zip code or postal code.'),
      str('country', 'The country, in ISO 3166-1 alpha-2 code.'),
      str('type', 'A label indicating the address’s function.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Whether this is the primary address.'),
    ],
  }),
  attr('groups', 'complex', 'The groups the user belongs to, maintained by the service provider.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      str('value', 'The id of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
      str('display', 'The Group’s displayName.', { mutability: 'readOnly' }),
      str('type', 'How the membership is derived.', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
    ],
  }),
  multiValued('entitlements', 'Entitlements of the user.', undefined),
  multiValued('roles', 'Roles of the user.', undefined),
  multiValued('x509Certificates', 'X.509 certificates of the user.', undefined, attr('value', 'binary', 'The DER-encoded certificate, base64.')),
];

const enterpriseAttributes: AttributeDef[] = [
  str('employeeNumber', 'A numeric or alphanumeric identifier assigned by the organization.'),
  str('costCenter', 'The name of a cost center.'),
  str('organization', 'The name of an organization.'),
  str('division', 'The name of a division.'),
  str('department', 'The name of a department.'),
  attr('manager', 'complex', 'The user’s manager.', {
    subAttributes: [
      str('value', 'The id of the manager’s SCIM resource.'),
      attr('$ref', 'reference', 'The URI of the manager’s SCIM resource.', { referenceTypes: ['User'] }),
      str('displayName', 'The manager’s displayName.', { mutability: 'readOnly' }),
    ],
  }),
];

const groupAttributes: AttributeDef[] = [
  str('displayName', 'A human-readable name for the Group.', { required: true }),
  attr('members', 'complex', 'The members of the Group.', {
    multiValued: true,
    subAttributes: [
      str('value', 'The id of the member.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      str('display', 'The member’s display name, maintained by the service provider.', { mutability: 'readOnly' }),
      str('type', 'The type of the member.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
    ],
  }),
];

export const SCHEMAS: Record<string, SchemaDef> = {
  [USER_SCHEMA]: { id: USER_SCHEMA, name: 'User', description: 'User Account', attributes: userAttributes },
  [ENTERPRISE_USER_SCHEMA]: { id: ENTERPRISE_USER_SCHEMA, name: 'EnterpriseUser', description: 'Enterprise User', attributes: enterpriseAttributes },
  [GROUP_SCHEMA]: { id: GROUP_SCHEMA, name: 'Group', description: 'Group', attributes: groupAttributes },
};

export const USER_RESOURCE_TYPE: ResourceTypeDef = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDef = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA,
  schemaExtensions: [],
};

export const RESOURCE_TYPES = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];
