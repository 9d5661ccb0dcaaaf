/**
 * Per-kind entrypoints. Every rule declares the kinds it judges (METADATA `custom.kinds`); the
 * build generates one entrypoint per kind, `meshguard/kinds/<Kind>/violations`, holding only the
 * rules of that kind plus the rules that declare no kinds, so a request is evaluated against its own
 * kind's rules instead of all of them. Rules without kinds alone make `meshguard/kinds/other`, the
 * entrypoint of every kind no rule names; when there are none, such a kind needs no evaluation.
 * Each entrypoint shapes violations with `data.meshguard.main.shaped`, the function the full
 * entrypoint (`meshguard/main/violations`) uses, so both give the same decisions.
 */
import { KUBERNETES_GATEWAY_KIND } from '../inventory/kinds.js';
import { ErrorCodes, MeshguardError } from '../errors.js';
import type { RuleCatalog } from './types.js';

/** Prefix of every per-kind entrypoint. */
export const KIND_ENTRYPOINT_PREFIX = 'meshguard/kinds/';
/** The entrypoint name segment of the rules without kinds (kinds are PascalCase, never this). */
export const OTHER_KINDS = 'other';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RULES_PREFIX = 'data.meshguard.rules.';

/** The entrypoint of one kind (or of {@link OTHER_KINDS}). */
export function kindEntrypoint(kind: string): string {
  return `${KIND_ENTRYPOINT_PREFIX}${kind}/violations`;
}

/**
 * The kind a request is evaluated as: its `request.kind.kind`. A Gateway API Gateway comes as
 * `Gateway` too, so the catalog's `KubernetesGateway` joins the `Gateway` entrypoint (rules check
 * the group themselves; a superset of rules never changes a decision).
 */
export function entryKind(kind: string): string {
  return kind === KUBERNETES_GATEWAY_KIND ? 'Gateway' : kind;
}

/** One generated module: its file name and Rego text. */
export interface KindModule {
  file: string;
  rego: string;
}

/**
 * The generated Rego modules and the entrypoint names, from the catalog. Throws
 * MG_ERR_POLICY_BUILD for a kind or package name that cannot be a Rego path.
 */
export function kindEntrypointModules(catalog: RuleCatalog): { modules: KindModule[]; entrypoints: string[] } {
  const byKind = new Map<string, string[]>();
  const anyKind: string[] = [];
  for (const info of Object.values(catalog).sort((a, b) => a.id.localeCompare(b.id))) {
    if (!info.package.startsWith(RULES_PREFIX)) continue;
    const kinds = info.kinds ?? [];
    if (kinds.length === 0) anyKind.push(info.package);
    for (const raw of new Set(kinds.map(entryKind))) {
      if (!IDENT.test(raw) || raw === OTHER_KINDS) {
        throw new MeshguardError(ErrorCodes.POLICY_BUILD, `rule ${info.id}: kind ${JSON.stringify(raw)} in METADATA custom.kinds is not a Kubernetes kind name`);
      }
      byKind.set(raw, [...(byKind.get(raw) ?? []), info.package]);
    }
  }
  const groups = [...[...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, pkgs]) => [kind, [...pkgs, ...anyKind]] as const)];
  if (anyKind.length > 0) groups.push([OTHER_KINDS, anyKind]);
  return {
    modules: groups.map(([kind, pkgs]) => ({ file: `${kind}.rego`, rego: moduleText(kind, pkgs) })),
    entrypoints: groups.map(([kind]) => kindEntrypoint(kind)),
  };
}

function moduleText(kind: string, packages: readonly string[]): string {
  const bodies = packages.map((pkg) => `violations contains out if {\n\tsome v in ${regoRef(pkg)}.violation\n\tout := data.meshguard.main.shaped(v)\n}\n`);
  return `package meshguard.kinds.${kind}\n\n${bodies.join('\n')}`;
}

/** `data.meshguard.rules.<pkg>` as a Rego reference (a segment that is no identifier is quoted). */
function regoRef(pkg: string): string {
  const [head, ...rest] = pkg.split('.');
  return head + rest.map((seg) => (IDENT.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`)).join('');
}

/**
 * Maps the entrypoints a compiled policy exposes to kinds. `undefined` when the bundle has no
 * per-kind entrypoints (built before them): every request then takes the full entrypoint.
 */
export function kindEntrypointIds(entrypoints: Record<string, number>): Map<string, number> | undefined {
  const ids = new Map<string, number>();
  for (const [name, id] of Object.entries(entrypoints)) {
    if (!name.startsWith(KIND_ENTRYPOINT_PREFIX) || !name.endsWith('/violations')) continue;
    ids.set(name.slice(KIND_ENTRYPOINT_PREFIX.length, -'/violations'.length), id);
  }
  return ids.size > 0 ? ids : undefined;
}
