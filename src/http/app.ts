/**
 * Builds the HTTP application: health, metrics, the OpenAPI document and its /docs page, the management API, the
 * SCIM endpoint, and the browser APIs of the admin portal and the operator console. No I/O happens here beyond what the routes do; the composition root (main.ts) owns the
 * process.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MappingAdmin } from '../directory/mapping-admin.ts';
import { Reevaluator } from '../directory/reevaluate.ts';
import { ScimContext } from '../directory/scim-context.ts';
import { ScimService } from '../directory/scim-service.ts';
import { SourcesAdmin } from '../sources/admin.ts';
import { connectorFactory } from '../sources/factory.ts';
import { SyncRunner } from '../sources/runner.ts';
import { credentialEpoch } from '../portal/credentials.ts';
import { PortalLinks } from '../portal/links.ts';
import { FailureLimiter } from '../portal/rate-limit.ts';
import { RequestLog } from '../portal/request-log.ts';
import { Sessions } from '../portal/sessions.ts';
import { ScimError } from '../scim/errors.ts';
import type { GroupCommit } from '../store/group-commit.ts';
import { SCIM_PATH } from '../urls.ts';
import { consoleApp } from './console/index.ts';
import type { AppContext, BrowserContext } from './context.ts';
import { registerDocs } from './docs/index.ts';
import { ApiError, sendApiError } from './errors.ts';
import { acceptEmptyJsonBodies } from './json-body.ts';
import { managementApi, type ApiKeyVerifier } from './management/index.ts';
import { createMetrics, instrument, instrumentAdmission, instrumentGroupCommit, instrumentListShapes, instrumentPrefetchedUsers, instrumentDeferredUpdates, instrumentRequestLog, type Metrics } from './metrics.ts';
import { registerOpenApi } from './openapi/document.ts';
import { portalApp } from './portal/index.ts';
import { Admission } from './scim/admission.ts';
import { scimApi } from './scim/index.ts';
import { activateDirectory } from './scim/authenticate.ts';
import { sendScimError } from './scim/reply.ts';
import { registerWeb } from './web.ts';

export interface AppOptions extends AppContext {
  logger: Logger;
  apiKeys: ApiKeyVerifier;
  metrics?: Metrics;
  /** Where the built web front end is (`dist/web/` of this package by default). */
  webRoot?: string;
  /** The SCIM request log's writer; by default one over `store`. Flushed and closed when the app closes. */
  requestLog?: RequestLog;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The SCIM request log's writer: `flush()` writes what is queued (tests read the log after it). */
    scimRequestLog: RequestLog;
    /** The attribute re-evaluation sweep: `settle()` waits for the jobs running (tests). */
    mappingJobs: Reevaluator;
    /** The sync loop of pulled directories: `settle()` runs what is due (tests). */
    directorySyncs: SyncRunner;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/**
 * Errors for URLs under `/scim/` are SCIM Error JSON, even outside SCIM_PATH: a SCIM client that mistypes the
 * base URL still gets an answer it can read.
 */
const isScimUrl = (url: string) => url.startsWith('/scim/');
/** Legitimate clients send their headers in one packet; a slow trickle of them is a slowloris. */
const HEADERS_TIMEOUT_MS = 10_000;

/**
 * Bounds on the time a client may hold a connection without doing its part (Node's http server, through
 * Fastify): the whole request, headers and body, must arrive within `requestTimeoutMs` (else 408 and the
 * connection closed), its headers within 10 s, and a connection on which nothing moves either way for
 * `idleTimeoutMs` is closed. Node checks the first two every `connectionsCheckingInterval` (30 s by default,
 * which would let a 30 s bound run to 60 s), so the check runs at a quarter of the bound, at most once a second.
 */
export function serverTimeouts(config: { requestTimeoutMs: number; idleTimeoutMs: number }) {
  const requestTimeout = config.requestTimeoutMs;
  return {
    requestTimeout,
    connectionTimeout: config.idleTimeoutMs,
    http: {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(requestTimeout / 4))),
    },
  };
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'The request headers are too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time.'],
};

/**
 * A request Node could not read (headers too large, malformed, too slow) is answered, then its connection
 * closed, and the client is told so (`Connection: close`): a pooled keep-alive connection must not be reused
 * after it. The URL is unknown here, so the body carries both formats: SCIM Error JSON and `{message, code}`.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const [status, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'The request could not be read as HTTP.'];
  // Node's own rule: answer unless a response to this request has already begun.
  const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      detail,
      message: detail,
      code: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request',
    });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Node's `server.close()` ends only the connections idle at that moment: a keep-alive connection with a request
 * under way stays open after its answer until `keepAliveTimeout` (72 s), and holds the shutdown up that long.
 * Once closing, every answer says `Connection: close` (its socket ends with it), and connections that fall idle
 * anyway (an answer already on its way) are closed within 50 ms, until the server has closed.
 */
function closeKeepAliveConnections(app: FastifyInstance): { now: boolean } {
  const closing = { now: false };
  app.addHook('preClose', (done) => {
    closing.now = true;
    const server = app.server;
    if (server.listening) {
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.once('close', () => clearInterval(sweep));
    }
    done();
  });
  return closing;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, store, logger, secretKey } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.maxBodyBytes,
    // Paths match case-insensitively (`/users` as well as `/Users`: Microsoft's tests); ids keep their case.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false },
    // Body values are validated as sent: "123" is not a number and 1 is not a name.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
    // A URL Fastify cannot decode (a lone surrogate, `%ED%A0%80`) names no resource we hold: answered 404 in
    // the protocol's own format, like any other id that cannot be ours.
    frameworkErrors: (error, request, reply) => {
      const detail = `No resource at ${request.url.split('?')[0]}: the path is not valid UTF-8.`;
      if (error.code !== 'FST_ERR_BAD_URL') return sendApiError(error, request, reply);
      if (isScimUrl(request.url)) return sendScimError(new ScimError(404, undefined, detail), request, reply);
      return sendApiError(new ApiError(404, 'entity_not_found', detail), request, reply);
    },
    ...serverTimeouts(config),
  });

  // Hooks that do not wait take a callback: an async one costs a promise and a turn of the microtask queue.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const closing = closeKeepAliveConnections(app);
  // Every answer, errors and 404s included: no browser may guess a type other than the one we send.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (closing.now) reply.header('connection', 'close');
    done(null, payload);
  });
  acceptEmptyJsonBodies(app);

  await registerOpenApi(app, config.publicUrl);
  registerDocs(app, () => app.swagger());

  const metrics = options.metrics ?? createMetrics({ processMetrics: false });
  instrument(app, metrics, { token: config.metricsToken });
  const admission = new Admission(config.scimLimits);
  instrumentAdmission(admission, metrics);
  instrumentGroupCommit(store.groupCommit as GroupCommit<unknown, unknown>, metrics);
  instrumentListShapes(store.listShapes, metrics);
  if (store.prefetchedUsers) instrumentPrefetchedUsers(store.prefetchedUsers, metrics);
  if (store.deferUserUpdates) instrumentDeferredUpdates(store.deferredUpdates, metrics);
  const requestLog = options.requestLog ?? new RequestLog(store.db, { logger });
  instrumentRequestLog(requestLog, metrics);
  app.decorate('scimRequestLog', requestLog);
  // Before the composition root closes the store: what is queued is written, and nothing after.
  app.addHook('onClose', () => requestLog.close());

  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });

  await app.register(async (scope) => scimApi(scope, { config, store, secretKey, admission, requestLog }), { prefix: `${SCIM_PATH}/:directoryId` });
  // Re-evaluates users after a mapping change, in this process's background (any process may take a job).
  const mappingContext = new ScimContext(store, config.publicUrl);
  const reevaluator = new Reevaluator(mappingContext, { logger });
  app.decorate('mappingJobs', reevaluator);
  app.addHook('onReady', async () => reevaluator.start());
  app.addHook('onClose', () => reevaluator.stop());
  // Pulls Google Workspace, Workday and BambooHR directories on their schedules and on demand.
  const scimService = new ScimService(store, config.publicUrl);
  const syncs = new SyncRunner(mappingContext, scimService, {
    secretKeys: { current: secretKey, previous: config.secretKeyPrevious },
    connect: connectorFactory(config.sources),
    activate: async (dir) => void (await activateDirectory({ store, config }, dir)),
    logger,
  });
  app.decorate('directorySyncs', syncs);
  app.addHook('onReady', async () => syncs.start());
  app.addHook('onClose', () => syncs.stop());
  const sessions = new Sessions(store, secretKey, { credentialEpoch: credentialEpoch(secretKey, options.apiKeys, config.adminPassword) });
  const browser: BrowserContext = {
    config,
    store,
    secretKey,
    apiKeys: options.apiKeys,
    sessions,
    links: new PortalLinks(store, sessions),
    signInFailures: new FailureLimiter(),
    mapping: new MappingAdmin(mappingContext, { onJob: () => reevaluator.wake() }),
    sources: new SourcesAdmin(mappingContext, scimService, syncs, secretKey),
  };
  await app.register(async (scope) => managementApi(scope, browser, app));
  await app.register(async (scope) => portalApp(scope, browser, app));
  await app.register(async (scope) => consoleApp(scope, browser, app));
  registerWeb(app, options.webRoot);

  app.setNotFoundHandler((request, reply) => {
    const detail = `No route for ${request.method} ${request.url.split('?')[0]}.`;
    if (isScimUrl(request.url)) return sendScimError(new ScimError(404, undefined, detail), request, reply);
    return sendApiError(new ApiError(404, 'not_found', detail), request, reply);
  });
  app.setErrorHandler(sendApiError);
  return app;
}
