/**
 * Names of the OMA LwM2M core objects 0–7 (LwM2M 1.0 TS Appendix E), so the console can label
 * the object/instance tree of a Register payload. Full object models (DDF) come later; this
 * small table only names what every device is expected to have.
 */
export const OMA_CORE_OBJECT_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'LwM2M Security',
  1: 'LwM2M Server',
  2: 'Access Control',
  3: 'Device',
  4: 'Connectivity Monitoring',
  5: 'Firmware Update',
  6: 'Location',
  7: 'Connectivity Statistics',
});

/** Name of an OMA core object, or undefined for any other object id. */
export function omaObjectName(objectId: number): string | undefined {
  return Object.prototype.hasOwnProperty.call(OMA_CORE_OBJECT_NAMES, objectId) ? OMA_CORE_OBJECT_NAMES[objectId] : undefined;
}
