/**
 * The way back from what the `coap` package leaves in a parsed Content-Format option (it
 * rewrites known formats to their media-type names in place) to the number (RFC 7252 §12.3).
 * The numbers LwM2M uses are `ContentFormat` in lwm2m/codecs.
 */
const BY_MEDIA_TYPE: Record<string, number> = {
  'text/plain': 0,
  'application/link-format': 40,
  'application/xml': 41,
  'application/octet-stream': 42,
  'application/exi': 47,
  'application/json': 50,
  'application/cbor': 60,
  'application/senml+json': 110,
  'application/sensml+json': 111,
  'application/senml+cbor': 112,
  'application/vnd.oma.lwm2m+tlv': 11542,
  'application/vnd.oma.lwm2m+json': 11543,
  'application/vnd.oma.lwm2m+cbor': 11544,
};

/**
 * Numeric Content-Format from an option value as the `coap` package hands it over: a Buffer
 * (raw uint), a number (unknown format), a media-type name, or null (over 2 bytes: invalid).
 * Returns -1 for anything that is not a valid format number, so callers answer 4.15.
 */
export function contentFormatOf(value: unknown): number {
  if (Buffer.isBuffer(value)) {
    if (value.length > 2) return -1;
    let n = 0;
    for (const b of value) n = n * 256 + b;
    return n;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
  if (typeof value === 'string') return BY_MEDIA_TYPE[value] ?? -1;
  return -1;
}
