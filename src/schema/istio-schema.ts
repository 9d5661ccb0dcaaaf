import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { packageRoot } from '../policy/opa-binary.js';
import type { Violation } from '../policy/types.js';

/** The Istio CRDs meshguard ships (release 1.30.3). */
export const ISTIO_CRDS = path.join(packageRoot, 'crds', 'istio', 'crd-all.gen.yaml');
/** The Gateway API CRDs meshguard ships (v1.6.1, standard channel), one file per CRD. */
export const GATEWAY_API_CRDS = path.join(packageRoot, 'crds', 'gateway-api');

type Schema = Record<string, unknown>;

/** A CRD schema and the name of the release it came from (for messages). */
interface SourcedSchema {
  schema: Schema;
  release: string;
}

/**
 * Keywords whose schemas are left as written: value lists, and the value validations of
 * oneOf/anyOf/allOf/not, whose `properties` only constrain values (the API server prunes by the
 * structural schema outside them, e.g. a Gateway API address that is either an IPAddress with an
 * IP value or another type with any value).
 */
const KEPT_AS_WRITTEN = new Set(['enum', 'required', 'oneOf', 'anyOf', 'allOf', 'not']);

/**
 * Kubernetes prunes fields a structural schema does not declare: an object schema with
 * `properties` and neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields`
 * silently drops anything else. Marking those `additionalProperties: false` lets a JSON-schema
 * validator report exactly the fields the API server would drop.
 */
export function closeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeSchema);
  if (!isRecord(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = KEPT_AS_WRITTEN.has(k) ? v : closeSchema(v);
  if (isRecord(schema.properties) && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** Loads every CRD version's schema from a CRD file into `schemas`, keyed `group/version/Kind`. */
function loadSchemas(file: string, release: string, schemas: Map<string, SourcedSchema>): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `cannot read CRD file ${file}: ${describeError(err)}`);
  }
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const v of crd.spec.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (schema) schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, { schema, release });
    }
  }
}

/** The YAML files of a CRD directory, in name order. */
function crdFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
  } catch (err) {
    throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `cannot read CRD directory ${dir}: ${describeError(err)}`);
  }
}

function describe(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}`;
}

function fieldPath(err: ErrorObject): string {
  const base = err.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('').replace(/^\./, '');
  const extra = err.keyword === 'additionalProperties' ? (err.params as { additionalProperty: string }).additionalProperty : '';
  return [base, extra].filter(Boolean).join('.');
}

/**
 * A checker for `meshguard check`: validates Istio objects against the shipped Istio CRD schemas
 * (or those of `file`) and Gateway API objects against the shipped Gateway API CRDs (or those of
 * `gatewayApiDir`) with ajv, and returns warn-level violations — `schema-unknown-field` for fields
 * the API server drops silently, `schema-invalid` for values the schema rejects. Other kinds
 * return nothing.
 */
export function schemaChecker(file = ISTIO_CRDS, gatewayApiDir = GATEWAY_API_CRDS): (object: KubeObject) => Violation[] {
  const schemas = new Map<string, SourcedSchema>();
  loadSchemas(file, file === ISTIO_CRDS ? 'the Istio CRDs (release 1.30.3)' : `the CRDs in ${file}`, schemas);
  const gatewayApi = gatewayApiDir === GATEWAY_API_CRDS ? 'the Gateway API CRDs (v1.6.1 standard)' : `the CRDs in ${gatewayApiDir}`;
  for (const f of crdFiles(gatewayApiDir)) loadSchemas(f, gatewayApi, schemas);
  const releases = new Map([...schemas].map(([k, v]) => [k.split('/')[0], v.release]));
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  // Istio serves the same schema under several versions: compile each distinct schema once.
  const compiled = new Map<string, ValidateFunction>();
  const bySchema = new Map<string, ValidateFunction>();
  return (object) => {
    const [group, version] = (object.apiVersion ?? '').split('/');
    const release = group ? releases.get(group) : undefined;
    if (!version || !release) return [];
    const key = `${group}/${version}/${object.kind}`;
    const schema = schemas.get(key)?.schema;
    if (!schema) {
      return [{ id: 'schema-invalid', enforcement: 'warn', details: { apiVersion: object.apiVersion },
        message: `${describe(object)}: ${object.apiVersion} ${object.kind} is not served by ${release}` }];
    }
    let validate = compiled.get(key);
    if (!validate) {
      const text = JSON.stringify(schema);
      validate = bySchema.get(text);
      if (!validate) {
        const { metadata: _metadata, ...rest } = (closeSchema(schema) as { properties?: Schema }).properties ?? {};
        validate = ajv.compile({ type: 'object', properties: { ...rest, spec: rest.spec ?? {}, status: rest.status ?? {} } });
        bySchema.set(text, validate);
      }
      compiled.set(key, validate);
    }
    if (validate(object) as boolean) return [];
    const seen = new Set<string>();
    const out: Violation[] = [];
    for (const err of validate.errors ?? []) {
      if (err.keyword === 'oneOf' || err.keyword === 'anyOf' || err.keyword === 'not') continue;
      const field = fieldPath(err);
      const unknown = err.keyword === 'additionalProperties';
      const id = unknown ? 'schema-unknown-field' : 'schema-invalid';
      if (seen.has(`${id}:${field}`)) continue;
      seen.add(`${id}:${field}`);
      out.push({
        id, enforcement: 'warn', details: { field, apiVersion: object.apiVersion },
        message: unknown
          ? `${describe(object)}: field ${field} is not in the ${object.apiVersion} ${object.kind} schema; the API server drops it silently`
          : `${describe(object)}: field ${field || '(root)'} ${err.message ?? 'is invalid'}`,
      });
    }
    return out;
  };
}
