/**
 * exportTo visibility as Istio reads it (the same answers as `istio.visible` in Rego;
 * policies/lib/testdata/mesh/exportto/data.json is the table both run).
 */
import { isRecord, type KubeObject } from '../inventory/objects.js';

/** The mesh config's default exportTo lists (each `["*"]` when unset). */
export interface ExportDefaults {
  readonly defaultServiceExportTo?: readonly string[];
  readonly defaultVirtualServiceExportTo?: readonly string[];
  readonly defaultDestinationRuleExportTo?: readonly string[];
}

const DEFAULT_KEY: Record<string, keyof ExportDefaults> = {
  Service: 'defaultServiceExportTo',
  ServiceEntry: 'defaultServiceExportTo',
  VirtualService: 'defaultVirtualServiceExportTo',
  DestinationRule: 'defaultDestinationRuleExportTo',
};

function declaredExports(obj: KubeObject): string[] {
  if (obj.kind === 'Service') {
    const text = obj.metadata?.annotations?.['networking.istio.io/exportTo'];
    return typeof text === 'string' ? text.split(',').map((e) => e.trim()).filter((e) => e !== '') : [];
  }
  const list = isRecord(obj.spec) ? obj.spec.exportTo : undefined;
  return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
}

/**
 * True when the object (Service, ServiceEntry, VirtualService, DestinationRule) is exported to
 * namespace `from`: `*` everywhere, `.` its own namespace, `~` nowhere, any other entry names a
 * namespace. No list means the mesh config's default for the kind, itself `*` when unset.
 */
export function visible(obj: KubeObject, from: string, defaults: ExportDefaults = {}): boolean {
  const declared = declaredExports(obj);
  const key = obj.kind === undefined ? undefined : DEFAULT_KEY[obj.kind];
  const list = declared.length > 0 ? declared : (key && defaults[key]) || ['*'];
  const own = obj.metadata?.namespace ?? '';
  return list.some((e) => e === '*' || (e === '.' && own === from) || (!['*', '.', '~'].includes(e) && e === from));
}
