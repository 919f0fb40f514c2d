/** What the portal's and the console's JSON APIs share: error shape, the text rule, no caching, auditing. */
import type { FastifyInstance } from 'fastify';
import { auditRoutes } from './audit.ts';
import type { AppContext } from './context.ts';
import { sendApiError } from './errors.ts';
import { checkManagementInput } from './management/input.ts';

export function browserApiScope(scope: FastifyInstance, root: FastifyInstance, { store }: AppContext): void {
  scope.setErrorHandler(sendApiError);
  scope.addHook('preValidation', checkManagementInput);
  // Answers carry CSRF tokens and, once, bearer tokens: no cache keeps them, no Referer carries a URL away.
  scope.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });
  // Browser routes are not the management API's operations: /openapi.json leaves them out.
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  auditRoutes(scope, root, store);
}
