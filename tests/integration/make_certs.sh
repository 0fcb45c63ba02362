#!/usr/bin/env bash
# tests/integration/make_certs.sh DIR - the certificates the stand-in serves and the tests trust,
# made fresh by the openssl CLI at test time (nothing that expires is committed):
#
#   DIR/ca.pem                     the test CA (CA:TRUE, keyCertSign); its key is thrown away
#   DIR/server.pem, server.key     localhost: SAN DNS:localhost, IP:127.0.0.1; serverAuth
#   DIR/wrong_host.pem, .key       the same CA, but for other.invalid only
#   DIR/expired.pem, .key          localhost, the same CA, valid only in 2020
#   DIR/other_ca.pem               an unrelated CA, for the wrong-CA test
#
# RSA 2048 with SHA-256, which both libcurl (OpenSSL) and mbedTLS 2.28 accept. The script ends
# by checking each certificate with `openssl verify`, including that the bad ones fail for the
# reason they exist for, and exits non-zero when anything is off.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -f "$dir"/ca.pem "$dir"/server.pem "$dir"/server.key "$dir"/wrong_host.pem "$dir"/wrong_host.key \
      "$dir"/expired.pem "$dir"/expired.key "$dir"/other_ca.pem

# One configuration for `openssl req` and `openssl ca`, so that no system default sneaks in.
cat > "$work/openssl.cnf" <<CONF
[ req ]
distinguished_name = req_dn
prompt             = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = test_ca
[ test_ca ]
dir           = $work
database      = $work/index.txt
serial        = $work/serial
new_certs_dir = $work
certificate   = $work/ca.pem
private_key   = $work/ca.key
default_md    = sha256
policy        = any_policy
unique_subject = no
copy_extensions = none
email_in_dn   = no
[ any_policy ]
commonName = supplied
[ ca_extensions ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ localhost_extensions ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ wrong_host_extensions ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:other.invalid
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CONF
export OPENSSL_CONF="$work/openssl.cnf"
: > "$work/index.txt"
echo 1000 > "$work/serial"

new_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2> /dev/null; }

# Every certificate but the expired one starts a day back, so a clock a little behind accepts it.
since_yesterday=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)

# new_ca NAME CN: a self-signed CA, NAME.pem and NAME.key in the work directory.
new_ca() {
    new_key "$work/$1.key"
    openssl req -new -config "$work/openssl.cnf" -key "$work/$1.key" -subj "/CN=$2" -out "$work/$1.csr"
    openssl ca -batch -selfsign -config "$work/openssl.cnf" -keyfile "$work/$1.key" \
        -extensions ca_extensions -notext -startdate "$since_yesterday" -days 30 \
        -in "$work/$1.csr" -out "$work/$1.pem" 2> "$work/$1.ca.log" ||
        { cat "$work/$1.ca.log" >&2; return 1; }
}

# issue NAME CN EXTENSIONS DATES...: a key and a certificate signed by the test CA, in DIR.
issue() {
    local name=$1 cn=$2 extensions=$3
    shift 3
    new_key "$dir/$name.key"
    openssl req -new -config "$work/openssl.cnf" -key "$dir/$name.key" -subj "/CN=$cn" -out "$work/$name.csr"
    openssl ca -batch -config "$work/openssl.cnf" -extensions "$extensions" -notext \
        -in "$work/$name.csr" -out "$dir/$name.pem" "$@" 2> "$work/$name.ca.log" ||
        { cat "$work/$name.ca.log" >&2; return 1; }
}

new_ca ca "stripe_connect.h test CA"
new_ca other_ca "An unrelated CA"
cp "$work/ca.pem" "$dir/ca.pem"
cp "$work/other_ca.pem" "$dir/other_ca.pem"
issue server localhost localhost_extensions -startdate "$since_yesterday" -days 30
issue wrong_host other.invalid wrong_host_extensions -startdate "$since_yesterday" -days 30
issue expired localhost localhost_extensions -startdate 20200101000000Z -enddate 20201231000000Z
chmod 600 "$dir"/*.key

# ---- Self-check ---------------------------------------------------------------------------------
failures=0
# expect_verify WHAT EXPECTED_ERROR_OR_OK ARGS...: openssl verify ARGS, then its verdict checked.
expect_verify() {
    local what=$1 expected=$2 output
    shift 2
    output=$(openssl verify -purpose sslserver "$@" 2>&1) && output="$output
OK-STATUS"
    if [ "$expected" = OK ]; then
        case "$output" in *OK-STATUS*) return 0 ;; esac
    else
        case "$output" in *OK-STATUS*) ;; *"$expected"*) return 0 ;; esac
    fi
    echo "make_certs: $what: expected ${expected}, openssl verify said: $output" >&2
    failures=$((failures + 1))
}
ca=(-CAfile "$dir/ca.pem")
expect_verify "server.pem for localhost" OK "${ca[@]}" -verify_hostname localhost "$dir/server.pem"
expect_verify "server.pem for 127.0.0.1" OK "${ca[@]}" -verify_ip 127.0.0.1 "$dir/server.pem"
expect_verify "wrong_host.pem chains to the CA" OK "${ca[@]}" "$dir/wrong_host.pem"
expect_verify "wrong_host.pem for localhost" "hostname mismatch" \
    "${ca[@]}" -verify_hostname localhost "$dir/wrong_host.pem"
expect_verify "expired.pem" "certificate has expired" "${ca[@]}" -verify_hostname localhost "$dir/expired.pem"
expect_verify "server.pem against other_ca.pem" "unable to get local issuer certificate" \
    -CAfile "$dir/other_ca.pem" "$dir/server.pem"
for name in server wrong_host expired; do
    certificate_key=$(openssl x509 -in "$dir/$name.pem" -noout -pubkey)
    if [ "$certificate_key" != "$(openssl pkey -in "$dir/$name.key" -pubout)" ]; then
        echo "make_certs: $name.key does not belong to $name.pem" >&2
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] || exit 1
