import { describe, expect, it } from 'vitest';

import { GUIDES, guideFor } from './index.ts';
import type { DirectoryType, ProviderGuide } from './types.ts';

/** Every value of DirectoryType. The two type assertions below fail the typecheck if this list drifts from the union. */
const DIRECTORY_TYPES = [
  'okta scim v2.0',
  'azure scim v2.0',
  'gsuite directory',
  'jump cloud scim v2.0',
  'onelogin scim v2.0',
  'pingfederate scim v2.0',
  'rippling scim v2.0',
  'cyberark scim v2.0',
  'sailpoint scim v2.0',
  'workday',
  'bamboohr',
  'generic scim v2.0',
] as const satisfies readonly DirectoryType[];
type Missing = Exclude<DirectoryType, (typeof DIRECTORY_TYPES)[number]>;
const everyTypeListed: [Missing] extends [never] ? true : Missing = true;
void everyTypeListed;

/** The types Guestlist pulls rather than receives SCIM for (API.md §8). */
const PULLED: readonly DirectoryType[] = ['gsuite directory', 'workday', 'bamboohr'];

/** The order the portal shows them in. */
const ORDER: readonly DirectoryType[] = DIRECTORY_TYPES;

/** RFC 7643 §4.1 (core User) and §4.3 (Enterprise User): attribute → its sub-attributes ([] when simple). */
const CORE_USER: Record<string, readonly string[]> = {
  id: [],
  externalId: [],
  userName: [],
  name: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'],
  displayName: [],
  nickName: [],
  profileUrl: [],
  title: [],
  userType: [],
  preferredLanguage: [],
  locale: [],
  timezone: [],
  active: [],
  password: [],
  emails: ['value', 'display', 'type', 'primary'],
  phoneNumbers: ['value', 'display', 'type', 'primary'],
  ims: ['value', 'display', 'type', 'primary'],
  photos: ['value', 'display', 'type', 'primary'],
  addresses: ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary'],
  groups: ['value', '$ref', 'display', 'type'],
  entitlements: ['value', 'display', 'type', 'primary'],
  roles: ['value', 'display', 'type', 'primary'],
  x509Certificates: ['value', 'display', 'type', 'primary'],
};
const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTERPRISE_USER: Record<string, readonly string[]> = {
  employeeNumber: [],
  costCenter: [],
  organization: [],
  division: [],
  department: [],
  manager: ['value', '$ref', 'displayName'],
};

/** Whether `path` names an attribute of the core User or Enterprise User schema: `attr`, `attr.sub`, `attr[filter].sub`. */
function isScimUserAttribute(path: string): boolean {
  let schema = CORE_USER;
  let rest = path;
  if (path.startsWith(`${ENTERPRISE_URN}:`)) {
    schema = ENTERPRISE_USER;
    rest = path.slice(ENTERPRISE_URN.length + 1);
  }
  const match = /^([A-Za-z0-9]+)(\[[A-Za-z]+ eq "[^"]*"\])?(?:\.([$A-Za-z0-9]+))?$/.exec(rest);
  if (!match) return false;
  const [, attribute = '', filter, sub] = match;
  const subs = schema[attribute];
  if (subs === undefined) return false;
  if (filter !== undefined && subs.length === 0) return false;
  if (sub !== undefined && !subs.includes(sub)) return false;
  return true;
}

/** Every piece of text a guide shows, labelled for failure messages. */
function texts(guide: ProviderGuide): [where: string, text: string][] {
  const out: [string, string][] = [['summary', guide.summary]];
  guide.steps.forEach((step, i) => {
    out.push([`step ${i + 1} title`, step.title]);
    step.body.forEach((paragraph, j) => out.push([`step ${i + 1} body ${j + 1}`, paragraph]));
    if (step.note !== undefined) out.push([`step ${i + 1} note`, step.note]);
  });
  guide.tips.forEach((tip, i) => out.push([`tip ${i + 1}`, tip]));
  guide.attributeMappings.forEach((mapping) => {
    out.push([`mapping ${mapping.scim} idp`, mapping.idp]);
    if (mapping.note !== undefined) out.push([`mapping ${mapping.scim} note`, mapping.note]);
  });
  return out;
}

/**
 * The problem with a text's markup, or undefined when it only uses balanced `**bold**` and `` `code` ``
 * (types.ts: nothing else is interpreted, so anything else that looks like markup would show up raw).
 */
function markupProblem(text: string): string | undefined {
  const ticks = text.split('`').length - 1;
  if (ticks % 2 !== 0) return 'unbalanced backticks';
  const prose = text.split('`').filter((_, i) => i % 2 === 0);
  for (const part of prose) {
    if (part.includes('`')) return 'backtick inside prose';
    const withoutBold = part.split('**');
    if (withoutBold.length % 2 === 0) return 'unbalanced **';
    if (withoutBold.some((piece, i) => i % 2 === 1 && piece.trim() === '')) return 'empty **bold**';
    const rest = withoutBold.join('');
    if (rest.includes('*')) return 'a single * outside code';
    if (/\[[^\]]*\]\(/.test(rest)) return 'a Markdown link';
    if (/<\/?[A-Za-z][^>]*>/.test(rest)) return 'an HTML tag outside code';
    if (/(^|\s)__|__(\s|$)/.test(rest)) return 'underscore emphasis';
  }
  return undefined;
}

describe('provider guides', () => {
  it('has exactly one guide for every directory type, in the portal order', () => {
    expect(GUIDES.map((guide) => guide.type)).toEqual([...ORDER]);
    for (const type of DIRECTORY_TYPES) {
      expect(GUIDES.filter((guide) => guide.type === type), type).toHaveLength(1);
      expect(guideFor(type)?.type).toBe(type);
    }
    expect(guideFor('unknown type')).toBeUndefined();
  });

  it('has unique, URL-safe slugs and names', () => {
    const slugs = GUIDES.map((guide) => guide.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9-]+$/);
    const names = GUIDES.map((guide) => guide.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every guide a summary, sources, steps and mappings', () => {
    for (const guide of GUIDES) {
      expect(guide.summary.trim(), guide.slug).not.toBe('');
      expect(guide.sources.length, guide.slug).toBeGreaterThan(0);
      expect(guide.steps.length, guide.slug).toBeGreaterThan(1);
      expect(guide.attributeMappings.length, guide.slug).toBeGreaterThan(0);
      for (const step of guide.steps) {
        expect(step.title.trim(), guide.slug).not.toBe('');
        expect(step.body.length, `${guide.slug}: ${step.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('asks every SCIM provider for the base URL and the token at one step, and each pulled one for its credentials at one step', () => {
    for (const guide of GUIDES) {
      const pulled = PULLED.includes(guide.type);
      expect(guide.scim, guide.slug).toBe(!pulled);
      const fields = guide.steps.flatMap((step) => step.fields ?? []);
      if (pulled) {
        // The connection form, once, at the step before the last ("wait for the first sync").
        expect(fields, guide.slug).toEqual(['connection']);
        expect(guide.steps.at(-2)?.fields, guide.slug).toEqual(['connection']);
      } else {
        expect(fields, guide.slug).not.toContain('connection');
        const both = guide.steps.filter(
          (step) => step.fields?.includes('scim_base_url') && step.fields.includes('bearer_token'),
        );
        expect(both.length, guide.slug).toBe(1);
        expect(new Set(fields).size, `${guide.slug}: a field asked for twice`).toBe(fields.length);
      }
    }
    expect(guideFor('gsuite directory')?.scim).toBe(false);
  });

  it('names the three read-only scopes in the Google guide and the default report columns in the Workday guide', () => {
    const google = texts(guideFor('gsuite directory')!).map(([, text]) => text).join('\n');
    for (const scope of ['admin.directory.user.readonly', 'admin.directory.group.readonly', 'admin.directory.group.member.readonly']) {
      expect(google).toContain(`https://www.googleapis.com/auth/${scope}`);
    }
    const workday = texts(guideFor('workday')!).map(([, text]) => text).join('\n');
    for (const column of ['Employee_ID', 'Email', 'First_Name', 'Last_Name', 'Active', 'Job_Title', 'Department', 'Manager_Email', 'Groups']) {
      expect(workday).toContain(`\`${column}\``);
    }
  });

  it('cites only https sources, each once', () => {
    for (const guide of GUIDES) {
      const urls = guide.sources.map((source) => source.url);
      expect(new Set(urls).size, guide.slug).toBe(urls.length);
      for (const source of guide.sources) {
        expect(source.title.trim(), guide.slug).not.toBe('');
        expect(new URL(source.url).protocol, `${guide.slug}: ${source.url}`).toBe('https:');
      }
    }
  });

  it('uses only balanced **bold** and `code` in its text', () => {
    for (const guide of GUIDES) {
      for (const [where, text] of texts(guide)) {
        expect(markupProblem(text), `${guide.slug}, ${where}: ${text}`).toBeUndefined();
      }
    }
  });

  it('maps only attributes of the core User and Enterprise User schemas', () => {
    for (const guide of GUIDES) {
      const scim = guide.attributeMappings.map((mapping) => mapping.scim);
      expect(new Set(scim).size, `${guide.slug}: an attribute mapped twice`).toBe(scim.length);
      for (const mapping of guide.attributeMappings) {
        expect(isScimUserAttribute(mapping.scim), `${guide.slug}: ${mapping.scim}`).toBe(true);
        expect(mapping.idp.trim(), `${guide.slug}: ${mapping.scim}`).not.toBe('');
      }
      expect(scim, guide.slug).toContain('userName');
    }
  });

  it('checks markup and attribute paths the way it claims to', () => {
    expect(markupProblem('Click **Save** and paste `userName`.')).toBeUndefined();
    expect(markupProblem('`a**b` is code')).toBeUndefined();
    expect(markupProblem('**Save')).toBe('unbalanced **');
    expect(markupProblem('a `b')).toBe('unbalanced backticks');
    expect(markupProblem('a *b* c')).toBe('a single * outside code');
    expect(markupProblem('see [docs](https://x)')).toBe('a Markdown link');
    expect(markupProblem('a <b>c</b>')).toBe('an HTML tag outside code');
    expect(isScimUserAttribute('emails[type eq "work"].value')).toBe(true);
    expect(isScimUserAttribute(`${ENTERPRISE_URN}:manager`)).toBe(true);
    expect(isScimUserAttribute(`${ENTERPRISE_URN}:manager.value`)).toBe(true);
    expect(isScimUserAttribute('name.givenName')).toBe(true);
    expect(isScimUserAttribute('email')).toBe(false);
    expect(isScimUserAttribute('name.firstName')).toBe(false);
    expect(isScimUserAttribute('userName[type eq "work"]')).toBe(false);
    expect(isScimUserAttribute(`${ENTERPRISE_URN}:title`)).toBe(false);
  });

  it('shows Entra the base URL with the compliance flag', () => {
    const entra = guideFor('azure scim v2.0');
    expect(texts(entra!).some(([, text]) => text.includes('aadOptscim062020'))).toBe(true);
  });
});
