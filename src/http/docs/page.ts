/**
 * The reference page: the OpenAPI document rendered once as static HTML (operations by tag, the webhooks, the
 * schemas), with a contents column. No script, and one stylesheet from the same origin.
 */
import type { Json } from '../../scim/json.ts';
import { anchor, deref, escapeHtml, inline, list, obj, prose, str, table } from './html.ts';
import { describe, schemaBlock, typeHtml } from './schemas.ts';

export const STYLESHEET_PATH = '/docs/style.css';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operations(doc: Json): Operation[] {
  return Object.entries(obj(doc.paths)).flatMap(([path, item]) =>
    METHODS.filter((m) => m in obj(item)).map((method) => ({ method, path, op: obj(obj(item)[method]) })),
  );
}

const badge = (method: string) => `<span class="method ${method}">${method.toUpperCase()}</span>`;

function parametersHtml(doc: Json, op: Json): string {
  const rows = list(op.parameters).map((raw) => {
    const p = deref(doc, raw);
    return [`<code>${escapeHtml(str(p.name))}</code>`, str(p.in), typeHtml(obj(p.schema)), p.required === true ? 'yes' : '', describe(p)];
  });
  return rows.length > 0 ? `<h4>Parameters</h4>${table(['name', 'in', 'type', 'required', 'description'], rows)}` : '';
}

function bodyHtml(op: Json): string {
  const body = obj(op.requestBody);
  const [[type, media] = []] = Object.entries(obj(body.content));
  if (type === undefined) return '';
  const optional = body.required === true ? '' : ' <small>(optional)</small>';
  return `<h4>Request body: <code>${escapeHtml(type)}</code>${optional}</h4>${prose(str(body.description))}${schemaBlock(obj(obj(media).schema))}`;
}

/** `200` < `2XX` < `410` < `default`: JavaScript lists integer-like keys first, whatever the document's order. */
const statusRank = (status: string) => (status === 'default' ? 1000 : Number(status.replace(/X/g, '0')) + (status.includes('X') ? 0.5 : 0));

function responsesHtml(doc: Json, op: Json): string {
  const sorted = Object.entries(obj(op.responses)).sort(([a], [b]) => statusRank(a) - statusRank(b));
  const rows = sorted.map(([status, raw]) => {
    const response = deref(doc, raw);
    const media = Object.values(obj(response.content)).map(obj)[0];
    return [`<code>${escapeHtml(status)}</code>`, inline(str(response.description)), media ? typeHtml(obj(media.schema)) : ''];
  });
  return `<h4>Responses</h4>${table(['status', 'meaning', 'body'], rows)}`;
}

function operationHtml(doc: Json, { method, path, op }: Operation, id: string, title: string): string {
  return `<section class="operation" id="${id}">
<h3>${badge(method)} <code>${escapeHtml(title)}</code></h3>
<p class="summary">${inline(str(op.summary))} <small>· <code>${escapeHtml(str(op.operationId))}</code></small></p>
${prose(str(op.description))}
${parametersHtml(doc, op)}
${bodyHtml(op)}
${responsesHtml(doc, op)}
</section>`;
}

/** Tags in the document's order, then any an operation names that the list lacks. */
function tagNames(doc: Json, ops: Operation[]): string[] {
  const declared = list(doc.tags).map((t) => str(obj(t).name));
  const used = ops.flatMap((o) => list(o.op.tags).map(str));
  return [...new Set([...declared, ...used])].filter((t) => used.includes(t));
}

const tagOf = (o: Operation) => str(list(o.op.tags)[0]) || 'other';

function tagDescription(doc: Json, name: string): string {
  return str(obj(list(doc.tags).map(obj).find((t) => t.name === name)).description);
}

function webhookOperations(doc: Json): Operation[] {
  return Object.entries(obj(doc.webhooks)).map(([name, item]) => ({ method: 'post', path: name, op: obj(obj(item).post) }));
}

function schemasHtml(doc: Json): string {
  return Object.entries(obj(obj(doc.components).schemas))
    .map(([name, raw]) => {
      const schema = obj(raw);
      return `<section class="schema" id="${anchor('schema', name)}"><h3>${escapeHtml(name)}</h3>${prose(str(schema.description))}${schemaBlock(schema)}</section>`;
    })
    .join('\n');
}

function contents(doc: Json, ops: Operation[], hooks: Operation[]): string {
  const link = (o: Operation, kind: string) =>
    `<li><a href="#${anchor(kind, str(o.op.operationId))}">${kind === 'op' ? badge(o.method) + ' ' : ''}${escapeHtml(kind === 'op' ? str(o.op.summary) : o.path)}</a></li>`;
  const groups = tagNames(doc, ops).map((tag) => `<li>${escapeHtml(tag)}<ul>${ops.filter((o) => tagOf(o) === tag).map((o) => link(o, 'op')).join('')}</ul></li>`);
  const schemaNames = Object.keys(obj(obj(doc.components).schemas));
  return `<nav><p><a href="#top">${escapeHtml(str(obj(doc.info).title))}</a></p><ul>${groups.join('')}
<li><a href="#webhooks">webhooks</a><ul>${hooks.map((o) => link(o, 'webhook')).join('')}</ul></li>
<li><a href="#schemas">schemas</a><ul>${schemaNames.map((n) => `<li><a href="#${anchor('schema', n)}">${escapeHtml(n)}</a></li>`).join('')}</ul></li></ul></nav>`;
}

function introHtml(doc: Json): string {
  const info = obj(doc.info);
  const servers = list(doc.servers).map((s) => `<code>${escapeHtml(str(obj(s).url))}</code>`);
  return `<header id="top"><h1>${escapeHtml(str(info.title))} <small>${escapeHtml(str(info.version))}</small></h1>
<p class="meta">OpenAPI ${escapeHtml(str(doc.openapi))} · <a href="/openapi.json">/openapi.json</a>${servers.length > 0 ? ` · server ${servers.join(', ')}` : ''}</p>
${prose(str(info.description))}</header>`;
}

export function renderReference(doc: Json): string {
  const ops = operations(doc);
  const hooks = webhookOperations(doc);
  const sections = tagNames(doc, ops).map(
    (tag) =>
      `<section class="tag"><h2 id="${anchor('tag', tag)}">${escapeHtml(tag)}</h2>${prose(tagDescription(doc, tag))}
${ops.filter((o) => tagOf(o) === tag).map((o) => operationHtml(doc, o, anchor('op', str(o.op.operationId)), o.path)).join('\n')}</section>`,
  );
  const webhooks = hooks.map((o) => operationHtml(doc, o, anchor('webhook', str(o.op.operationId)), o.path)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(str(obj(doc.info).title))}</title><link rel="stylesheet" href="${STYLESHEET_PATH}"></head>
<body>${contents(doc, ops, hooks)}<main>${introHtml(doc)}
${sections.join('\n')}
<section class="tag"><h2 id="webhooks">webhooks</h2>${prose(tagDescription(doc, 'webhooks'))}
<p>Each event type is a POST to the endpoint's URL, with the headers below; the body is the Event object.</p>
${webhooks}</section>
<section class="tag"><h2 id="schemas">schemas</h2>
${schemasHtml(doc)}</section></main></body></html>
`;
}
