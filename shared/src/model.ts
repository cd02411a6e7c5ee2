/**
 * The LwM2M object model: object and resource definitions as published in OMA DDF files
 * (LWM2M.xsd: <Object><Resources><Item ID=…>). Pure data and pure look-ups, shared by the
 * bridge (codecs, downlink operations) and the console (labels, forms).
 */

import type { LwM2MValueType } from './values.js';

/** DDF `<Type>` values; `none` is an empty `<Type/>` (executable resources). */
export type ResourceType =
  | 'String'
  | 'Integer'
  | 'Unsigned Integer'
  | 'Float'
  | 'Boolean'
  | 'Opaque'
  | 'Time'
  | 'Objlnk'
  | 'Corelnk'
  | 'none';

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'String',
  'Integer',
  'Unsigned Integer',
  'Float',
  'Boolean',
  'Opaque',
  'Time',
  'Objlnk',
  'Corelnk',
  'none',
];

/** DDF `<Operations>`: read, write, read-write, execute, or none (bootstrap-only). */
export type ResourceOperations = 'R' | 'W' | 'RW' | 'E' | '';

export interface ResourceDefinition {
  id: number;
  name: string;
  operations: ResourceOperations;
  multipleInstances: boolean;
  mandatory: boolean;
  type: ResourceType;
  rangeEnumeration: string;
  units: string;
  description: string;
}

export interface ObjectDefinition {
  id: number;
  name: string;
  /** `<ObjectVersion>`, `1.0` when the file has none (LwM2M 1.1 §5.1.2). */
  version: string;
  /** `<LWM2MVersion>` the object was published for, `1.0` when absent. */
  lwm2mVersion: string;
  multipleInstances: boolean;
  mandatory: boolean;
  description: string;
  urn?: string;
  resources: ResourceDefinition[];
}

/**
 * The object definitions in force for one device, keyed by object id.
 * A plain record so it can be sent to the console as JSON.
 */
export type ObjectModel = Readonly<Record<number, ObjectDefinition>>;

/**
 * Which Server-object (id 1) numbering a device uses: the published LwM2M 1.0+ one,
 * or the pre-1.0 draft of the seed change request (Disable = 7, Disable Timeout = 8).
 */
export type ModelLayout = 'published' | 'draft';

/** The value kind a resource type decodes to. `none` has no value. */
export function valueTypeOf(type: ResourceType): LwM2MValueType | undefined {
  switch (type) {
    case 'String':
      return 'string';
    case 'Integer':
      return 'integer';
    case 'Unsigned Integer':
      return 'unsigned';
    case 'Float':
      return 'float';
    case 'Boolean':
      return 'boolean';
    case 'Opaque':
      return 'opaque';
    case 'Time':
      return 'time';
    case 'Objlnk':
      return 'objlnk';
    case 'Corelnk':
      return 'corelnk';
    case 'none':
      return undefined;
    default: {
      const never: never = type;
      return never;
    }
  }
}

/**
 * Resource names compared without case, spaces, hyphens or underscores, so the draft's
 * "DisableTimeout" finds the published "Disable Timeout".
 */
export function normaliseResourceName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-]+/g, '');
}

/** Definition of one resource in a model, or undefined. */
export function findResource(
  model: ObjectModel,
  objectId: number,
  resourceId: number,
): ResourceDefinition | undefined {
  return model[objectId]?.resources.find((r) => r.id === resourceId);
}

/**
 * Find a resource by NAME in the object model in force for a device. The Disable flow
 * uses this and never a hard-coded number: the seed's draft numbers Disable 7, the
 * published LwM2M 1.0 numbers it 4 and has Binding at 7.
 */
export function resolveResource(
  model: ObjectModel,
  objectId: number,
  name: string,
): ResourceDefinition | undefined {
  const wanted = normaliseResourceName(name);
  return model[objectId]?.resources.find((r) => normaliseResourceName(r.name) === wanted);
}
