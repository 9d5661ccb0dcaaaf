import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_ORG_CONFIG, DEFAULT_ORG_CONFIG_CACHE, deepMerge, loadOrgConfig } from '../../src/org-config.js';

async function file(text: string): Promise<string> {
  const f = path.join(await mkdtemp(path.join(os.tmpdir(), 'meshguard-org-')), 'org.yaml');
  await writeFile(f, text);
  return f;
}

describe('org config', () => {
  it('the build cache holds exactly the shipped YAML defaults', async () => {
    const fromYaml = parse(readFileSync(DEFAULT_ORG_CONFIG, 'utf8'));
    assert.deepEqual(JSON.parse(readFileSync(DEFAULT_ORG_CONFIG_CACHE, 'utf8')).value, fromYaml);
    assert.deepEqual((await loadOrgConfig()).raw, fromYaml);
  });

  it('deep-merges a user file: mappings key by key, lists and scalars replace', async () => {
    const org = await loadOrgConfig(await file('rules:\n  vs-wildcard-host:\n    enforcement: warn\nexemptions:\n  entries:\n    - namespaces: [legacy]\n'));
    const rules = org.raw.rules as Record<string, { enforcement?: string; params?: unknown }>;
    assert.equal(rules['vs-wildcard-host']?.enforcement, 'warn');
    assert.deepEqual(rules['vs-wildcard-host']?.params, (parse(readFileSync(DEFAULT_ORG_CONFIG, 'utf8')).rules['vs-wildcard-host'] ?? {}).params);
    assert.deepEqual(org.exemptions.entries, [{ namespaces: ['legacy'] }]);
    assert.deepEqual(deepMerge({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] } }), { a: { b: 1, c: [3] } });
  });

  it('names the bad part of an invalid file', async () => {
    await assert.rejects(loadOrgConfig(await file('- a list\n')), { code: 'MG_ERR_ORG_CONFIG_INVALID', message: /must be a YAML mapping$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  entries:\n    - rules: [x]\n')), { message: /exemptions.entries\[0\] needs namespaces or selector$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  entries:\n    - namespaces: legacy\n')), { message: /exemptions.entries\[0\].namespaces must be a list of strings$/ });
    await assert.rejects(loadOrgConfig('/nonexistent/org.yaml'), { message: /^cannot read org config \/nonexistent\/org.yaml/ });
  });

  it('parses who may grant exemptions, the horizon and the locked rules, with safe defaults', async () => {
    const defaults = (await loadOrgConfig()).exemptions;
    assert.deepEqual(defaults.granters, { users: [], groups: ['system:masters'] });
    assert.equal(defaults.horizonDays, 90);
    assert.deepEqual([...defaults.locked].sort(), ['ap-allow-all', 'ap-wildcard-source', 'dr-mtls-conflict', 'dr-tls-disable-in-mesh', 'pa-strict-mtls', 'pod-uid-1337']);
    assert.equal(defaults.namespaceLabel, 'meshguard.io/enforcement');
    assert.deepEqual(defaults.workloadControllers, [
      'system:kube-controller-manager', 'system:serviceaccount:kube-system:replicaset-controller', 'system:serviceaccount:kube-system:deployment-controller',
      'system:serviceaccount:kube-system:statefulset-controller', 'system:serviceaccount:kube-system:daemon-set-controller',
      'system:serviceaccount:kube-system:job-controller', 'system:serviceaccount:kube-system:cronjob-controller',
    ]);
    const org = await loadOrgConfig(await file('exemptions:\n  granters:\n    users: [system:serviceaccount:argocd:argocd-application-controller]\n    groups: []\n  horizonDays: 30\nrules:\n  pa-strict-mtls:\n    locked: false\n'));
    assert.deepEqual(org.exemptions.granters, { users: ['system:serviceaccount:argocd:argocd-application-controller'], groups: [] });
    assert.equal(org.exemptions.horizonDays, 30);
    assert.equal(org.exemptions.locked.has('pa-strict-mtls'), false);
  });

  it('fails on a bad granter list, horizon or lock, naming the key', async () => {
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  granters:\n    groups: admins\n')), { code: 'MG_ERR_ORG_CONFIG_INVALID', message: /exemptions.granters.groups must be a list of strings$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  granters:\n    group: [admins]\n')), { message: /exemptions.granters.group is not a known key \(users, groups\)$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  granters:\n    users: [""]\n')), { message: /exemptions.granters.users must not contain empty names$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  workloadControllers: [""]\n')), { message: /exemptions.workloadControllers must not contain empty names$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  horizonDays: null\n')), { message: /exemptions.horizonDays must be a whole number of days from 1 to 3650$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  horizonDays: 0\n')), { message: /exemptions.horizonDays must be a whole number of days from 1 to 3650$/ });
    await assert.rejects(loadOrgConfig(await file('exemptions:\n  horizonDays: "90"\n')), { message: /exemptions.horizonDays must be a whole number of days from 1 to 3650$/ });
    await assert.rejects(loadOrgConfig(await file('rules:\n  pa-strict-mtls:\n    locked: "yes"\n')), { message: /rules.pa-strict-mtls.locked must be true or false$/ });
  });
});
