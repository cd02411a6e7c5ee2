/*
 * A DTLS 1.2 CoAP client on mbed TLS (2.28, Debian libmbedtls-dev), used by the interop tests to
 * prove the bridge's own DTLS server against the stack most LwM2M devices run (Zephyr, Wakaama,
 * Anjay). It knows nothing about CoAP beyond matching a response to its request: the test builds
 * the message bytes and reads the response bytes, so all protocol assertions stay in TypeScript.
 *
 * Usage:
 *   dtls-coap-client HOST PORT (--psk IDENTITY HEXKEY [--cbc] | --cert CERT.pem KEY.pem CA.pem)
 *                    [--timeout MS] [REQUEST_HEX ...] [--resume [REQUEST_HEX ...]]
 *
 * Requests before --resume go over the first connection; with --resume the client closes it,
 * opens a second connection (new UDP socket, new source port) offering the first session
 * (mbedtls_ssl_set_session) and sends the requests after --resume over it.
 *
 * stdout: one hex line per response record, in request order.
 * stderr: "ciphersuite: NAME" per connection, "resumed: yes|no" for the second one, diagnostics.
 * Exit status: 0 on success; 1 with "error: ..." on any failure (handshake, timeout, no response).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
/* Internal header, for the handshake's negotiated flags (EMS, resumption): mbed TLS 2.28 has no
 * public getter for either, and the tests must see what was negotiated, not what was offered. */
#include <mbedtls/ssl_internal.h>
#include <mbedtls/timing.h>
#include <mbedtls/x509_crt.h>

#define MAX_REQUESTS 16
#define MAX_KEY 64

struct options {
  const char *host, *port;
  const char *identity;
  unsigned char key[MAX_KEY];
  size_t key_len;
  int cbc;
  const char *cert, *key_file, *ca;
  unsigned timeout_ms;
  const char *first[MAX_REQUESTS], *second[MAX_REQUESTS];
  int n_first, n_second, resume;
};

static void fail(const char *what, int ret) {
  char buf[160] = "";
  if (ret != 0) mbedtls_strerror(ret, buf, sizeof buf);
  fprintf(stderr, "error: %s%s%s (-0x%04x)\n", what, ret ? ": " : "", buf, (unsigned)-ret);
  exit(1);
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes a hex string; returns its byte length or -1 when it is not hex or too long. */
static long from_hex(const char *hex, unsigned char *out, size_t cap) {
  size_t n = strlen(hex);
  if (n % 2 != 0 || n / 2 > cap) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (unsigned char)(hi << 4 | lo);
  }
  return (long)(n / 2);
}

static void parse_args(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->timeout_ms = 3000;
  if (argc < 3) fail("usage: dtls-coap-client HOST PORT (--psk ID HEXKEY [--cbc] | --cert CERT KEY CA) [--timeout MS] [REQ_HEX...] [--resume [REQ_HEX...]]", 0);
  o->host = argv[1];
  o->port = argv[2];
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--psk") == 0 && i + 2 < argc) {
      o->identity = argv[++i];
      long n = from_hex(argv[++i], o->key, sizeof o->key);
      if (n <= 0) fail("--psk key must be 1..64 bytes of hex", 0);
      o->key_len = (size_t)n;
    } else if (strcmp(argv[i], "--cbc") == 0) {
      o->cbc = 1;
    } else if (strcmp(argv[i], "--cert") == 0 && i + 3 < argc) {
      o->cert = argv[++i];
      o->key_file = argv[++i];
      o->ca = argv[++i];
    } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
      o->timeout_ms = (unsigned)strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--resume") == 0) {
      o->resume = 1;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "error: unknown or incomplete option %s\n", argv[i]);
      exit(1);
    } else if (o->resume ? o->n_second < MAX_REQUESTS : o->n_first < MAX_REQUESTS) {
      if (o->resume) o->second[o->n_second++] = argv[i];
      else o->first[o->n_first++] = argv[i];
    } else {
      fail("too many requests", 0);
    }
  }
  if (!o->identity == !o->cert) fail("give exactly one of --psk or --cert", 0);
}

/* One ciphersuite per run, so the negotiated suite is the one the test asked for. */
static int psk_ccm8[] = {MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8, 0};
static int psk_cbc[] = {MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256, 0};
static int ecdhe_ccm8[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, 0};

struct client {
  mbedtls_ssl_config conf;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt cert, ca;
  mbedtls_pk_context key;
};

static void configure(struct client *c, const struct options *o) {
  int ret;
  mbedtls_ssl_config_init(&c->conf);
  mbedtls_entropy_init(&c->entropy);
  mbedtls_ctr_drbg_init(&c->drbg);
  mbedtls_x509_crt_init(&c->cert);
  mbedtls_x509_crt_init(&c->ca);
  mbedtls_pk_init(&c->key);
  if ((ret = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy, (const unsigned char *)"dtls-coap", 9)) != 0) fail("ctr_drbg_seed", ret);
  if ((ret = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0) fail("ssl_config_defaults", ret);
  mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->drbg);
  /* DTLS 1.2 only: LwM2M 1.1 §7.1 requires it, and mbed TLS would otherwise also offer DTLS 1.0. */
  mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  /* RFC 7627: devices should insist on the extended master secret; the test wants it negotiated. */
  mbedtls_ssl_conf_extended_master_secret(&c->conf, MBEDTLS_SSL_EXTENDED_MS_ENABLED);
  /* RFC 6347 §4.2.4: first retransmission after 1 s, doubling; capped so a dead server fails fast. */
  mbedtls_ssl_conf_handshake_timeout(&c->conf, 1000, o->timeout_ms);
  /* mbedtls_net_recv_timeout honours this; without it a lost response would block forever. */
  mbedtls_ssl_conf_read_timeout(&c->conf, o->timeout_ms);

  if (o->identity) {
    mbedtls_ssl_conf_ciphersuites(&c->conf, o->cbc ? psk_cbc : psk_ccm8);
    if ((ret = mbedtls_ssl_conf_psk(&c->conf, o->key, o->key_len, (const unsigned char *)o->identity, strlen(o->identity))) != 0) fail("ssl_conf_psk", ret);
  } else {
    mbedtls_ssl_conf_ciphersuites(&c->conf, ecdhe_ccm8);
    if ((ret = mbedtls_x509_crt_parse_file(&c->cert, o->cert)) != 0) fail("reading client certificate", ret);
    if ((ret = mbedtls_pk_parse_keyfile(&c->key, o->key_file, NULL)) != 0) fail("reading client key", ret);
    if ((ret = mbedtls_x509_crt_parse_file(&c->ca, o->ca)) != 0) fail("reading CA / server certificate", ret);
    if ((ret = mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key)) != 0) fail("ssl_conf_own_cert", ret);
    /* The server must prove it holds the key of a certificate we trust; no hostname check
     * because the bridge's generated certificate names no host (we pin it via CA.pem instead). */
    mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  }
}

struct connection {
  mbedtls_net_context net;
  mbedtls_ssl_context ssl;
  mbedtls_timing_delay_context timer;
  int extended_ms, resumed; /* as negotiated in ServerHello */
};

static void handshake(struct connection *k, struct client *c, const struct options *o, const mbedtls_ssl_session *resume) {
  int ret;
  k->extended_ms = k->resumed = 0;
  mbedtls_net_init(&k->net);
  mbedtls_ssl_init(&k->ssl);
  if ((ret = mbedtls_net_connect(&k->net, o->host, o->port, MBEDTLS_NET_PROTO_UDP)) != 0) fail("udp connect", ret);
  if ((ret = mbedtls_ssl_setup(&k->ssl, &c->conf)) != 0) fail("ssl_setup", ret);
  /* recv_timeout (not plain recv) so that the handshake timer can fire retransmissions. */
  mbedtls_ssl_set_bio(&k->ssl, &k->net, mbedtls_net_send, mbedtls_net_recv, mbedtls_net_recv_timeout);
  mbedtls_ssl_set_timer_cb(&k->ssl, &k->timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);
  if (resume && (ret = mbedtls_ssl_set_session(&k->ssl, resume)) != 0) fail("ssl_set_session", ret);
  /* Step by step instead of mbedtls_ssl_handshake(): the handshake parameters are freed when it
   * ends, so the flags the ServerHello settled are read while they still exist. */
  while (k->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    ret = mbedtls_ssl_handshake_step(&k->ssl);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) continue;
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) /* the tests check which alert (RFC 5246 §7.2) */
      fprintf(stderr, "alert received: %u\n", (unsigned)k->ssl.in_msg[1]);
    if (ret != 0) fail("handshake failed", ret);
    if (k->ssl.handshake != NULL && k->ssl.state > MBEDTLS_SSL_SERVER_HELLO) {
      k->extended_ms = k->ssl.handshake->extended_ms == MBEDTLS_SSL_EXTENDED_MS_ENABLED;
      k->resumed = k->ssl.handshake->resume;
    }
  }
  fprintf(stderr, "ciphersuite: %s\n", mbedtls_ssl_get_ciphersuite(&k->ssl));
  fprintf(stderr, "extended master secret: %s\n", k->extended_ms ? "yes" : "no");
  if (c->conf.authmode == MBEDTLS_SSL_VERIFY_REQUIRED && mbedtls_ssl_get_verify_result(&k->ssl) != 0) fail("server certificate not verified", 0);
}

/* The token is what ties a CoAP response to its request (RFC 7252 §5.3.2). */
static int same_token(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
  if (alen < 4 || blen < 4) return 0;
  size_t tkl = a[0] & 0x0f;
  return tkl == (size_t)(b[0] & 0x0f) && alen >= 4 + tkl && blen >= 4 + tkl && memcmp(a + 4, b + 4, tkl) == 0;
}

static void exchange(struct connection *k, const char *hex) {
  unsigned char req[2048], buf[2048];
  long len = from_hex(hex, req, sizeof req);
  if (len <= 0) fail("request is not hex", 0);
  int ret;
  /* One mbedtls_ssl_write over datagrams = one application_data record. */
  do ret = mbedtls_ssl_write(&k->ssl, req, (size_t)len);
  while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  if (ret < 0) fail("ssl_write", ret);
  for (;;) {
    do ret = mbedtls_ssl_read(&k->ssl, buf, sizeof buf);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret == MBEDTLS_ERR_SSL_TIMEOUT) fail("no response before the timeout", 0);
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == 0) fail("server closed the connection", 0);
    if (ret < 0) fail("ssl_read", ret);
    /* The server may also send its own requests (e.g. an LwM2M Read); only our response counts. */
    if (!same_token(buf, (size_t)ret, req, (size_t)len)) {
      fprintf(stderr, "ignored record of %d bytes (not our response)\n", ret);
      continue;
    }
    for (int i = 0; i < ret; i++) printf("%02x", buf[i]);
    printf("\n");
    fflush(stdout);
    return;
  }
}

static void close_connection(struct connection *k) {
  int ret;
  do ret = mbedtls_ssl_close_notify(&k->ssl);
  while (ret == MBEDTLS_ERR_SSL_WANT_WRITE);
  mbedtls_ssl_free(&k->ssl);
  mbedtls_net_free(&k->net);
}

int main(int argc, char **argv) {
  struct options o;
  struct client c;
  struct connection first, second;
  parse_args(argc, argv, &o);
  configure(&c, &o);

  handshake(&first, &c, &o, NULL);
  for (int i = 0; i < o.n_first; i++) exchange(&first, o.first[i]);
  if (!o.resume) {
    close_connection(&first);
    return 0;
  }

  mbedtls_ssl_session saved;
  mbedtls_ssl_session_init(&saved);
  int ret = mbedtls_ssl_get_session(&first.ssl, &saved);
  if (ret != 0) fail("ssl_get_session", ret);
  close_connection(&first);

  handshake(&second, &c, &o, &saved);
  /* Abbreviated handshake (RFC 5246 §7.3): the server echoed our session id, and so the master
   * secret is the first connection's; checked on both, a full handshake gets fresh ones. */
  const mbedtls_ssl_session *now = second.ssl.session;
  int same_master = memcmp(now->master, saved.master, sizeof saved.master) == 0;
  fprintf(stderr, "resumed: %s\n", second.resumed && same_master ? "yes" : "no");
  for (int i = 0; i < o.n_second; i++) exchange(&second, o.second[i]);
  close_connection(&second);
  mbedtls_ssl_session_free(&saved);
  return 0;
}
