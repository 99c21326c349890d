// A small typed builder of OpenAPI v3 structural schemas (the dialect of CRD validation). Each
// builder returns the JSON schema together with a phantom TypeScript type, so one definition
// yields both the CRD YAML (`.json`) and the type (`Infer<typeof schema>`): they cannot drift.
// Pure module.

/** A CEL rule (`x-kubernetes-validations` entry). */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  readonly fieldPath?: string;
  /** Transition rules only: also run when the old object has no value here (k8s ≥ 1.30). */
  readonly optionalOldSelf?: boolean;
}

/** The subset of JSONSchemaProps that we emit. Keys are in the order the YAML shows them. */
export interface JsonSchema {
  readonly description?: string;
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly format?: string;
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema;
  readonly items?: JsonSchema;
  readonly 'x-kubernetes-int-or-string'?: true;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}

/** A schema whose values have TypeScript type T (T exists only at compile time). */
export interface Schema<T> {
  readonly json: JsonSchema;
  /** Phantom: never set; carries T. */
  readonly __type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Options every schema takes. */
export interface Common<T> {
  readonly description?: string;
  readonly default?: T;
  readonly rules?: readonly ValidationRule[];
}

function make<T>(json: JsonSchema, options: Common<T>): Schema<T> {
  const out: Record<string, unknown> = {};
  if (options.description !== undefined) out.description = options.description;
  Object.assign(out, json);
  if (options.default !== undefined) out.default = options.default;
  if (options.rules !== undefined && options.rules.length > 0) out['x-kubernetes-validations'] = options.rules;
  return { json: reorder(out) };
}

const KEY_ORDER: readonly string[] = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'x-kubernetes-validations',
];

function reorder(json: Record<string, unknown>): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (json[key] !== undefined) out[key] = json[key];
  return out as JsonSchema;
}

export interface StringOptions<T extends string = string> extends Common<T> {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}

export function string(options: StringOptions = {}): Schema<string> {
  const { description: _d, default: _v, rules: _r, ...rest } = options;
  return make({ type: 'string', ...rest }, options);
}

export function enumOf<const T extends string>(values: readonly T[], options: Common<T> = {}): Schema<T> {
  return make({ type: 'string', enum: values }, options);
}

export interface NumberOptions extends Common<number> {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: 'int32' | 'int64' | 'double' | 'float';
}

export function integer(options: NumberOptions = {}): Schema<number> {
  const { description: _d, default: _v, rules: _r, ...rest } = options;
  return make({ type: 'integer', format: 'int64', ...rest }, options);
}

export function number(options: NumberOptions = {}): Schema<number> {
  const { description: _d, default: _v, rules: _r, ...rest } = options;
  return make({ type: 'number', ...rest }, options);
}

export function boolean(options: Common<boolean> = {}): Schema<boolean> {
  return make({ type: 'boolean' }, options);
}

export function intOrString(options: Common<string | number> = {}): Schema<string | number> {
  return make({ 'x-kubernetes-int-or-string': true }, options);
}

export interface ArrayOptions<T> extends Common<T[]> {
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
}

export function array<T>(items: Schema<T>, options: ArrayOptions<T> = {}): Schema<T[]> {
  return make(
    {
      type: 'array',
      ...(options.minItems === undefined ? {} : { minItems: options.minItems }),
      ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
      ...(options.listType === undefined ? {} : { 'x-kubernetes-list-type': options.listType }),
      ...(options.listMapKeys === undefined ? {} : { 'x-kubernetes-list-map-keys': options.listMapKeys }),
      items: items.json,
    },
    options,
  );
}

/** A string-keyed map of values of one schema. */
export function record<T>(values: Schema<T>, options: Common<Record<string, T>> = {}): Schema<Record<string, T>> {
  return make({ type: 'object', additionalProperties: values.json }, options);
}

type Props = Readonly<Record<string, Schema<unknown>>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** Required keys as written; the others optional (absent, never `undefined`). */
export type ObjectType<P extends Props, R extends keyof P> = Simplify<
  { [K in R]: Infer<P[K]> } & { [K in Exclude<keyof P, R>]?: Infer<P[K]> }
>;

export interface ObjectOptions<P extends Props, R extends keyof P> extends Common<ObjectType<P, R>> {
  readonly required?: readonly R[];
}

export function object<const P extends Props, const R extends keyof P & string = never>(
  properties: P,
  options: ObjectOptions<P, R> = {},
): Schema<ObjectType<P, R>> {
  const props: Record<string, JsonSchema> = {};
  for (const [key, value] of Object.entries(properties)) props[key] = value.json;
  return make(
    {
      type: 'object',
      ...(options.required === undefined || options.required.length === 0 ? {} : { required: options.required }),
      properties: props,
    },
    options,
  );
}

/** The same schema with a different description, default or rules (the type is kept). */
export function withOptions<T>(schema: Schema<T>, options: Common<T>): Schema<T> {
  const json: Record<string, unknown> = { ...schema.json };
  if (options.description !== undefined) json.description = options.description;
  if (options.default !== undefined) json.default = options.default;
  if (options.rules !== undefined) {
    json['x-kubernetes-validations'] = [...(schema.json['x-kubernetes-validations'] ?? []), ...options.rules];
  }
  return { json: reorder(json) };
}
