/** The object model: DDF parsing, the registry of definitions, and per-device model selection. */
export { parseDdf, MAX_DDF_BYTES, type DdfParseResult } from './ddf-parser.js';
export {
  ObjectRegistry,
  defaultObjectRegistry,
  modelFor,
  loadDdfDir,
  BUILT_IN_MODELS_DIR,
  DRAFT_SERVER_FILE,
  type ModelLoadReport,
  type ObjectRegistryOptions,
} from './object-registry.js';
export {
  selectModel,
  pickVersion,
  compareVersions,
  registeredVersion,
  indexDefinitions,
  type DeviceModelKey,
} from './model-selection.js';
export { resolveResource, findResource, normaliseResourceName } from '@lwm2m-console/shared';
