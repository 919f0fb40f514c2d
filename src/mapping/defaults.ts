/**
 * Default mappings: a defined attribute whose name says a well-known concept (`department`, `cost_center`,
 * `first_name`, …) is mapped, until the admin says otherwise, to the source the directory's IdP usually fills.
 * Only attributes of a scalar-friendly type (`string`, `string_list`, `number`) get a default: every concept
 * here is a single text value, which would be null for a `boolean` or `object` attribute.
 *
 * Sources (ENT = urn:ietf:params:scim:schemas:extension:enterprise:2.0:User):
 *
 * | concept            | most types (generic, OneLogin, JumpCloud, Ping, Rippling, CyberArk, SailPoint, Workday, BambooHR) | Entra (`azure scim v2.0`)            | Okta (`okta scim v2.0`)        | Google (`gsuite directory`) |
 * | ------------------ | ----------------------------------------------------- | ------------------------------------ | ------------------------------ | --------------------------- |
 * | department         | ENT:department                                        | same                                 | same                           | same (organizations[].department) |
 * | cost_center        | ENT:costCenter                                        | same                                 | same                           | same (organizations[].costCenter) |
 * | division           | ENT:division                                          | same                                 | same                           | same                        |
 * | employee_number    | ENT:employeeNumber                                    | same (employeeId)                    | same                           | same (externalIds organization) |
 * | organization       | ENT:organization                                      | same (companyName, when mapped)      | same                           | same (organizations[].name) |
 * | manager_id         | ENT:manager.value                                     | same (manager)                       | same (managerId)               | same                        |
 * | employee_type      | userType                                              | same                                 | same                           | same                        |
 * | job_title          | title                                                 | same (jobTitle)                      | same                           | same (organizations[].title) |
 * | first/last name    | name.givenName, name.familyName                       | same (givenName, surname)            | same                           | same                        |
 * | display_name, username, locale, timezone, preferred_language | displayName, userName, locale, timezone, preferredLanguage | same | same           | same                        |
 * | email              | emails[primary eq true or type eq "work"].value       | emails[type eq "work"].value (mail)  | emails[type eq "work"].value   | generic                     |
 * | phone / mobile     | phoneNumbers[type eq "work"/"mobile"].value           | same (telephoneNumber / mobile)      | same (primaryPhone / mobilePhone) | same                     |
 * | city, country, region, postal_code, street_address | addresses[type eq "work"].locality / country / region / postalCode / streetAddress | same (city, country, state, postalCode, streetAddress) | same (city, countryCode, state, zipCode, streetAddress) | same |
 * | office             | (none)                                                | addresses[type eq "work"].formatted (physicalDeliveryOfficeName) | (none)   | (none)                      |
 *
 * Basis: Entra's default attribute mappings for a non-gallery SCIM app (MS-TUT, "Design your user and group
 * schema", the Entra → SCIM attribute table); Okta's SCIM 2.0 reference and its default SCIM app profile
 * mappings (OKTA-REF); Google is pulled by Guestlist itself, which stores a Google user SCIM-shaped with the
 * enterprise extension filled from `organizations[]` and `externalIds` (assumed here; the Google source owns
 * that shape). OneLogin, JumpCloud, PingFederate, Rippling, CyberArk and SailPoint send RFC 7643 core and
 * enterprise attributes; Workday and BambooHR are pulled and assumed stored SCIM-shaped like Google.
 */
import type { AttributeMappingEntry, AttributeType, CustomAttributeDef, EffectiveMappingEntry } from './types.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const WORK_ADDRESS = 'addresses[type eq "work"]';

interface Concept {
  /** Attribute names that mean it, normalized (lowercase, letters and digits only). */
  names: string[];
  /** The usual source; undefined when only some types fill it. */
  source?: string;
  /** Per directory type, where its IdP differs. */
  by?: Record<string, string>;
}

const CONCEPTS: Concept[] = [
  { names: ['department', 'departmentname', 'dept'], source: `${ENT}:department` },
  { names: ['costcenter', 'costcentre'], source: `${ENT}:costCenter` },
  { names: ['division'], source: `${ENT}:division` },
  { names: ['employeenumber', 'employeeid', 'employeeno'], source: `${ENT}:employeeNumber` },
  { names: ['organization', 'organisation', 'company', 'companyname'], source: `${ENT}:organization` },
  { names: ['managerid'], source: `${ENT}:manager.value` },
  { names: ['employeetype', 'usertype'], source: 'userType' },
  { names: ['jobtitle', 'title'], source: 'title' },
  { names: ['firstname', 'givenname'], source: 'name.givenName' },
  { names: ['lastname', 'familyname', 'surname'], source: 'name.familyName' },
  { names: ['middlename'], source: 'name.middleName' },
  { names: ['displayname'], source: 'displayName' },
  { names: ['nickname'], source: 'nickName' },
  { names: ['username', 'login'], source: 'userName' },
  { names: ['externalid'], source: 'externalId' },
  {
    names: ['email', 'workemail', 'emailaddress', 'mail'],
    source: 'emails[primary eq true or type eq "work"].value',
    by: { 'azure scim v2.0': 'emails[type eq "work"].value', 'okta scim v2.0': 'emails[type eq "work"].value' },
  },
  { names: ['phone', 'phonenumber', 'workphone', 'telephonenumber'], source: 'phoneNumbers[type eq "work"].value' },
  { names: ['mobile', 'mobilephone', 'mobilenumber', 'cellphone'], source: 'phoneNumbers[type eq "mobile"].value' },
  { names: ['locale'], source: 'locale' },
  { names: ['timezone'], source: 'timezone' },
  { names: ['preferredlanguage', 'language'], source: 'preferredLanguage' },
  { names: ['city', 'locality'], source: `${WORK_ADDRESS}.locality` },
  { names: ['country', 'countrycode'], source: `${WORK_ADDRESS}.country` },
  { names: ['region', 'state', 'province'], source: `${WORK_ADDRESS}.region` },
  { names: ['postalcode', 'zipcode', 'zip'], source: `${WORK_ADDRESS}.postalCode` },
  { names: ['streetaddress', 'street'], source: `${WORK_ADDRESS}.streetAddress` },
  { names: ['office', 'officelocation'], by: { 'azure scim v2.0': `${WORK_ADDRESS}.formatted` } },
];

const BY_NAME = new Map(CONCEPTS.flatMap((c) => c.names.map((n) => [n, c] as const)));
const DEFAULTABLE: readonly AttributeType[] = ['string', 'string_list', 'number'];

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The source a directory of `directoryType` usually fills for an attribute named `name`, if any. */
export function defaultSource(directoryType: string, name: string): string | undefined {
  const concept = BY_NAME.get(normalize(name));
  return concept?.by?.[directoryType.toLowerCase()] ?? concept?.source;
}

export function defaultMappings(directoryType: string, defs: CustomAttributeDef[]): AttributeMappingEntry[] {
  const entries: AttributeMappingEntry[] = [];
  for (const def of defs) {
    const source = DEFAULTABLE.includes(def.type) ? defaultSource(directoryType, def.name) : undefined;
    if (source !== undefined && !entries.some((e) => e.attribute === def.name)) entries.push({ attribute: def.name, source });
  }
  return entries;
}

/**
 * The mapping a directory applies, in the defs' order: its explicit entries win per attribute, defaults fill
 * the rest. `{constant: null}` is how an admin un-maps a defaulted attribute. Entries for attributes no longer
 * defined are left out: they do not apply.
 */
export function effectiveMappings(directoryType: string, defs: CustomAttributeDef[], explicit: AttributeMappingEntry[] | null): EffectiveMappingEntry[] {
  const custom = new Map<string, AttributeMappingEntry>();
  // The first entry for an attribute wins, as in compileMapping (validation refuses duplicates anyway).
  for (const e of explicit ?? []) if (!custom.has(e.attribute)) custom.set(e.attribute, e);
  const defaults = new Map(defaultMappings(directoryType, defs).map((e) => [e.attribute, e]));
  const result: EffectiveMappingEntry[] = [];
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.name)) continue;
    seen.add(def.name);
    const own = custom.get(def.name);
    const fallback = defaults.get(def.name);
    if (own) result.push({ ...own, origin: 'custom' });
    else if (fallback) result.push({ ...fallback, origin: 'default' });
  }
  return result;
}
