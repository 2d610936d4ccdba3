#!/usr/bin/env bash
# Regenerates the test certificates in fixtures/tls (committed; valid for 100 years so that tests
# never start failing on a date). Needs openssl. Nothing here is secret: these keys only ever
# protect servers the tests start on 127.0.0.1.
#   ca.pem / ca.key            a private CA ("smtp-invite test CA")
#   server.pem / server.key    signed by that CA for localhost, 127.0.0.1 and ::1
#   self-signed.pem / .key     a self-signed certificate for the same names (trusted by nobody)
#   other-ca.pem               an unrelated CA (verification against it must fail)
set -euo pipefail
cd "$(dirname "$0")/../fixtures/tls"
days=36500
san="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=smtp-invite test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf '%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
  -extfile server.ext -out server.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=localhost" -addext "$san" \
  -keyout self-signed.key -out self-signed.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=unrelated test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -keyout other-ca.key -out other-ca.pem 2>/dev/null
rm -f server.csr server.ext ca.srl other-ca.key
echo "fixtures/tls regenerated"
