/**
 * A provider's setup guide, as the portal shows it: numbered steps written from the vendor's own
 * documentation. Plain data, so the guides can be reviewed (and tested) without rendering them.
 */

/** The directory `type` values of API.md §3 that the portal offers. */
export type DirectoryType =
  | 'okta scim v2.0'
  | 'azure scim v2.0'
  | 'gsuite directory'
  | 'jump cloud scim v2.0'
  | 'onelogin scim v2.0'
  | 'pingfederate scim v2.0'
  | 'rippling scim v2.0'
  | 'cyberark scim v2.0'
  | 'sailpoint scim v2.0'
  | 'workday'
  | 'bamboohr'
  | 'generic scim v2.0';

/**
 * What the step shows beside its text: a value of the directory with a copy button (SCIM providers), or the
 * form where the admin pastes the source's credentials (`connection`, for the providers Guestlist pulls).
 */
export type GuideField = 'scim_base_url' | 'bearer_token' | 'connection';

/**
 * Text in `body`, `note` and `tips` may mark the labels of the vendor's screens as `**Label**` (rendered bold)
 * and code-like values as `` `value` `` (rendered monospace). Nothing else is interpreted.
 */
export interface GuideStep {
  title: string;
  body: string[];
  /** The values the admin pastes at this step. */
  fields?: GuideField[];
  /** A warning worth stopping for (a setting that silently breaks provisioning, say). */
  note?: string;
}

export interface AttributeMapping {
  /** The SCIM attribute Guestlist reads, e.g. `userName`, `name.givenName`, `emails[type eq "work"].value`. */
  scim: string;
  /** What the IdP maps to it by default, in the IdP's own words, e.g. `user.login`. */
  idp: string;
  note?: string;
}

export interface ProviderGuide {
  type: DirectoryType;
  /** A short slug for URLs: `okta`, `entra`, `google`, … */
  slug: string;
  name: string;
  /** One sentence: what the admin will do, and roughly how long it takes. */
  summary: string;
  /** The vendor documentation pages the steps were written from. */
  sources: { title: string; url: string }[];
  /** False when this provider does not push SCIM: Guestlist reads it through its API (Google Workspace, Workday, BambooHR). */
  scim: boolean;
  steps: GuideStep[];
  attributeMappings: AttributeMapping[];
  /** Known behaviours of this IdP worth knowing while debugging (what the request log will show). */
  tips: string[];
}
