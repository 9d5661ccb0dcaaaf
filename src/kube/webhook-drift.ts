import { X509Certificate } from 'node:crypto';

/** The label the chart puts on the webhook configurations it creates (and self-check trusts). */
export const MANAGED_LABEL = 'meshguard.io/managed';

/** The parts of a Mutating/ValidatingWebhookConfiguration that self-check reads. */
export interface WebhookConfiguration {
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  webhooks?: Array<{ name: string; clientConfig?: { caBundle?: string; url?: string; service?: unknown } }>;
}

/** One thing found wrong. `configuration` is the metric label. */
export interface Drift {
  configuration: string;
  webhook?: string;
  problem: string;
}

/** A JSON patch (RFC 6902) for one configuration: test ops, then caBundle replacements only. */
export interface CaBundlePatch {
  kind: WebhookConfiguration['kind'];
  name: string;
  ops: Array<{ op: 'test' | 'add' | 'replace'; path: string; value: string }>;
}

/** Splits a PEM bundle into certificates, skipping blocks that do not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // A block that does not parse trusts nothing.
    }
  }
  return out;
}

/**
 * True when a CA bundle lets a client verify the served chain (leaf first, then intermediates): the
 * bundle holds one of the chain's certificates itself (a self-signed leaf is its own CA) or the
 * issuer of one of them (checked by signature, not by name alone).
 */
export function bundleTrusts(bundle: X509Certificate[], chain: X509Certificate[]): boolean {
  for (const anchor of bundle) {
    for (const cert of chain) {
      if (anchor.fingerprint256 === cert.fingerprint256) return true;
      if (cert.checkIssued(anchor) && cert.verify(anchor.publicKey)) return true;
    }
  }
  return false;
}

/**
 * The CA certificate (PEM) the webhook configurations should carry, when it can be known:
 * `caPem` (e.g. the `ca.crt` that cert-manager and kubernetes.io/tls Secrets put beside the
 * certificate) if it issued the chain; else a self-signed certificate of the chain (a self-signed
 * leaf, or a root appended to the chain). Otherwise undefined: meshguard cannot tell which CA the
 * operator uses, and self-check only reports.
 */
export function expectedCa(chainPem: string, caPem?: string): string | undefined {
  const chain = parseCertificates(chainPem);
  if (caPem) {
    const cas = parseCertificates(caPem);
    if (cas.length > 0 && bundleTrusts(cas, chain)) return cas.map((c) => c.toString()).join('');
  }
  // Not checkIssued(c): OpenSSL also wants keyCertSign there, which a self-signed leaf lacks.
  const root = [...chain].reverse().find((c) => c.subject === c.issuer && c.verify(c.publicKey));
  return root?.toString();
}

/**
 * Compares the configurations found (already filtered to the managed ones) with the serving chain:
 * every expected kind must exist, and every webhook's `clientConfig.caBundle` must trust the chain.
 * When `caPem` is known, returns for each drifting configuration the JSON patch that sets exactly
 * `webhooks[i].clientConfig.caBundle` (guarded by `test` ops on the webhook's name and the object's
 * resourceVersion, so a concurrent edit makes the patch fail instead of writing the wrong entry).
 */
export function compareConfigurations(
  found: WebhookConfiguration[],
  chainPem: string,
  opts: { webhookName: string; caPem?: string; expectKinds?: WebhookConfiguration['kind'][] },
): { drifts: Drift[]; patches: CaBundlePatch[]; checked: string[] } {
  const chain = parseCertificates(chainPem);
  const drifts: Drift[] = [];
  const patches: CaBundlePatch[] = [];
  const caBase64 = opts.caPem ? Buffer.from(opts.caPem).toString('base64') : undefined;
  for (const kind of opts.expectKinds ?? ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    if (!found.some((c) => c.kind === kind)) {
      drifts.push({ configuration: `${opts.webhookName}*`, problem: `no ${kind} labelled ${MANAGED_LABEL}=true with "${opts.webhookName}" in its name` });
    }
  }
  for (const config of found) {
    const name = config.metadata.name;
    const ops: CaBundlePatch['ops'] = [];
    (config.webhooks ?? []).forEach((hook, i) => {
      const raw = hook.clientConfig?.caBundle;
      const bundle = raw ? parseCertificates(Buffer.from(raw, 'base64').toString('utf8')) : [];
      if (bundle.length > 0 && bundleTrusts(bundle, chain)) return;
      const problem = raw ? (bundle.length === 0 ? 'caBundle holds no PEM certificate' : 'caBundle does not trust the serving certificate') : 'caBundle is empty';
      drifts.push({ configuration: name, webhook: hook.name, problem });
      if (caBase64) {
        ops.push({ op: 'test', path: `/webhooks/${i}/name`, value: hook.name });
        ops.push({ op: raw === undefined ? 'add' : 'replace', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBase64 });
      }
    });
    if ((config.webhooks ?? []).length === 0) drifts.push({ configuration: name, problem: 'has no webhooks' });
    if (ops.length > 0) {
      const guard = config.metadata.resourceVersion ? [{ op: 'test' as const, path: '/metadata/resourceVersion', value: config.metadata.resourceVersion }] : [];
      patches.push({ kind: config.kind, name, ops: [...guard, ...ops] });
    }
  }
  return { drifts, patches, checked: found.map((c) => c.metadata.name) };
}

/** True when a configuration is one self-check may look at (and, in patch mode, patch). */
export function isManaged(config: WebhookConfiguration, webhookName: string): boolean {
  return config.metadata.labels?.[MANAGED_LABEL] === 'true' && config.metadata.name.includes(webhookName);
}
