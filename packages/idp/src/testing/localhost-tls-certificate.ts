/**
 * A self-signed certificate for localhost and 127.0.0.1 (P-256, valid for a century), for test servers
 * that speak TLS. Made with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500
 * -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext basicConstraints=critical,CA:TRUE`.
 * Tests only: its private key is public.
 */
export const LOCALHOST_TLS_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUMZ48Lv7ldr2k8egN8jcxbFN+UxowCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNzE3NTkyM1oYDzIxMjYxMTEz
MTc1OTIzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQV+nifBE2BLqwR+3NUVD9LGJnAaPH+v7g5I3X816J0thMUhdM992Yo
mRg7XrYg5qGFsIkuJUMp4T+HzS12L398o28wbTAdBgNVHQ4EFgQUAqTdRBA/lZ0k
6YsW4/W+5SdxP/4wHwYDVR0jBBgwFoAUAqTdRBA/lZ0k6YsW4/W+5SdxP/4wGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDRwAwRAIgQEUQlpbVLUD7RXCZKLPPc6K8a3QA1osZB/esjuQHpqwCIGAj
H5pftFeZXu9lTUniUPYD8ozLhZ/wPjgk6A7lbPYb
-----END CERTIFICATE-----
`;

export const LOCALHOST_TLS_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUfhn6wteaiKqouWK
tpbOwNFYSftQ38Y5Kh/eCFsJ97ChRANCAAQV+nifBE2BLqwR+3NUVD9LGJnAaPH+
v7g5I3X816J0thMUhdM992YomRg7XrYg5qGFsIkuJUMp4T+HzS12L398
-----END PRIVATE KEY-----
`;
