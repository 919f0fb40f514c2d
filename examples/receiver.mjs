#!/usr/bin/env node
// A sample app's webhook receiver, with no dependencies: it checks the Standard Webhooks signature over the raw
// body, drops deliveries it has already handled (at-least-once delivery means a repeat is possible), and prints
// each event on one line. docs/integrate.md walks through it.
//
//   WEBHOOK_SECRET=whsec_... PORT=4000 node examples/receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith('whsec_')) {
  console.error('Set WEBHOOK_SECRET to the whsec_… secret the webhook endpoint was created with.');
  process.exit(1);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const TOLERANCE_SECONDS = 300;
const handled = new Set(); // in a real app: a table keyed by event id, written in the same transaction as the effect

function verified(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  if (!id || !Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  // During a secret rotation the header holds one signature per live secret, space-separated.
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.method !== 'POST' || !verified(req.headers, body)) {
      res.writeHead(400).end();
      return;
    }
    const event = JSON.parse(body.toString('utf8'));
    if (!handled.has(event.id)) {
      handled.add(event.id);
      const who = event.data.email ?? event.data.name ?? event.data.user?.email ?? event.data.id;
      console.log(`${event.event} ${who ?? ''} (${event.id})`);
    }
    res.writeHead(204).end(); // answer 2xx quickly; slow work belongs in a queue of your own
  });
});
server.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks`));
