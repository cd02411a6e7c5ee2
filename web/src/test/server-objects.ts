/** LwM2M Server object (1) definitions in both numberings (seed README table), for web tests. */
import type { ObjectDefinition, ResourceDefinition, ResourceOperations, ResourceType } from '@lwm2m-console/shared';

const res = (id: number, name: string, operations: ResourceOperations, type: ResourceType, units = ''): ResourceDefinition => ({
  id,
  name,
  operations,
  multipleInstances: false,
  mandatory: false,
  type,
  rangeEnumeration: '',
  units,
  description: '',
});

const server = (version: string, resources: ResourceDefinition[]): ObjectDefinition => ({
  id: 1,
  name: 'LwM2M Server',
  version,
  lwm2mVersion: version,
  multipleInstances: true,
  mandatory: true,
  description: '',
  resources,
});

/** Published LwM2M 1.1: Disable 4, Disable Timeout 5, Binding 7, Registration Update Trigger 8. */
export const PUBLISHED_SERVER = server('1.1', [
  res(0, 'Short Server ID', 'R', 'Integer'),
  res(1, 'Lifetime', 'RW', 'Integer', 's'),
  res(2, 'Default Minimum Period', 'RW', 'Integer', 's'),
  res(3, 'Default Maximum Period', 'RW', 'Integer', 's'),
  res(4, 'Disable', 'E', 'none'),
  res(5, 'Disable Timeout', 'RW', 'Integer', 's'),
  res(6, 'Notification Storing When Disabled or Offline', 'RW', 'Boolean'),
  res(7, 'Binding', 'RW', 'String'),
  res(8, 'Registration Update Trigger', 'E', 'none'),
]);

/** The seed's draft: Short Server ID 4, Disable 7, Disable Timeout 8, no Update Trigger. */
export const DRAFT_SERVER = server('1.0', [
  res(1, 'Lifetime', 'RW', 'Integer', 's'),
  res(4, 'Short Server ID', 'R', 'Integer'),
  res(5, 'Default Minimum Period', 'RW', 'Integer', 's'),
  res(6, 'Default Maximum Period', 'RW', 'Integer', 's'),
  res(7, 'Disable', 'E', 'none'),
  res(8, 'DisableTimeout', 'RW', 'Integer', 's'),
  res(9, 'Notification Storing When Disabled or Offline', 'RW', 'Boolean'),
]);
