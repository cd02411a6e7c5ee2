/** The built-in published model, for codec tests (loads models/*.xml once). */
import { ObjectRegistry } from '../../model/object-registry.js';

export const publishedModel = new ObjectRegistry().modelFor({ lwm2mVersion: '1.0', objectLinks: [] }, 'published');
