import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('starts from the defaults, then environment variables, then flags (which win)', () => {
    expect(loadConfig([], {})).toEqual({ ok: true, config: DEFAULT_CONFIG, help: false });
    const r = loadConfig(['--coap-port', '6000', '--dtls-max-sessions=500'], { LWM2M_COAP_PORT: '7000', LWM2M_DTLS_MAX_HANDSHAKES: '50', LWM2M_LOG_LEVEL: 'debug' });
    expect(r).toMatchObject({ ok: true, config: { coapPort: 6000, dtlsMaxSessions: 500, dtlsMaxHandshakes: 50, logLevel: 'debug' } });
  });

  it('takes the DTLS limits, with 0 meaning "no resumption" for the session cache only', () => {
    expect(loadConfig(['--dtls-session-cache', '0', '--dtls-idle-timeout', '86400000'], {})).toMatchObject({ ok: true, config: { dtlsSessionCache: 0, dtlsIdleTimeoutMs: 86_400_000 } });
    expect(loadConfig(['--dtls-max-sessions', '0'], {})).toEqual({ ok: false, error: '--dtls-max-sessions: expected a whole number, 1 or more' });
    expect(loadConfig(['--dtls-max-handshakes', '-5'], {})).toMatchObject({ ok: false });
    expect(loadConfig(['--dtls-session-cache', 'lots'], {})).toMatchObject({ ok: false });
  });

  it('says which setting is wrong, and where it came from', () => {
    expect(loadConfig(['--coap-port', '70000'], {})).toEqual({ ok: false, error: '--coap-port: "70000" is not a port' });
    expect(loadConfig([], { LWM2M_DTLS_MAX_SESSIONS: 'x' })).toEqual({ ok: false, error: 'LWM2M_DTLS_MAX_SESSIONS: --dtls-max-sessions: expected a whole number, 1 or more' });
    expect(loadConfig(['--no-such-flag'], {})).toEqual({ ok: false, error: 'unknown option --no-such-flag' });
    expect(loadConfig(['--downlink-timeout', '10'], {})).toMatchObject({ ok: false });
  });

  it('keeps registrations across a restart unless told not to', () => {
    expect(DEFAULT_CONFIG.keepRegistrations).toBe(true);
    expect(loadConfig(['--keep-registrations', 'false'], {})).toMatchObject({ ok: true, config: { keepRegistrations: false } });
    expect(loadConfig([], { LWM2M_KEEP_REGISTRATIONS: '0' })).toMatchObject({ ok: true, config: { keepRegistrations: false } });
  });

  it('reads a bare boolean flag as true, and notes --help', () => {
    expect(loadConfig(['--allow-unsecured', '--help'], { LWM2M_ALLOW_UNSECURED: 'false' })).toMatchObject({ ok: true, config: { allowUnsecured: true }, help: true });
    expect(loadConfig(['--allow-unsecured', 'false'], {})).toMatchObject({ ok: true, config: { allowUnsecured: false } });
  });
});
