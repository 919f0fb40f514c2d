/**
 * pino, with every place a secret could appear redacted, and list filters logged by shape only: a filter
 * compares e-mail addresses and names, which do not belong in info-level logs.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { formatFilter, parseFilter } from '../scim/filter/parser.ts';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    serializers: { req: serializeRequest },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.password',
        '*.token',
        '*.bearer_token',
        '*.secret',
        'password',
        'token',
        'secret',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

interface RawRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer, with the filter in the URL reduced to its shape. */
export function serializeRequest(req: RawRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** `/Users?filter=userName%20eq%20%22x%40y.com%22` → `/Users?filter=userName eq "…"`; other parameters as sent. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0 || !/filter/i.test(url.slice(q))) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      const name = eq < 0 ? param : param.slice(0, eq);
      return eq >= 0 && decode(name).toLowerCase() === 'filter' ? `${name}=${filterShape(decode(param.slice(eq + 1)))}` : param;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** Every compared value becomes `"…"`; a filter that does not parse is not shown at all. */
export function filterShape(filter: string): string {
  try {
    return formatFilter(parseFilter(filter, { bareWordValues: true }), { maskValues: true });
  } catch {
    return '…';
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}
