// The PING handler most Discord-on-Lambda bots run: discord-interactions' verifyKey, then
// {"type":1}. Wrapped in the same Lambda Runtime API loop a custom runtime uses, so that it is
// started and invoked exactly like the Go bootstrap in the benchmark.
'use strict';
const { verifyKey, InteractionType, InteractionResponseType } = require('discord-interactions');

const publicKey = process.env.DISCORD_PUBLIC_KEY;

async function handler(event) {
  const headers = {};
  for (const [k, v] of Object.entries(event.headers || {})) headers[k.toLowerCase()] = v;
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const ok = await verifyKey(body, headers['x-signature-ed25519'], headers['x-signature-timestamp'], publicKey);
  if (!ok) return { statusCode: 401, body: 'invalid request signature' };
  const interaction = JSON.parse(body);
  if (interaction.type === InteractionType.PING) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: InteractionResponseType.PONG }) };
  }
  return { statusCode: 400, body: 'unsupported' };
}

async function main() {
  const base = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation`;
  for (;;) {
    const next = await fetch(`${base}/next`);
    const id = next.headers.get('lambda-runtime-aws-request-id');
    const event = await next.json();
    let result;
    try {
      result = await handler(event);
    } catch (err) {
      await fetch(`${base}/${id}/error`, { method: 'POST', body: JSON.stringify({ errorMessage: String(err) }) });
      continue;
    }
    await fetch(`${base}/${id}/response`, { method: 'POST', body: JSON.stringify(result) });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
