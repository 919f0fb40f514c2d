/** `POST /Bulk` (RFC 7644 §3.7): each operation's data is read through the same tolerant edge as a single request. */
import type { FastifyInstance } from 'fastify';
import { PATCH_TOLERANCE } from '../../dialects/patch.ts';
import { runBulk, type BulkTolerance } from '../../directory/bulk.ts';
import type { ScimService } from '../../directory/scim-service.ts';
import { scimBaseUrl } from '../../urls.ts';
import { directoryOf } from './authenticate.ts';
import { sendScim } from './reply.ts';
import { normalizeBody } from './request.ts';

export const BULK_LIMITS = { maxOperations: 1000 };

const TOLERANCE: BulkTolerance = { normalize: normalizeBody, patch: PATCH_TOLERANCE };

export function bulkRoute(app: FastifyInstance, service: ScimService, publicUrl: string): void {
  app.post('/Bulk', async (request, reply) => {
    const dir = directoryOf(request);
    const result = await runBulk(service, dir, request.body, { ...BULK_LIMITS, baseUrl: scimBaseUrl(publicUrl, dir.id), tolerance: TOLERANCE });
    return sendScim(request, reply, 200, result);
  });
}
