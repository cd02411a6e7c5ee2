/**
 * Bridge configuration: defaults, then environment variables, then command-line flags.
 * Every setting has one entry in `SETTINGS`, which also produces `--help`.
 */

export interface BridgeConfig {
  coapHost: string;
  coapPort: number;
  coapsHost: string;
  /** 0 disables CoAPS. */
  coapsPort: number;
  httpHost: string;
  httpPort: number;
  dataDir: string;
  /** Whether endpoints without credentials may register over plain CoAP. */
  allowUnsecured: boolean;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Milliseconds a downlink request (Read, Write, Execute…) may take, retransmissions included. */
  downlinkTimeoutMs: number;
  /** Server-object numbering for devices without their own choice: published LwM2M or the seed's draft. */
  objectLayout: 'published' | 'draft';
  /** PEM file of CA certificates that X.509 device certificates must chain to; empty: none. */
  trustCaFile: string;
  /** DTLS limits (docs/dtls.md): established sessions, half-open handshakes, resumable sessions (0: no resumption). */
  dtlsMaxSessions: number;
  dtlsMaxHandshakes: number;
  dtlsSessionCache: number;
  /** A DTLS session with no authentic record for this long is closed. */
  dtlsIdleTimeoutMs: number;
  /** Save the registrations on shutdown and take them back on start (data/registrations.jsonl). */
  keepRegistrations: boolean;
}

interface Setting {
  key: keyof BridgeConfig;
  flag: string;
  env: string;
  kind: 'string' | 'port' | 'boolean' | 'level' | 'ms' | 'layout' | 'count';
  help: string;
}

const SETTINGS: Setting[] = [
  { key: 'coapHost', flag: '--coap-host', env: 'LWM2M_COAP_HOST', kind: 'string', help: 'address for CoAP (UDP)' },
  { key: 'coapPort', flag: '--coap-port', env: 'LWM2M_COAP_PORT', kind: 'port', help: 'CoAP port, 0 = any free port' },
  { key: 'coapsHost', flag: '--coaps-host', env: 'LWM2M_COAPS_HOST', kind: 'string', help: 'address for CoAP over DTLS' },
  { key: 'coapsPort', flag: '--coaps-port', env: 'LWM2M_COAPS_PORT', kind: 'port', help: 'CoAPS port, 0 = any free port, -1 = off' },
  { key: 'httpHost', flag: '--http-host', env: 'LWM2M_HTTP_HOST', kind: 'string', help: 'address of the console (HTTP + WebSocket)' },
  { key: 'httpPort', flag: '--http-port', env: 'LWM2M_HTTP_PORT', kind: 'port', help: 'console port, 0 = any free port' },
  { key: 'dataDir', flag: '--data-dir', env: 'LWM2M_DATA_DIR', kind: 'string', help: 'folder for keys, credentials and the console token' },
  { key: 'allowUnsecured', flag: '--allow-unsecured', env: 'LWM2M_ALLOW_UNSECURED', kind: 'boolean', help: 'let endpoints without credentials register over plain CoAP (true|false)' },
  { key: 'logLevel', flag: '--log-level', env: 'LWM2M_LOG_LEVEL', kind: 'level', help: 'error | warn | info | debug' },
  { key: 'downlinkTimeoutMs', flag: '--downlink-timeout', env: 'LWM2M_DOWNLINK_TIMEOUT_MS', kind: 'ms', help: 'ms to wait for a device to answer a Read/Write/Execute' },
  { key: 'trustCaFile', flag: '--trust-ca', env: 'LWM2M_TRUST_CA', kind: 'string', help: 'PEM file with the CA certificates device certificates must chain to' },
  { key: 'objectLayout', flag: '--object-layout', env: 'LWM2M_OBJECT_LAYOUT', kind: 'layout', help: "Server object numbering: 'published' (LwM2M 1.x) or 'draft' (the seed)" },
  { key: 'dtlsMaxSessions', flag: '--dtls-max-sessions', env: 'LWM2M_DTLS_MAX_SESSIONS', kind: 'count', help: 'most DTLS sessions kept; new devices are turned away beyond it' },
  { key: 'dtlsMaxHandshakes', flag: '--dtls-max-handshakes', env: 'LWM2M_DTLS_MAX_HANDSHAKES', kind: 'count', help: 'most DTLS handshakes in progress (past the cookie) at once' },
  { key: 'dtlsSessionCache', flag: '--dtls-session-cache', env: 'LWM2M_DTLS_SESSION_CACHE', kind: 'count', help: 'resumable DTLS sessions kept (0 turns resumption off)' },
  { key: 'dtlsIdleTimeoutMs', flag: '--dtls-idle-timeout', env: 'LWM2M_DTLS_IDLE_TIMEOUT_MS', kind: 'ms', help: 'ms without an authentic record after which a DTLS session is closed' },
  { key: 'keepRegistrations', flag: '--keep-registrations', env: 'LWM2M_KEEP_REGISTRATIONS', kind: 'boolean', help: 'keep registrations across a restart of the bridge (true|false)' },
];

export const DEFAULT_CONFIG: BridgeConfig = {
  coapHost: '0.0.0.0',
  coapPort: 5683,
  coapsHost: '0.0.0.0',
  coapsPort: 5684,
  httpHost: '127.0.0.1',
  httpPort: 8080,
  dataDir: 'data',
  allowUnsecured: true,
  logLevel: 'info',
  downlinkTimeoutMs: 30_000,
  objectLayout: 'published',
  trustCaFile: '',
  dtlsMaxSessions: 100_000,
  dtlsMaxHandshakes: 2_000,
  dtlsSessionCache: 10_000,
  dtlsIdleTimeoutMs: 3_600_000,
  keepRegistrations: true,
};

export type ConfigResult = { ok: true; config: BridgeConfig; help: boolean } | { ok: false; error: string };

function convert(setting: Setting, raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  switch (setting.kind) {
    case 'string':
      return raw.length > 0 ? { ok: true, value: raw } : { ok: false, error: `${setting.flag} needs a value` };
    case 'port': {
      const n = Number(raw);
      const min = setting.key === 'coapsPort' ? -1 : 0;
      if (!/^-?\d+$/.test(raw) || n < min || n > 65535) return { ok: false, error: `${setting.flag}: ${JSON.stringify(raw)} is not a port` };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (raw === 'true' || raw === '1' || raw === '') return { ok: true, value: true };
      if (raw === 'false' || raw === '0') return { ok: true, value: false };
      return { ok: false, error: `${setting.flag}: expected true or false` };
    case 'ms': {
      const n = Number(raw);
      if (!/^\d{1,9}$/.test(raw) || n < 100) return { ok: false, error: `${setting.flag}: expected milliseconds (100 or more)` };
      return { ok: true, value: n };
    }
    case 'count': {
      const n = Number(raw);
      // 0 is allowed only where it means "off" (the session cache); a server with no sessions would serve nobody
      const min = setting.key === 'dtlsSessionCache' ? 0 : 1;
      if (!/^\d{1,8}$/.test(raw) || n < min) return { ok: false, error: `${setting.flag}: expected a whole number, ${min} or more` };
      return { ok: true, value: n };
    }
    case 'layout':
      if (raw === 'published' || raw === 'draft') return { ok: true, value: raw };
      return { ok: false, error: `${setting.flag}: expected published or draft` };
    case 'level':
      if (raw === 'error' || raw === 'warn' || raw === 'info' || raw === 'debug') return { ok: true, value: raw };
      return { ok: false, error: `${setting.flag}: expected error, warn, info or debug` };
  }
}

/** Pure: reads `env` and `argv` (arguments after the script name) into a config. */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const config: BridgeConfig = { ...DEFAULT_CONFIG };
  const assign = (setting: Setting, raw: string): string | undefined => {
    const r = convert(setting, raw);
    if (!r.ok) return r.error;
    (config as unknown as Record<string, unknown>)[setting.key] = r.value;
    return undefined;
  };
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined) {
      const error = assign(s, raw);
      if (error) return { ok: false, error: `${s.env}: ${error}` };
    }
  }
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) return { ok: false, error: `unknown option ${flag}` };
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (setting.kind === 'boolean' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) value = 'true';
    else value = argv[++i] ?? '';
    const error = assign(setting, value);
    if (error) return { ok: false, error };
  }
  return { ok: true, config, help };
}

export function helpText(): string {
  const lines = ['Usage: npm start -- [options]', '', 'Options (environment variable in brackets):'];
  for (const s of SETTINGS) {
    lines.push(`  ${s.flag.padEnd(18)} ${s.help} [${s.env}] (default ${JSON.stringify(DEFAULT_CONFIG[s.key])})`);
  }
  return lines.join('\n');
}
