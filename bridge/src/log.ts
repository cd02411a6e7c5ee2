/**
 * One-line structured logs on stderr. Callers pass context fields; never pass key material,
 * tokens or payloads that may carry them (the `redact` list is a second line of defence).
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const REDACTED_KEYS = new Set(['key', 'psk', 'pskKey', 'privateKey', 'token', 'secret', 'password']);

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

function format(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    const shown = REDACTED_KEYS.has(k) ? '[redacted]' : v instanceof Error ? `${v.name}: ${v.message}` : v;
    out += ` ${k}=${typeof shown === 'string' ? JSON.stringify(shown) : String(JSON.stringify(shown))}`;
  }
  return out;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const max = ORDER[level];
  const at = (lvl: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] <= max) write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${message}${format(fields)}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
