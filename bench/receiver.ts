/**
 * The webhook receiver for `npm run bench events`, in a worker thread so it does not share the dispatcher's
 * event loop. It answers 200 at once and reports each arrival (event id, subject id, absolute time) in batches.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

export interface Arrival {
  eventId: string;
  subjectId: string;
  at: number;
}

let batch: Arrival[] = [];
const flush = () => {
  if (batch.length > 0) parentPort!.postMessage({ arrivals: batch });
  batch = [];
};
setInterval(flush, 5).unref();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200).end();
    batch.push({ eventId: event.id, subjectId: event.data.id, at });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as { port: number }).port }));
