/** @guestlist/sdk: a client for the Guestlist management API. */
export { Guestlist } from './client.js';
export type { GuestlistOptions } from './http.js';
export {
  GuestlistError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  CursorExpiredError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  WebhookVerificationError,
  type FieldError,
} from './errors.js';
export * from './objects.js';
export * from './event-types.js';
export type * from './params.js';
export { AutoPaginatable } from './pagination.js';
export type { ConsumeOptions, StreamOptions } from './consumer.js';
export type { WaitForAttributeMappingOptions, WaitForSyncOptions } from './resources/directories.js';
export { verifyWebhook, Webhooks, type VerifyOptions, type WebhookHeaders } from './webhooks.js';
export { VERSION } from './version.js';
