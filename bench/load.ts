/**
 * The load generator, run in a worker thread so that it has a core of its own and does not steal the
 * server's event loop. It receives a scenario, runs autocannon, and posts back the result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export type Scenario =
  | { kind: 'create'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number }
  | { kind: 'lookup'; base: string; path: string; headers: Record<string, string>; connections: number; duration: number; filter: string; range: number };

function requests(s: Scenario): autocannon.Request[] {
  if (s.kind === 'create') {
    let n = 0;
    return [
      {
        method: 'POST',
        path: s.path,
        headers: s.headers,
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: `new${i}@bench.example.com`,
              externalId: `00x${i}`,
              name: { givenName: 'New', familyName: `User${i}` },
              emails: [{ value: `new${i}@bench.example.com`, type: 'work', primary: true }],
              active: true,
            }),
          };
        },
      },
    ];
  }
  return [
    {
      method: 'GET',
      headers: s.headers,
      setupRequest: (req) => ({
        ...req,
        path: `${s.path}?filter=${encodeURIComponent(s.filter.replaceAll('{i}', String(Math.floor(Math.random() * s.range))))}`,
      }),
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
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  });
});
