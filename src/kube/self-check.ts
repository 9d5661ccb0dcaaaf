import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import type { KubeHttp } from './client.js';
import { compareConfigurations, expectedCa, isManaged, MANAGED_LABEL, type Drift, type WebhookConfiguration } from './webhook-drift.js';

/** The readiness check self-check writes to (always ok: see {@link runSelfCheck}). */
export const SELF_CHECK_READINESS = 'webhook-configuration';

const API = '/apis/admissionregistration.k8s.io/v1';
const PATHS = {
  MutatingWebhookConfiguration: `${API}/mutatingwebhookconfigurations`,
  ValidatingWebhookConfiguration: `${API}/validatingwebhookconfigurations`,
} as const;

export interface SelfCheckDeps {
  http: KubeHttp;
  config: Pick<Config, 'webhookName' | 'selfCheck' | 'tlsCertFile'>;
  /** The serving certificate chain (PEM) as loaded at start. */
  certificatePem: string;
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
}

export interface SelfCheckResult {
  drifts: Drift[];
  patched: string[];
  checked: string[];
}

/**
 * Checks that the webhook configurations the chart created (labelled `meshguard.io/managed=true`,
 * name containing `webhookName`) exist and that every webhook's `clientConfig.caBundle` trusts the
 * serving certificate. Drift is logged, exported as `meshguard_webhook_configuration_drift{configuration}`
 * = 1 and described in the `webhook-configuration` readiness detail.
 *
 * Drift never makes readiness false: the API server calls the webhook through its Service, so an
 * unready pod is removed from the endpoints, and with `failurePolicy: Fail` every matching request in
 * the cluster would then fail — while a wrong CA bundle already fails them. Taking the webhook down
 * cannot fix the bundle; it only widens the outage (and would also stop `patch` mode from being
 * observable). It is an alert, not a gate.
 *
 * With `selfCheck: patch` and a known CA (see {@link expectedCa}: `ca.crt` beside tlsCertFile, or a
 * self-signed certificate in the chain), only `webhooks[*].clientConfig.caBundle` of the managed
 * configurations is patched (JSON patch guarded by `test` ops); nothing else is ever written.
 */
export async function runSelfCheck(deps: SelfCheckDeps): Promise<SelfCheckResult> {
  const { http, config, metrics, readiness, log } = deps;
  const chainPem = config.tlsCertFile ? await readFile(config.tlsCertFile, 'utf8').catch(() => deps.certificatePem) : deps.certificatePem;
  const caPem = config.tlsCertFile ? await readFile(path.join(path.dirname(config.tlsCertFile), 'ca.crt'), 'utf8').catch(() => undefined) : undefined;
  const ca = expectedCa(chainPem, caPem);
  const found = await listManaged(http, config.webhookName);
  let result = compareConfigurations(found, chainPem, { webhookName: config.webhookName, caPem: ca });
  const patched: string[] = [];
  if (config.selfCheck === 'patch' && result.patches.length > 0) {
    for (const patch of result.patches) {
      try {
        await http.request(`${PATHS[patch.kind]}/${encodeURIComponent(patch.name)}`, {
          method: 'PATCH', body: patch.ops, contentType: 'application/json-patch+json', query: { fieldManager: 'meshguard-self-check' },
        });
        patched.push(patch.name);
        log.warn({ configuration: patch.name, kind: patch.kind, webhooks: patch.ops.filter((o) => o.op !== 'test').length }, 'self-check patched the caBundle of a webhook configuration');
      } catch (err) {
        log.error({ configuration: patch.name, err: describeError(err) }, 'self-check could not patch the caBundle');
      }
    }
    if (patched.length > 0) result = compareConfigurations(await listManaged(http, config.webhookName), chainPem, { webhookName: config.webhookName, caPem: ca });
  }
  if (config.selfCheck === 'patch' && ca === undefined && result.drifts.length > 0) {
    log.warn({ checked: result.checked }, 'self-check cannot patch: the serving CA is unknown (put ca.crt beside tlsCertFile, or serve a chain ending in its root)');
  }
  if (result.drifts.length > 0) log.warn({ drifts: result.drifts, mode: config.selfCheck }, 'webhook configuration drift');
  readiness.set(SELF_CHECK_READINESS, true, describe(result.drifts, result.checked, config.selfCheck, ca !== undefined, patched));
  metrics.webhookDrift.reset();
  for (const name of result.checked) metrics.webhookDrift.set({ configuration: name }, 0);
  for (const d of result.drifts) metrics.webhookDrift.set({ configuration: d.configuration }, 1);
  return { drifts: result.drifts, patched, checked: result.checked };
}

async function listManaged(http: KubeHttp, webhookName: string): Promise<WebhookConfiguration[]> {
  const out: WebhookConfiguration[] = [];
  for (const kind of Object.keys(PATHS) as Array<keyof typeof PATHS>) {
    const list = await http.get<{ items?: WebhookConfiguration[] }>(PATHS[kind], { query: { labelSelector: `${MANAGED_LABEL}=true` } });
    for (const item of list.items ?? []) {
      const config = { ...item, kind };
      if (isManaged(config, webhookName)) out.push(config);
    }
  }
  return out;
}

function describe(drifts: Drift[], checked: string[], mode: string, caKnown: boolean, patched: string[]): string {
  const head = `self-check (${mode}) of ${checked.length > 0 ? checked.join(', ') : 'no configurations'}`;
  const fixed = patched.length > 0 ? `; patched caBundle of ${patched.join(', ')}` : '';
  if (drifts.length === 0) return `${head}: no drift${fixed}`;
  const list = drifts.map((d) => `${d.configuration}${d.webhook ? ` ${d.webhook}` : ''}: ${d.problem}`).join('; ');
  const hint = mode === 'patch' && !caKnown ? ' (cannot patch: serving CA unknown)' : '';
  return `${head}: drift (reported, not gating readiness)${hint}: ${list}${fixed}`;
}
