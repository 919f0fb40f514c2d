/**
 * The load generator, run in a worker thread so that it has a core of its own and does not steal the
 * server's event loop. It receives a scenario, runs autocannon, and posts back the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { fillFilter, seededId } from './seeded.ts';

export type Scenario =
  /** `spread`: other (path, authorization) targets the creates rotate over, e.g. several directories. */
  | { kind: 'create'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number; prefix?: string; spread?: { path: string; authorization: string }[] }
  /** PUT, PATCH or GET of seeded user j (id `directory_user_<j>`, userName `user<j>@bench.example.com`), j random below `range`. */
  | { kind: 'put' | 'patch' | 'get'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number; range: number }
  | { kind: 'raw'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number; method: 'POST'; body: string }
  | { kind: 'lookup'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number; filter: string; range: number };



function requests(s: Scenario): autocannon.Request[] {
  if (s.kind === 'raw') return [{ method: s.method, path: s.path, headers: s.headers, body: s.body }];
  if (s.kind === 'put' || s.kind === 'patch' || s.kind === 'get') {
    return [
      {
        method: s.kind === 'put' ? 'PUT' : s.kind === 'patch' ? 'PATCH' : 'GET',
        headers: s.headers,
        setupRequest: (req) => {
          const j = Math.floor(Math.random() * s.range);
          const title = `Title ${Math.random().toString(36).slice(2, 8)}`;
          const body =
            s.kind === 'put'
              ? JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${j}@bench.example.com`, externalId: `00u${j}`, name: { givenName: `Given${j}`, familyName: `Family${j % 977}` }, emails: [{ value: `user${j}@bench.example.com`, type: 'work', primary: true }], title, active: true })
              : s.kind === 'patch'
                ? JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: title }] })
                : undefined;
          return { ...req, path: `${s.path}/${seededId(j)}`, ...(body ? { body } : {}) };
        },
      },
    ];
  }
  if (s.kind === 'create') {
    let n = 0;
    return [
      {
        method: 'POST',
        path: s.path,
        headers: s.headers,
        setupRequest: (req) => {
          const i = n++;
          const target = s.spread?.[i % s.spread.length];
          return {
            ...req,
            ...(target ? { path: target.path, headers: { ...s.headers, authorization: target.authorization } } : {}),
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: `${s.prefix ?? 'new'}${i}@bench.example.com`,
              externalId: `00x${i}`,
              name: { givenName: 'New', familyName: `User${i}` },
              emails: [{ value: `${s.prefix ?? 'new'}${i}@bench.example.com`, type: 'work', primary: true }],
              active: true,
            }),
          };
        },
      },
    ];
  }
  const lookup = s as Extract<Scenario, { kind: 'lookup' }>;
  return [
    {
      method: 'GET',
      headers: s.headers,
      setupRequest: (req) => {
        const j = Math.floor(Math.random() * lookup.range);
        return { ...req, path: `${s.path}${s.path.includes('?') ? '&' : '?'}filter=${encodeURIComponent(fillFilter(lookup.filter, j))}` };
      },
    },
  ];
}

const scenario = workerData as Scenario;
const options = { url: scenario.base, connections: scenario.connections, duration: scenario.duration, requests: requests(scenario) };
autocannon(options, (err, raw) => {
  if (err) throw err;
  // Inside a worker thread autocannon leaves its results unaggregated.
  const aggregate = (autocannon as unknown as { aggregateResult(r: unknown[], o: unknown): autocannon.Result }).aggregateResult;
  const result = aggregate([raw], options);
  const { totalCompletedRequests, duration } = raw as unknown as { totalCompletedRequests: number; duration: number };
  parentPort!.postMessage({
    perSecond: Math.round(totalCompletedRequests / duration),
    requests: totalCompletedRequests,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  });
});
