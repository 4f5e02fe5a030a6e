/**
 * A self-signed certificate for localhost and 127.0.0.1 (P-256, valid until 2125), for tests of
 * TLS clients (SMTP STARTTLS, Kafka TLS handshake) against local servers. Test-only: it protects
 * nothing, and nothing outside tests may trust it. Made with
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
 */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg17Bi7BwCuG5qS1wU
o6djhR6kmgvogjQw1RdLCI26nnGhRANCAATnWe6hKvRiFJlBlqhTqQRM1QVq3ni7
1ZdO1bjxIt+3PVgiuyC2MdlDO21BfHDmn9WMlHJmJWDjKg/i6r0CTBS+
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUZ84/4UdVwBlo7cXSVSJbxgOeby0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMjA2MTgxM1oYDzIxMjYxMTA4
MDYxODEzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATnWe6hKvRiFJlBlqhTqQRM1QVq3ni71ZdO1bjxIt+3PVgiuyC2MdlD
O21BfHDmn9WMlHJmJWDjKg/i6r0CTBS+o28wbTAdBgNVHQ4EFgQUk0p+tnoof8/c
JbNgUXiLO+EnRkAwHwYDVR0jBBgwFoAUk0p+tnoof8/cJbNgUXiLO+EnRkAwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgRgCjKRV/notirYl2aCvan9gspoolMJ3MgRmQQDr09I8CIBqh
kSMnHzBTW6g5rBZ7QEWEi3odCCjumRioyz2j5Eng
-----END CERTIFICATE-----
`;
