import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { cliPath, repoRoot } from '../support/paths.js';

function cli(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const permissive = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
spec:
  mtls:
    mode: STRICT
  portLevelMtls:
    8080:
      mode: PERMISSIVE
`;
const strict = permissive.split('  portLevelMtls:')[0] as string;
/** A date within the default 90-day exemption horizon. */
const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const exemptionObject = `apiVersion: policy.meshguard.io/v1alpha1
kind: Exemption
metadata:
  name: legacy-mtls
spec:
  rules: [pa-strict-mtls]
  owner: sec@example.com
  reason: legacy clients during the migration
  expires: "${soon}"
  match:
    namespaces: [default]
    kinds: [PeerAuthentication]
`;
const permissiveMessage = 'PeerAuthentication default/default sets mtls.mode PERMISSIVE on port 8080; only STRICT or UNSET is allowed';
const FIELD = 'spec.portLevelMtls[8080].mode';
const FIX = 'Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry.';
const LOCKED = 'not exemptible (locked by the org config; only its exemptions.entries apply)';
/** The text line of the pa-strict-mtls finding, with what follows "Exempt" (or "Exempted"). */
const permissiveLine = (tag: string, exempt: string) => `  ${tag} [pa-strict-mtls] ${permissiveMessage} (${FIELD}). Fix: ${FIX} ${exempt}. See docs/rules.md#pa-strict-mtls`;

describe('meshguard check', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-check-'));
    await writeFile(path.join(dir, 'permissive.yaml'), permissive);
    await writeFile(path.join(dir, 'strict.yaml'), strict);
    await writeFile(path.join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n');
    await writeFile(path.join(dir, 'exempt.yaml'), permissive.replace('  name: default\n', `  name: default\n  annotations:\n    meshguard.io/exempt: '{"rules":["pa-strict-mtls"],"owner":"sec@example.com","expires":"${soon}"}'\n`));
    await writeFile(path.join(dir, 'unlocked.yaml'), 'rules:\n  pa-strict-mtls:\n    locked: false\n');
    await writeFile(path.join(dir, 'with-exemption.yaml'), `${permissive}---\n${exemptionObject}`);
  });

  it('exits 1 and prints the denial as text', () => {
    const r = cli(['check', path.join(dir, 'permissive.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, [
      `DENIED PeerAuthentication default/default (${path.join(dir, 'permissive.yaml')}:1)`,
      permissiveLine('deny  ', `Exempt: ${LOCKED}`),
      '1 objects checked: 1 denied, 0 warnings',
      '',
    ].join('\n'));
  });

  it('prints the documented JSON shape', () => {
    const r = cli(['check', '--output', 'json', '--namespace', 'prod', path.join(dir, 'permissive.yaml')]);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), {
      results: [{
        file: path.join(dir, 'permissive.yaml'), line: 1, apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'default', allowed: false,
        violations: [{
          id: 'pa-strict-mtls', enforcement: 'deny', exempt: false, message: 'PeerAuthentication prod/default sets mtls.mode PERMISSIVE on port 8080; only STRICT or UNSET is allowed',
          field: FIELD, fix: FIX, docs: 'docs/rules.md#pa-strict-mtls', exemptHow: LOCKED,
        }],
      }],
    });
  });

  it('exits 0 for compliant input read from stdin', () => {
    const r = cli(['check', '-'], strict);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1 objects checked: 0 denied, 0 warnings\n');
  });

  it('reports exempted violations marked exempt with source, owner and expiry, and exits 0', () => {
    const r = cli(['check', '--output', 'json', '--org-config', path.join(dir, 'unlocked.yaml'), path.join(dir, 'exempt.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const v = JSON.parse(r.stdout).results[0].violations;
    assert.deepEqual(v, [{
      id: 'pa-strict-mtls', enforcement: 'deny', exempt: true, exemptReason: `exempt until ${soon} (owner sec@example.com)`,
      exemptSource: 'annotation', exemptOwner: 'sec@example.com', exemptExpires: soon, message: permissiveMessage,
      field: FIELD, fix: FIX, docs: 'docs/rules.md#pa-strict-mtls',
    }]);
  });

  it('never lets an annotation exempt a locked rule, and says so', () => {
    const r = cli(['check', path.join(dir, 'exempt.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, [
      `DENIED PeerAuthentication default/default (${path.join(dir, 'exempt.yaml')}:1)`,
      permissiveLine('deny  ', `Exempt: ${LOCKED}; meshguard.io/exempt ignored: rule pa-strict-mtls is locked`),
      '1 objects checked: 1 denied, 0 warnings',
      '',
    ].join('\n'));
  });

  it('honours an Exemption object given with the files, placed in meshguard namespace', () => {
    const r = cli(['check', '--org-config', path.join(dir, 'unlocked.yaml'), path.join(dir, 'with-exemption.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      `ok     PeerAuthentication default/default (${path.join(dir, 'with-exemption.yaml')}:1)`,
      permissiveLine('exempt', `Exempted: resource: exempt by Exemption meshguard-system/legacy-mtls until ${soon} (owner sec@example.com)`),
      '2 objects checked: 0 denied, 0 warnings',
      '',
    ].join('\n'));
  });

  it('refuses an Exemption object for a locked rule, as the webhook does', () => {
    const r = cli(['check', path.join(dir, 'with-exemption.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, [
      `DENIED PeerAuthentication default/default (${path.join(dir, 'with-exemption.yaml')}:1)`,
      permissiveLine('deny  ', `Exempt: ${LOCKED}; Exemption meshguard-system/legacy-mtls ignored: rule pa-strict-mtls is locked`),
      `DENIED Exemption meshguard-system/legacy-mtls (${path.join(dir, 'with-exemption.yaml')}:11)`,
      '  deny   [meshguard-exemption-authorization] Exemption meshguard-system/legacy-mtls is refused: rule pa-strict-mtls is locked and cannot be exempted (spec). '
        + 'Fix: Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon. '
        + 'Exempt: never (this check guards exemptions). See docs/rules.md#meshguard-exemption-authorization',
      '2 objects checked: 2 denied, 0 warnings',
      '',
    ].join('\n'));
  });

  it('exits 2 on unreadable input, naming the file and line', () => {
    const r = cli(['check', path.join(dir, 'broken.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^meshguard: MG_ERR_INPUT_UNREADABLE: ${path.join(dir, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: Nested mappings`));
    assert.equal(cli(['check', path.join(dir, 'missing.yaml')]).code, 2);
  });

  it('reports IST0101 for a VirtualService whose subset no given DestinationRule defines, and passes with it', () => {
    const seed = (f: string) => path.join(repoRoot, '..', 'shared', 'data', 'seed-examples', f);
    const alone = cli(['check', '--output', 'json', seed('3.1-virtualservice-weighted.yaml')]);
    assert.equal(alone.code, 1);
    const [vs] = JSON.parse(alone.stdout).results;
    assert.deepEqual(vs.violations.map((v: { id: string; istioCode: string; enforcement: string }) => [v.id, v.istioCode, v.enforcement]), [
      ['vs-subset-exists', 'IST0101', 'deny'], ['vs-subset-exists', 'IST0101', 'deny'],
    ]);
    const both = cli(['check', seed('3.1-virtualservice-weighted.yaml'), seed('3.2-destinationrule-subsets.yaml')]);
    assert.equal(both.code, 0, both.stdout);
  });

  it('keeps an Istio Gateway and a Kubernetes Gateway of the same name apart: each declares its own hosts', async () => {
    const gatewayFile = path.join(dir, 'gateways.yaml');
    const vs = (name: string, host: string, gateways: string[]): string => [
      'apiVersion: networking.istio.io/v1', 'kind: VirtualService', `metadata: {name: ${name}, namespace: prod}`,
      `spec: {hosts: [${host}], gateways: [${gateways.join(', ')}], http: [{route: [{destination: {host: ${name}}}]}]}`,
    ].join('\n');
    await writeFile(gatewayFile, [
      'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: shared, namespace: infra}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*/shop.example.com"], tls: {mode: SIMPLE, credentialName: shop-cert}}]',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: shared, namespace: infra}\nspec:\n  gatewayClassName: istio\n  listeners: [{name: http, hostname: api.example.com, port: 80, protocol: HTTP}]',
      vs('shop', 'shop.example.com', ['infra/shared']), vs('api', 'api.example.com', ['infra/shared']), vs('other', 'other.example.com', ['infra/shared', 'infra/nowhere']),
    ].join('\n---\n'));
    const r = cli(['check', '--output', 'json', gatewayFile]);
    assert.equal(r.code, 1, r.stderr);
    const results = (JSON.parse(r.stdout) as { results: Array<{ apiVersion: string; name: string; allowed: boolean; violations: Array<{ id: string; message: string }> }> }).results;
    assert.deepEqual(results.map((x) => [x.apiVersion, x.name, x.allowed, x.violations.map((v) => `[${v.id}] ${v.message}`)]), [
      ['networking.istio.io/v1', 'shared', true, []],
      ['gateway.networking.k8s.io/v1', 'shared', true, []],
      ['networking.istio.io/v1', 'shop', true, []],
      ['networking.istio.io/v1', 'api', true, []],
      ['networking.istio.io/v1', 'other', false, [
        '[vs-gateway-exists] VirtualService prod/other is bound to gateway infra/nowhere (spec.gateways[1]), but Gateway infra/nowhere does not exist',
        '[vs-gateway-host-declared] VirtualService prod/other is bound to gateway infra/shared, which declares none of its hosts other.example.com',
      ]],
    ]);
  });

  it('warns about fields the API server would drop (CRD schema)', () => {
    const r = cli(['check', '--output', 'json', path.join(repoRoot, '..', 'shared', 'data', 'seed-examples', '7.2-destinationrule-connection-pool.yaml')]);
    const unknown = JSON.parse(r.stdout).results[0].violations.filter((v: { id: string }) => v.id === 'schema-unknown-field');
    assert.deepEqual(unknown.map((v: { message: string }) => v.message), [
      'DestinationRule default/connection-pool: field spec.trafficPolicy.connectionPool.http.maxConnections is not in the networking.istio.io/v1alpha3 DestinationRule schema; the API server drops it silently',
      'DestinationRule default/connection-pool: field spec.trafficPolicy.connectionPool.http.maxPendingRequests is not in the networking.istio.io/v1alpha3 DestinationRule schema; the API server drops it silently',
    ]);
    assert.ok(unknown.every((v: { enforcement: string }) => v.enforcement === 'warn'));
  });

  it('validates against another CRD file with --crds (a field only newer Istio knows)', () => {
    const file = path.join(repoRoot, '..', 'shared', 'data', 'istio-samples', 'crd-schema-valid', 'destinationrule-valid.yaml');
    const ids = (args: string[]) => JSON.parse(cli(['check', '--output', 'json', ...args, file]).stdout).results
      .flatMap((r: { violations: Array<{ id: string; message: string }> }) => r.violations.filter((v) => v.id === 'schema-unknown-field').map((v) => v.message));
    assert.deepEqual(ids([]), ['DestinationRule default/bookinfo-ratings-http2-ping: field spec.trafficPolicy.connectionPool.http.http2KeepAlive is not in the networking.istio.io/v1 DestinationRule schema; the API server drops it silently']);
    assert.deepEqual(ids(['--crds', path.join(repoRoot, '..', 'shared', 'data', 'istio-crds', 'master', 'crd-all.gen.yaml')]), []);
    const missing = cli(['check', '--crds', '/nonexistent.yaml', file]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^meshguard: MG_ERR_INPUT_UNREADABLE: cannot read CRD file \/nonexistent.yaml/);
  });
});

describe("meshguard check reads Istio's mesh config from an IstioOperator", () => {
  it('an IstioOperator given with the files supplies extensionProviders to ap-custom-provider', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-iop-'));
    await writeFile(path.join(dir, 'org.yaml'), 'rules:\n  ap-custom-provider:\n    params:\n      customProviders: [opa-authz]\n');
    const iop = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: installed-state
  namespace: istio-system
spec:
  meshConfig:
    extensionProviders:
      - name: ext-authz-grpc
        envoyExtAuthzGrpc: {service: ext.authz.svc.cluster.local, port: 9191}
`;
    const ap = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ext
  namespace: prod
spec:
  action: CUSTOM
  provider:
    name: opa-authz
  rules:
    - to:
        - operation:
            paths: ["/admin"]
`;
    await writeFile(path.join(dir, 'iop.yaml'), iop);
    await writeFile(path.join(dir, 'ap.yaml'), ap);
    const denied = cli(['check', '--org-config', path.join(dir, 'org.yaml'), '--output', 'json', path.join(dir, 'ap.yaml'), path.join(dir, 'iop.yaml')]);
    assert.equal(denied.code, 1, denied.stderr);
    const { results } = JSON.parse(denied.stdout) as { results: Array<{ kind: string; allowed: boolean; violations: Array<{ id: string; message: string }> }> };
    assert.deepEqual(results.filter((r) => r.kind === 'AuthorizationPolicy').map((r) => ({ allowed: r.allowed, violations: r.violations.map((v) => [v.id, v.message]) })), [{
      allowed: false,
      violations: [['ap-custom-provider', 'AuthorizationPolicy prod/ext uses CUSTOM provider "opa-authz", which the mesh config does not define (extensionProviders ["ext-authz-grpc"])']],
    }]);
    const alone = cli(['check', '--org-config', path.join(dir, 'org.yaml'), path.join(dir, 'ap.yaml')]);
    assert.equal(alone.code, 0, alone.stdout + alone.stderr);
  });
});
