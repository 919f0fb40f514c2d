/** The pull connectors: each reads one source and returns a normalized Listing; none touches the store. */
export * from './types.ts';
export { googleConnector, GOOGLE_API_URL, GOOGLE_TOKEN_URL, GOOGLE_SCOPES, GOOGLE_SOURCE_SCHEMA, signServiceAccountAssertion } from './google.ts';
export type { GoogleConnectorOptions, GoogleCredentials, ServiceAccountKey, TokenCache, CachedToken } from './google.ts';
export { workdayConnector, DEFAULT_WORKDAY_COLUMNS, WORKDAY_SOURCE_SCHEMA } from './workday.ts';
export type { WorkdayConnectorOptions, WorkdayColumns } from './workday.ts';
export { bamboohrConnector, BAMBOOHR_API_URL, BAMBOOHR_FIELDS, BAMBOOHR_SOURCE_SCHEMA } from './bamboohr.ts';
export type { BambooHrConnectorOptions } from './bamboohr.ts';
