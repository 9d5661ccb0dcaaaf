import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { FIX, findingLine } from '../support/messages.js';
import { cliPath, sharedData } from '../support/paths.js';
import { apply, installCrdDirectory } from './apiserver.js';
import { helmTemplate, NS, SECRET_NAMESPACES, startHarness, waitForWebhooks, type Harness } from './harness.js';
import { createIstio, istio, rejection } from './kube-api.js';
import { alive, freePort, startProcess, waitFor, type Proc } from './processes.js';

const run = promisify(execFile);
const KNATIVE_CRDS = path.join(sharedData, 'knative-serving-crds-v1.23.0');
const SNAPSHOT_CONFIGMAP = 'meshguard-snapshot';

/**
 * A TLS-terminating front, as Knative's ingress is: HTTPS with the cluster CA's certificate for
 * 127.0.0.1, forwarding each request over plain HTTP to the serverless instance. Counts requests.
 */
async function tlsFront(h: Harness, upstreamPort: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = https.createServer({ cert: h.pki.meshguard.cert, key: h.pki.meshguard.key }, (req, res) => {
    count++;
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-proto': 'https' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `meshguard serve --mode serverless` on a free port, reading only the snapshot file; waits for /readyz. */
async function startServerless(h: Harness, snapshot: string): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('MESHGUARD_') || k === 'KUBECONFIG') delete env[k];
  const proc = startProcess('meshguard-serverless', process.execPath, [cliPath, 'serve', '--mode', 'serverless', '--host', '127.0.0.1', '--log-level', 'warn', '--snapshot', snapshot, '--shutdown-grace-ms', '0'], {
    logFile: path.join(h.tmp, 'meshguard-serverless.log'), env: { ...env, PORT: String(port) },
  });
  await waitFor('serverless /readyz', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), {
    timeoutMs: 60_000, abortIf: () => (alive(proc) ? undefined : `meshguard exited:\n${proc.tail()}`),
  });
  return { proc, port };
}

describe('serverless meshguard through a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  let instance: { proc: Proc; port: number } | undefined;
  let front: Awaited<ReturnType<typeof tlsFront>> | undefined;
  before(async () => {
    h = await startHarness({ meshguard: false });
    await installCrdDirectory(h.kc, KNATIVE_CRDS);
  });
  after(async () => {
    await front?.close();
    await instance?.proc.stop();
    await h?.stop();
  });

  it('the API server accepts the rendered Knative Service (schema-validated, nothing pruned)', async () => {
    const objects = await helmTemplate(['--set', 'config.mode=serverless', '--set-string', 'webhook.url=https://meshguard.meshguard-system.example.com', '--set', `serverless.snapshot.configMap=${SNAPSHOT_CONFIGMAP}`,
      '--show-only', 'templates/knative-service.yaml', '--show-only', 'templates/configmap-org-config.yaml']);
    await apply(h.kc, objects.filter((o) => o.kind === 'ConfigMap'));
    const rendered = objects.find((o) => o.kind === 'Service') as KubernetesObject & { spec: unknown };
    // A plain create with strict field validation: a field the CRD schema does not declare is an error, not pruned.
    const custom = h.kc.makeApiClient(CustomObjectsApi);
    const ref = { group: 'serving.knative.dev', version: 'v1', namespace: NS.system, plural: 'services' };
    await custom.createNamespacedCustomObject({ ...ref, body: rendered, fieldValidation: 'Strict' });
    const stored = await custom.getNamespacedCustomObject({ ...ref, name: 'meshguard' }) as { spec: unknown };
    assert.deepEqual(stored.spec, rendered.spec);
  });

  it('a VirtualService to a missing subset is denied by a serverless instance that has only a snapshot, through a TLS front', async () => {
    // The mesh: Service reviews and a DestinationRule defining its subset v1 only, in the cluster.
    await h.kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: NS.mesh, body: { metadata: { name: 'reviews' }, spec: { ports: [{ name: 'http', port: 9080 }] } } });
    await createIstio(h.kc, istio('DestinationRule', NS.mesh, 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }));
    // `meshguard snapshot` reads the cluster and writes the ConfigMap (as the admin: the chart grants that write only with config.snapshotOutput).
    const written = await run(process.execPath, [cliPath, 'snapshot', '--kubeconfig', h.cluster.kubeconfig, '--secret-namespaces', SECRET_NAMESPACES.join(','), '-o', `configmap:${NS.system}/${SNAPSHOT_CONFIGMAP}`], { timeout: 120_000 });
    assert.match(written.stdout, /^wrote configmap:meshguard-system\/meshguard-snapshot: \d+ objects, \d+ bytes, sha256:[0-9a-f]{64}, taken /);
    // The instance gets the ConfigMap's key as a file (as the Knative Service mounts it) and nothing else: no kubeconfig.
    const cm = await h.kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: SNAPSHOT_CONFIGMAP, namespace: NS.system });
    const file = path.join(h.tmp, 'snapshot.gz');
    await writeFile(file, Buffer.from(cm.binaryData?.['snapshot.gz'] ?? '', 'base64'));
    instance = await startServerless(h, file);
    front = await tlsFront(h, instance.port);
    const caFile = path.join(h.tmp, 'pki', 'serverless-ca.pem');
    await writeFile(caFile, h.pki.ca.cert);
    await apply(h.kc, await helmTemplate(['--set', 'config.mode=serverless', '--set-string', `webhook.url=${front.url}`, '--set-file', `tls.caBundle=${caFile}`,
      '--show-only', 'templates/mutatingwebhookconfiguration.yaml', '--show-only', 'templates/validatingwebhookconfiguration.yaml']));
    await waitForWebhooks(h.kc);

    const status = await rejection(createIstio(h.kc, istio('VirtualService', NS.mesh, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] })));
    assert.equal(status.code, 403);
    assert.equal(status.message, 'admission webhook "istio.validate.meshguard.io" denied the request: ' + findingLine('vs-subset-exists',
      `VirtualService ${NS.mesh}/reviews routes to subset v2 of host reviews (spec.http[0].route[0].destination), but no DestinationRule for reviews.${NS.mesh}.svc.cluster.local defines it.`,
      FIX['vs-subset-exists'], undefined, 'IST0101'));
    const created = await createIstio(h.kc, istio('VirtualService', NS.mesh, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    assert.equal(created.object.metadata?.name, 'reviews');
    assert.ok(front.requests() >= 3, 'the API server reached meshguard through the TLS front');
  });
});
