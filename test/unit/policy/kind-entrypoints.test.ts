import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeshguardError } from '../../../src/errors.js';
import { kindEntrypointIds, kindEntrypointModules } from '../../../src/policy/kind-entrypoints.js';
import type { RuleCatalog, RuleInfo } from '../../../src/policy/types.js';

function rule(id: string, kinds: string[] | undefined, pkg = `data.meshguard.rules.${id.replace(/-/g, '_')}`): RuleInfo {
  return { id, title: id, severity: 'medium', enforcement: 'warn', package: pkg, ...(kinds ? { kinds } : {}) };
}

function catalog(...rules: RuleInfo[]): RuleCatalog {
  return Object.fromEntries(rules.map((r) => [r.id, r]));
}

describe('per-kind entrypoint generation', () => {
  it('one module per kind with its rules and the rules without kinds; those alone make `other`', () => {
    const { modules, entrypoints } = kindEntrypointModules(catalog(
      rule('vs-a', ['VirtualService']),
      rule('any-b', undefined),
      rule('pod-c', ['Pod', 'Deployment']),
      rule('gw-d', ['KubernetesGateway']),
    ));
    assert.deepEqual(entrypoints, [
      'meshguard/kinds/Deployment/violations', 'meshguard/kinds/Gateway/violations', 'meshguard/kinds/Pod/violations',
      'meshguard/kinds/VirtualService/violations', 'meshguard/kinds/other/violations',
    ]);
    assert.deepEqual(modules.map((m) => m.file), ['Deployment.rego', 'Gateway.rego', 'Pod.rego', 'VirtualService.rego', 'other.rego']);
    assert.equal(modules[3]?.rego, [
      'package meshguard.kinds.VirtualService',
      '',
      'violations contains out if {',
      '\tsome v in data.meshguard.rules.vs_a.violation',
      '\tout := data.meshguard.main.shaped(v)',
      '}',
      '',
      'violations contains out if {',
      '\tsome v in data.meshguard.rules.any_b.violation',
      '\tout := data.meshguard.main.shaped(v)',
      '}',
      '',
    ].join('\n'));
    assert.match(modules[4]?.rego ?? '', /^package meshguard\.kinds\.other\n\nviolations contains out if \{\n\tsome v in data\.meshguard\.rules\.any_b\.violation\n/);
  });

  it('no `other` entrypoint when every rule names its kinds; packages outside data.meshguard.rules are left out', () => {
    const { entrypoints, modules } = kindEntrypointModules(catalog(rule('vs-a', ['VirtualService']), rule('x', ['Pod'], 'data.elsewhere.x')));
    assert.deepEqual(entrypoints, ['meshguard/kinds/VirtualService/violations']);
    assert.equal(modules.length, 1);
  });

  it('a package segment that is not an identifier is quoted', () => {
    const { modules } = kindEntrypointModules(catalog(rule('odd', ['Pod'], 'data.meshguard.rules.odd-name')));
    assert.match(modules[0]?.rego ?? '', /some v in data\.meshguard\.rules\["odd-name"\]\.violation/);
  });

  it('a kind that cannot be a Rego path fails the build naming the rule', () => {
    assert.throws(() => kindEntrypointModules(catalog(rule('bad', ['Pod; x']))), (err: unknown) =>
      err instanceof MeshguardError && err.code === 'MG_ERR_POLICY_BUILD' && err.message === 'rule bad: kind "Pod; x" in METADATA custom.kinds is not a Kubernetes kind name');
  });

  it('reads the kinds back from a compiled policy\'s entrypoints; none for a bundle built without them', () => {
    assert.deepEqual(kindEntrypointIds({ 'meshguard/main/violations': 0, 'meshguard/kinds/Pod/violations': 1, 'meshguard/kinds/other/violations': 2 }), new Map([['Pod', 1], ['other', 2]]));
    assert.equal(kindEntrypointIds({ 'meshguard/main/violations': 0 }), undefined);
  });
});
