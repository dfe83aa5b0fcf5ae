// The in-process cost of discord-interactions' verifyKey on the benchmark's PING, for context in
// docs/BENCHMARKS.md: no Runtime API, no JSON, only the verify, awaited one at a time.
// Reads PUBLIC_KEY, SIGNATURE, TIMESTAMP, BODY and ITERATIONS; prints {"ns_per_op": N}.
'use strict';
const { verifyKey } = require('discord-interactions');

async function main() {
  const { PUBLIC_KEY, SIGNATURE, TIMESTAMP, BODY } = process.env;
  const n = Number(process.env.ITERATIONS || 2000);
  for (let i = 0; i < 200; i++) await verifyKey(BODY, SIGNATURE, TIMESTAMP, PUBLIC_KEY); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (!(await verifyKey(BODY, SIGNATURE, TIMESTAMP, PUBLIC_KEY))) throw new Error('signature does not verify');
  }
  const ns = Number(process.hrtime.bigint() - start) / n;
  process.stdout.write(JSON.stringify({ ns_per_op: ns }) + '\n');
}

main().catch((err) => { console.error(err); process.exit(1); });
