/**
 * Checks, before anything is measured, that every server gives the right answer to every payload:
 * the request's uid, the expected allowed value, a decodable JSONPatch from meshguard's /mutate,
 * and a denial (with the rule named) for the denied sample. Also compares meshguard's and OPA's
 * decisions on every single-object rule sample, so both are known to do the same work.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Endpoint } from './endpoints.js';
import { postJson } from './https-client.js';
import { admissionReview, repoRoot, yamlObjects, type Payload } from './payloads.js';

/** Checks one answer; returns what is wrong, or undefined when it is right. */
export async function checkAnswer(endpoint: Endpoint, p: Payload): Promise<string | undefined> {
  const where = `${endpoint.label} ${endpoint.path(p.webhook)} ${p.name}`;
  let answer;
  try {
    answer = await postJson(endpoint.server.baseUrl + endpoint.path(p.webhook), endpoint.wrap(p.body));
  } catch (err) {
    return `${where}: ${(err as Error).message}`;
  }
  if (answer.status !== 200) return `${where}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
  const response = endpoint.unwrap(answer.body)?.response;
  if (!response) return `${where}: no AdmissionReview response in ${JSON.stringify(answer.body).slice(0, 200)}`;
  if (response.uid !== p.review.request?.uid) return `${where}: uid ${response.uid} instead of ${p.review.request?.uid}`;
  const wantAllowed = endpoint.judges ? p.allowed : true;
  if (response.allowed !== wantAllowed) return `${where}: allowed ${response.allowed} (${response.status?.message ?? 'no message'}), expected ${wantAllowed}`;
  if (!wantAllowed && !/\[[a-z0-9-]+( IST\d{4})?\] /.test(response.status?.message ?? '')) return `${where}: the denial names no rule: ${response.status?.message}`;
  if (endpoint.patches && p.patched) {
    if (response.patchType !== 'JSONPatch' || !response.patch) return `${where}: no JSONPatch in the answer`;
    const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Array<{ op: string; path: string }>;
    if (!Array.isArray(ops) || ops.length === 0 || !ops.some((o) => o.path.includes('sidecar.istio.io~1proxyCPU'))) {
      return `${where}: the patch does not size the sidecar: ${JSON.stringify(ops).slice(0, 300)}`;
    }
  }
  return undefined;
}

/** Every payload an endpoint serves, checked; the list of problems (empty when all are right). */
export async function verifyEndpoint(endpoint: Endpoint, payloads: Payload[]): Promise<string[]> {
  const problems: string[] = [];
  for (const p of payloads) {
    if (!endpoint.webhooks.includes(p.webhook)) continue;
    const problem = await checkAnswer(endpoint, p);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** meshguard vs OPA on the rule samples. */
export interface Parity {
  samples: number;
  agree: number;
  deniedByBoth: number;
  disagreements: string[];
}

/**
 * Sends every single-object sample under policies/istio/* /samples to both endpoints' /validate
 * and compares allowed. Samples with more than one object need an inventory and are skipped.
 */
export async function decisionParity(a: Endpoint, b: Endpoint): Promise<Parity> {
  const result: Parity = { samples: 0, agree: 0, deniedByBoth: 0, disagreements: [] };
  const rulesDir = path.join(repoRoot, 'policies', 'istio');
  for (const rule of readdirSync(rulesDir).sort()) {
    for (const verdict of ['allowed', 'denied']) {
      const dir = path.join(rulesDir, rule, 'samples', verdict);
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
      } catch {
        continue;
      }
      for (const file of files) {
        const objects = yamlObjects(path.join(dir, file));
        if (objects.length !== 1 || !objects[0]) continue;
        const object = { ...objects[0], metadata: { namespace: 'default', ...objects[0].metadata } };
        const review = admissionReview(object, `parity-${rule}-${file}`);
        const body = JSON.stringify(review);
        const [ra, rb] = await Promise.all([a, b].map(async (e) => {
          const answer = await postJson(e.server.baseUrl + e.path('validate'), e.wrap(body));
          return e.unwrap(answer.body)?.response;
        }));
        result.samples++;
        if (ra && rb && ra.allowed === rb.allowed) {
          result.agree++;
          if (!ra.allowed) result.deniedByBoth++;
        } else {
          result.disagreements.push(`${rule}/${verdict}/${file}: ${a.label} ${ra?.allowed}, ${b.label} ${rb?.allowed}`);
        }
      }
    }
  }
  return result;
}
