/**
 * The text rule (src/scim/text.ts) for the management API, checked once for every route before its schema:
 * no control character (other than tab, LF, CR) or lone surrogate reaches the database, where PostgreSQL would
 * refuse it with a 500 that SQLite never gives. Bodies nest at most MAX_JSON_DEPTH deep.
 */
import type { FastifyRequest } from 'fastify';
import { MAX_JSON_DEPTH, deeperThan } from '../../scim/json.ts';
import { findJsonTextProblem } from '../../scim/text.ts';
import { ApiError } from '../errors.ts';

// Length is each route's schema's business (names, domains); this is only about characters.
const NO_LENGTH_LIMIT = Number.POSITIVE_INFINITY;

export async function checkManagementInput(request: FastifyRequest): Promise<void> {
  // No id holds such a character, so the path names nothing: 404, as for any unknown id.
  if (findJsonTextProblem(request.params, NO_LENGTH_LIMIT)) throw new ApiError(404, 'entity_not_found', 'Not found: no id holds the characters in this path.');
  const query = findJsonTextProblem(request.query, NO_LENGTH_LIMIT);
  if (query) throw invalidRequest(query.path === '' ? `The query string ${query.problem}.` : `The query parameter "${query.path}" ${query.problem}.`);
  if (deeperThan(request.body, MAX_JSON_DEPTH)) throw invalidRequest(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  const body = findJsonTextProblem(request.body, NO_LENGTH_LIMIT);
  if (body) throw invalidRequest(body.path === '' ? `The request body ${body.problem}.` : `"${body.path}" ${body.problem}.`);
}

function invalidRequest(message: string): ApiError {
  return new ApiError(400, 'invalid_request', message);
}
