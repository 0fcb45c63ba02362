/* test_webhook.c - SHA-256, HMAC-SHA256, stripe_connect_webhook_verify and
   stripe_connect_webhook_event_read.

   The hashes are checked against published vectors (FIPS 180-4's examples, RFC
   4231's HMAC cases) and against digests computed by Python's hashlib and hmac
   (each with the command that made it), so the library is never its own
   oracle. The verifier is checked the way Stripe signs: the header
   "t=<unix>,v1=<hex of HMAC-SHA256(secret, "<t>.<payload>")>". Headers are
   written as templates in which '@' stands for the right signature in
   lower-case hex, '#' for the same in upper case and '~' for a well-formed
   signature of something else, so a rejection in these tables is the parser's
   doing, not a wrong MAC's.

   Payloads and events are handed over in heap buffers of exactly their length,
   with no NUL after them: AddressSanitizer catches a read past the end. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK          STRIPE_CONNECT_OK
#define SIGNATURE   STRIPE_CONNECT_ERR_SIGNATURE
#define INVALID     STRIPE_CONNECT_ERR_INVALID_ARGUMENT
#define MALFORMED   STRIPE_CONNECT_ERR_MALFORMED_JSON
#define UNEXPECTED  STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE

/* A literal and its exact length (it may hold NUL bytes). */
#define S(literal) literal, sizeof(literal) - 1

/* ---- Helpers ----------------------------------------------------------------------------------- */

static void *exact_copy(const void *bytes, size_t len)
{
    void *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    if (len > 0) memcpy(copy, bytes, len);
    return copy;
}

static void to_hex(const unsigned char *bytes, size_t n, char *out, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Fails the case when digest[0..n) is not the hex string want. */
static void check_digest_at(int line, const unsigned char *digest, size_t n, const char *want)
{
    char got[2 * 64 + 1];
    to_hex(digest, n, got, 0);
    if (strcmp(got, want) != 0) test_fail_str(__FILE__, line, "digest", got, want);
}
#define CHECK_DIGEST(digest, n, want) check_digest_at(__LINE__, (digest), (n), (want))

static void sha256_of(const void *data, size_t len, unsigned char digest[32])
{
    void *copy = exact_copy(data, len);
    stripe_connect_sha256(copy, len, digest);
    free(copy);
}

/* HMAC-SHA256(secret, "<t>.<payload>") as hex: how Stripe signs. */
static void stripe_signature(const char *secret, const char *t, const void *payload, size_t len,
                             char hex[65], int upper)
{
    unsigned char mac[32];
    size_t t_len = strlen(t);
    char *text = (char *)malloc(t_len + 1 + len + 1);
    if (text == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    memcpy(text, t, t_len);
    text[t_len] = '.';
    if (len > 0) memcpy(text + t_len + 1, payload, len);
    stripe_connect_hmac_sha256(secret, strlen(secret), text, t_len + 1 + len, mac);
    to_hex(mac, 32, hex, upper);
    free(text);
}

/* The verifier on copies of payload and header that end exactly where they should. */
static stripe_connect_result verify(const void *payload, size_t len, const char *header, const char *secret,
                                    long tolerance, int64_t now)
{
    void *payload_copy = payload != NULL ? exact_copy(payload, len) : NULL;
    char *header_copy = header != NULL ? (char *)exact_copy(header, strlen(header) + 1) : NULL;
    char *secret_copy = secret != NULL ? (char *)exact_copy(secret, strlen(secret) + 1) : NULL;
    stripe_connect_result r = stripe_connect_webhook_verify((const char *)payload_copy, len, header_copy,
                                                            secret_copy, tolerance, now);
    free(payload_copy);
    free(header_copy);
    free(secret_copy);
    return r;
}

/* The template with '@' replaced by the lower-case signature, '#' by the upper-case one and
   '~' by a signature of other bytes (the first byte of the MAC flipped). */
static void expand_header(const char *template_text, const char *lower, char *out, size_t cap)
{
    char upper[65], other[65];
    size_t at = 0, i;
    for (i = 0; i < 64; i++) upper[i] = (char)(lower[i] >= 'a' && lower[i] <= 'f' ? lower[i] - 'a' + 'A' : lower[i]);
    upper[64] = '\0';
    memcpy(other, lower, 65);
    other[0] = other[0] == '0' ? '1' : '0';
    for (; *template_text != '\0'; template_text++) {
        const char *piece = *template_text == '@' ? lower : *template_text == '#' ? upper
                          : *template_text == '~' ? other : NULL;
        size_t n = piece != NULL ? 64 : 1;
        if (at + n + 1 > cap) { fprintf(stderr, "header template too long\n"); exit(2); }
        memcpy(out + at, piece != NULL ? piece : template_text, n);
        at += n;
    }
    out[at] = '\0';
}

/* ---- SHA-256 ----------------------------------------------------------------------------------- */

/* FIPS 180-4's examples (NIST CSRC "Examples with Intermediate Values", SHA-256). */
static void test_sha256_fips_examples(void)
{
    static const struct { const char *name, *message, *digest; } rows[] = {
        { "sha256: FIPS 180-4 one block, \"abc\"", "abc",
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "sha256: the empty message", "",
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "sha256: FIPS 180-4 two blocks, the 448-bit message",
          "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "sha256: the 896-bit message",
          "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" }
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        unsigned char digest[32];
        test_begin(rows[i].name);
        sha256_of(rows[i].message, strlen(rows[i].message), digest);
        CHECK_DIGEST(digest, 32, rows[i].digest);
        test_end();
    }
}

static void test_sha256_one_million_a(void)
{
    unsigned char digest[32];
    char *message = (char *)malloc(1000000);
    CHECK(message != NULL);
    if (message == NULL) return;
    memset(message, 'a', 1000000);
    stripe_connect_sha256(message, 1000000, digest);
    CHECK_DIGEST(digest, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(message);
}

/* The test pattern: byte i is (31 i + 7) mod 256, so every length holds other bytes. */
static void pattern(unsigned char *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) out[i] = (unsigned char)((i * 31 + 7) & 0xff);
}

/* Lengths on both sides of the padding edges: 55 (the length fits after 0x80), 56 (it does not:
   a second block), 63/64/65 (a block boundary), 119/120 and 127/128/129 (the same one block on).
   Made by:
   python3 -c 'import hashlib; p = bytes((i*31+7)&255 for i in range(131));
               [print(n, hashlib.sha256(p[:n]).hexdigest()) for n in (0,1,55,56,57,63,64,65,119,120,127,128,129,130)]' */
static void test_sha256_padding_edges(void)
{
    static const struct { size_t len; const char *digest; } rows[] = {
        { 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { 1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879" },
        { 55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b" },
        { 56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63" },
        { 57, "5b46e502092be01b1100193e089fdda95638c12e19a1d24f308eb2c3d3ae849d" },
        { 63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076" },
        { 64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd" },
        { 65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0" },
        { 119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe" },
        { 120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656" },
        { 127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d" },
        { 128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356" },
        { 129, "81e89a7b2911aaa7795f9e3d4910cb47d6cd2b00d83b8399481527261a1a7519" },
        { 130, "1c7c3b5eee94d4fa8b41754b89153e50491838d0d3e49b0273d6f12cae12e387" }
    };
    unsigned char message[130], digest[32];
    char name[64];
    size_t i;
    pattern(message, sizeof message);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        snprintf(name, sizeof name, "sha256: %u bytes of the pattern (hashlib)", (unsigned)rows[i].len);
        test_begin(name);
        sha256_of(message, rows[i].len, digest);
        CHECK_DIGEST(digest, 32, rows[i].digest);
        test_end();
    }
}

/* Every length from 0 to 130: the 131 digests, one after the other, hashed again, against the
   same computed by hashlib:
   python3 -c 'import hashlib; p = bytes((i*31+7)&255 for i in range(131));
               print(hashlib.sha256(b"".join(hashlib.sha256(p[:n]).digest() for n in range(131))).hexdigest())'
   Each message also sits one byte off its buffer's alignment. */
static void test_sha256_every_length_to_130(void)
{
    unsigned char buffer[1 + 130], all[131 * 32], digest[32];
    size_t n;
    pattern(buffer + 1, 130);
    for (n = 0; n <= 130; n++) stripe_connect_sha256(buffer + 1, n, all + 32 * n);
    sha256_of(all, sizeof all, digest);
    CHECK_DIGEST(digest, 32, "c6e4e8706aad569e79b1296ad67e984c018330dca4cd1bc520b46a1d8c1abb05");
}

static void test_sha256_null_data_of_length_zero_is_the_empty_message(void)
{
    unsigned char digest[32];
    memset(digest, 0xAA, sizeof digest);
    stripe_connect_sha256(NULL, 0, digest);
    CHECK_DIGEST(digest, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_null_arguments_write_nothing(void)
{
    unsigned char digest[32], untouched[32];
    memset(digest, 0xAA, sizeof digest);
    memcpy(untouched, digest, sizeof digest);
    stripe_connect_sha256(NULL, 5, digest);          /* NULL data with a length: ignored */
    CHECK_MEM(digest, sizeof digest, untouched, sizeof untouched);
    stripe_connect_sha256("abc", 3, NULL);           /* no digest: returns */
}

/* ---- HMAC-SHA256 -------------------------------------------------------------------------------- */

/* RFC 4231, section 4: test cases 1 to 7 (case 5 truncated to 128 bits, as the RFC gives it). */
static void test_hmac_rfc4231(void)
{
    static const unsigned char key_4[25] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                                            18, 19, 20, 21, 22, 23, 24, 25 };
    unsigned char key_0b[20], key_aa20[20], key_0c[20], key_aa131[131], data_dd[50], data_cd[50];
    struct { const char *name; const void *key; size_t key_len; const void *data; size_t len; size_t mac_len;
             const char *mac; } rows[7];
    size_t i;
    memset(key_0b, 0x0b, sizeof key_0b);
    memset(key_aa20, 0xaa, sizeof key_aa20);
    memset(key_0c, 0x0c, sizeof key_0c);
    memset(key_aa131, 0xaa, sizeof key_aa131);
    memset(data_dd, 0xdd, sizeof data_dd);
    memset(data_cd, 0xcd, sizeof data_cd);
    rows[0].name = "hmac: RFC 4231 case 1 (20-byte key, \"Hi There\")";
    rows[0].key = key_0b; rows[0].key_len = 20; rows[0].data = "Hi There"; rows[0].len = 8; rows[0].mac_len = 32;
    rows[0].mac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
    rows[1].name = "hmac: RFC 4231 case 2 (key shorter than the output, \"Jefe\")";
    rows[1].key = "Jefe"; rows[1].key_len = 4; rows[1].data = "what do ya want for nothing?"; rows[1].len = 28;
    rows[1].mac_len = 32; rows[1].mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    rows[2].name = "hmac: RFC 4231 case 3 (50 bytes of 0xdd)";
    rows[2].key = key_aa20; rows[2].key_len = 20; rows[2].data = data_dd; rows[2].len = 50; rows[2].mac_len = 32;
    rows[2].mac = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";
    rows[3].name = "hmac: RFC 4231 case 4 (25-byte key 0x01..0x19, 50 bytes of 0xcd)";
    rows[3].key = key_4; rows[3].key_len = 25; rows[3].data = data_cd; rows[3].len = 50; rows[3].mac_len = 32;
    rows[3].mac = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";
    rows[4].name = "hmac: RFC 4231 case 5 (truncated to 128 bits)";
    rows[4].key = key_0c; rows[4].key_len = 20; rows[4].data = "Test With Truncation"; rows[4].len = 20;
    rows[4].mac_len = 16; rows[4].mac = "a3b6167473100ee06e0c796c2955552b";
    rows[5].name = "hmac: RFC 4231 case 6 (131-byte key: hashed first)";
    rows[5].key = key_aa131; rows[5].key_len = 131;
    rows[5].data = "Test Using Larger Than Block-Size Key - Hash Key First"; rows[5].len = 54; rows[5].mac_len = 32;
    rows[5].mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    rows[6].name = "hmac: RFC 4231 case 7 (131-byte key, 152-byte data)";
    rows[6].key = key_aa131; rows[6].key_len = 131;
    rows[6].data = "This is a test using a larger than block-size key and a larger than block-size data. "
                   "The key needs to be hashed before being used by the HMAC algorithm.";
    rows[6].len = 152; rows[6].mac_len = 32;
    rows[6].mac = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        unsigned char mac[32];
        void *key = exact_copy(rows[i].key, rows[i].key_len), *data = exact_copy(rows[i].data, rows[i].len);
        test_begin(rows[i].name);
        stripe_connect_hmac_sha256(key, rows[i].key_len, data, rows[i].len, mac);
        CHECK_DIGEST(mac, rows[i].mac_len, rows[i].mac);
        test_end();
        free(key);
        free(data);
    }
}

/* Keys of exactly one block (used as they are) and one byte more (hashed first):
   python3 -c 'import hmac; [print(hmac.new(b"k"*n, b"block-size key", "sha256").hexdigest()) for n in (64, 65)]'
   and the empty key with the empty message:
   python3 -c 'import hmac; print(hmac.new(b"", b"", "sha256").hexdigest())' */
static void test_hmac_key_lengths_around_the_block(void)
{
    unsigned char key[65], mac[32];
    memset(key, 'k', sizeof key);
    stripe_connect_hmac_sha256(key, 64, "block-size key", 14, mac);
    CHECK_DIGEST(mac, 32, "3639ed45f96410ae1abf821aaf15a4e616209464f7e06fb79435d35e485bd3c2");
    stripe_connect_hmac_sha256(key, 65, "block-size key", 14, mac);
    CHECK_DIGEST(mac, 32, "492c0e30e79bd478c547ea77404336b1093be9a3fe2de81aca2185a7a92a69fa");
    stripe_connect_hmac_sha256(NULL, 0, NULL, 0, mac);
    CHECK_DIGEST(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    stripe_connect_hmac_sha256("", 0, "", 0, mac);
    CHECK_DIGEST(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_hmac_null_arguments_write_nothing(void)
{
    unsigned char mac[32], untouched[32];
    memset(mac, 0xAA, sizeof mac);
    memcpy(untouched, mac, sizeof mac);
    stripe_connect_hmac_sha256(NULL, 3, "abc", 3, mac);
    CHECK_MEM(mac, sizeof mac, untouched, sizeof untouched);
    stripe_connect_hmac_sha256("key", 3, NULL, 3, mac);
    CHECK_MEM(mac, sizeof mac, untouched, sizeof untouched);
    stripe_connect_hmac_sha256("key", 3, "abc", 3, NULL);
}

/* ---- stripe_connect_webhook_verify: the fixtures ---------------------------------------------- */

#define SECRET "whsec_test_secret"
#define T_TEXT "1733011200"
#define T_VALUE ((int64_t)1733011200)
#define TOLERANCE 300L

/* An account.application.deauthorized event in Stripe's shape (373 bytes). */
#define DEAUTHORIZED_EVENT                                                                               \
    "{\"id\":\"evt_1Qx7ZkL4sGm2Yb9TqR3nVw8D\",\"object\":\"event\",\"account\":\"acct_1NvX3cQ2eZ7kLmPq\","   \
    "\"api_version\":\"2024-06-20\",\"created\":1733011200,\"data\":{\"object\":{\"id\":"                  \
    "\"ca_Qx7ZkL4sGm2Yb9TqR3nVw8DcA1b2C3d\",\"object\":\"application\",\"name\":\"Stand-in Platform\"}},"  \
    "\"livemode\":false,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},"        \
    "\"type\":\"account.application.deauthorized\"}"

/* The right signature of DEAUTHORIZED_EVENT at T_TEXT under SECRET, lower-case hex. */
static void event_signature(char hex[65])
{
    stripe_signature(SECRET, T_TEXT, S(DEAUTHORIZED_EVENT), hex, 0);
}

static stripe_connect_result verify_event(const char *header, long tolerance, int64_t now)
{
    return verify(S(DEAUTHORIZED_EVENT), header, SECRET, tolerance, now);
}

/* ---- stripe_connect_webhook_verify: valid headers ---------------------------------------------- */

/* Computed by Python's hmac, independently of the library:
   python3 -c 'import hmac, sys; e = open(sys.argv[1], "rb").read();
               print(hmac.new(b"whsec_test_secret", b"1733011200." + e, "sha256").hexdigest())' event.json
   where event.json holds DEAUTHORIZED_EVENT (373 bytes, no newline); the second with the 100-byte
   secret below (longer than a block: hashed first). */
static void test_verify_python_vectors(void)
{
    static const char long_secret[] = "whsec_L0ngSecretL0ngSecretL0ngSecretL0ngSecretL0ngSecretL0ngSecretL0ngSecret"
                                      "L0ngSecretL0ngSecretabcd";
    CHECK_INT(sizeof DEAUTHORIZED_EVENT - 1, 373);
    CHECK_INT(sizeof long_secret - 1, 100);
    CHECK_RESULT(verify_event("t=1733011200,v1=1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c12",
                              TOLERANCE, T_VALUE + 10), OK);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT),
                        "t=1733011200,v1=aea52aa537688efcf7acee88f49266ba69491ccd584f5866a41f00e5c5f12771",
                        long_secret, TOLERANCE, T_VALUE), OK);
    CHECK_RESULT(verify_event("t=1733011200,v1=aea52aa537688efcf7acee88f49266ba69491ccd584f5866a41f00e5c5f12771",
                              TOLERANCE, T_VALUE), SIGNATURE);          /* the other secret's */
}

static void test_verify_signature_computed_here(void)
{
    char hex[65], header[128];
    event_signature(hex);
    CHECK_STR(hex, "1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c12");
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE), OK);
}

/* Headers that must be accepted (a rejection here is a wrongly strict parser). */
static void test_verify_accepted_headers(void)
{
    static const struct { const char *name, *header; } rows[] = {
        { "verify: t then v1", "t=1733011200,v1=@" },
        { "verify: v1 before t", "v1=@,t=1733011200" },
        { "verify: upper-case hex", "t=1733011200,v1=#" },
        { "verify: several v1, only the last matches", "t=1733011200,v1=~,v1=~,v1=@" },
        { "verify: several v1, only the first matches", "t=1733011200,v1=@,v1=~" },
        { "verify: v1 entries on both sides of t", "v1=~,t=1733011200,v1=@" },
        { "verify: v0 and v2 are ignored", "t=1733011200,v0=~,v1=@,v2=~" },
        { "verify: an unknown scheme before t", "v0=0123,t=1733011200,v1=@" },
        { "verify: a v1 of the wrong length next to the right one", "t=1733011200,v1=abc,v1=@" },
        { "verify: a non-hex v1 next to the right one",
          "t=1733011200,v1=zz73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c12,v1=@" },
        { "verify: a 128-digit v1 (two signatures run together) next to the right one", "t=1733011200,v1=@@,v1=@" },
        { "verify: an entry whose value holds '='", "t=1733011200,v1=@,v0=a=b" },
        { "verify: other keys are ignored", "t=1733011200,v1=@,scheme=v9,foo=bar" }
    };
    char hex[65], header[512];
    size_t i;
    event_signature(hex);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        expand_header(rows[i].header, hex, header, sizeof header);
        CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE), OK);
        if (test_str_equal(rows[i].header, "t=1733011200,v1=#"))   /* the '#' really is another spelling */
            CHECK(strcmp(header + strlen("t=1733011200,v1="), hex) != 0);
        test_end();
    }
}

/* ---- stripe_connect_webhook_verify: what has no matching v1 ------------------------------------- */

static void test_verify_rejected_signatures(void)
{
    static const struct { const char *name, *header; } rows[] = {
        { "verify: no match: a signature of other bytes", "t=1733011200,v1=~" },
        { "verify: no match: several v1, none right", "t=1733011200,v1=~,v1=~,v1=~" },
        { "verify: no match: the right signature under v0 only", "t=1733011200,v0=@" },
        { "verify: no match: the right signature under v2 only, v1 wrong", "t=1733011200,v2=@,v1=~" },
        { "verify: no match: the right signature under \"v\" (a prefix of v1)", "t=1733011200,v=@" },
        { "verify: no match: the right signature under \"v10\"", "t=1733011200,v10=@" },
        { "verify: no match: the right signature under \"tv1\", t given", "t=1733011200,tv1=@" },
        { "verify: no match: v1 of 63 digits",
          "t=1733011200,v1=1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c1" },
        { "verify: no match: v1 of 65 digits", "t=1733011200,v1=@0" },
        { "verify: no match: v1 of 128 digits", "t=1733011200,v1=@@" },
        { "verify: no match: v1 with a non-hex digit 'g'",
          "t=1733011200,v1=1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c1g" },
        { "verify: no match: v1 with a 0x prefix",
          "t=1733011200,v1=0x1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339c" },
        { "verify: no match: v1 with a space inside",
          "t=1733011200,v1=1a73c48ef1df61fc53e88f8c2f8141a62d3d327632577e3c9c180c76a4339 12" },
        { "verify: no match: the right signature with a trailing space", "t=1733011200,v1=@ " },
        { "verify: no match: the right signature with a trailing newline", "t=1733011200,v1=@\n" }
    };
    char hex[65], header[512];
    size_t i;
    event_signature(hex);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        expand_header(rows[i].header, hex, header, sizeof header);
        CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE), SIGNATURE);
        CHECK_RESULT(verify_event(header, 0, T_VALUE), SIGNATURE);
        test_end();
    }
}

/* Headers that cannot be parsed: ERR_SIGNATURE even though the '@' in them is the right signature
   of the timestamp text as written (signed_t), and with the time check off. */
static void test_verify_malformed_headers(void)
{
    static const struct { const char *name, *header, *signed_t; } rows[] = {
        { "verify: malformed: the empty header", "", T_TEXT },
        { "verify: malformed: \"t=\"", "t=", T_TEXT },
        { "verify: malformed: \"t=\" and a v1", "t=,v1=@", "" },
        { "verify: malformed: \"v1=abc\"", "v1=abc", T_TEXT },
        { "verify: malformed: no t", "v1=@", T_TEXT },
        { "verify: malformed: a t and no v1", "t=1733011200", T_TEXT },
        { "verify: malformed: two t, side by side", "t=1733011200,t=1733011200,v1=@", T_TEXT },
        { "verify: malformed: two t, apart", "t=1733011200,v1=@,t=1733011200", T_TEXT },
        { "verify: malformed: two different t", "t=1733011200,t=1733011201,v1=@", T_TEXT },
        { "verify: malformed: t with a plus sign", "t=+1733011200,v1=@", "+1733011200" },
        { "verify: malformed: t with a minus sign", "t=-1733011200,v1=@", "-1733011200" },
        { "verify: malformed: t with letters", "t=17330x1200,v1=@", "17330x1200" },
        { "verify: malformed: t in hex", "t=0x674ba100,v1=@", "0x674ba100" },
        { "verify: malformed: t with a fraction", "t=1733011200.5,v1=@", "1733011200.5" },
        { "verify: malformed: t of 19 digits", "t=1000000000000000000,v1=@", "1000000000000000000" },
        { "verify: malformed: t of 19 digits with leading zeros", "t=0000000001733011200,v1=@",
          "0000000001733011200" },
        { "verify: malformed: an entry without '='", "t=1733011200,v1=@,junk", T_TEXT },
        { "verify: malformed: an entry without '=' first", "junk,t=1733011200,v1=@", T_TEXT },
        { "verify: malformed: a trailing comma", "t=1733011200,v1=@,", T_TEXT },
        { "verify: malformed: a leading comma", ",t=1733011200,v1=@", T_TEXT },
        { "verify: malformed: an empty entry \",,\"", "t=1733011200,,v1=@", T_TEXT },
        { "verify: malformed: only commas", ",,", T_TEXT },
        { "verify: malformed: an empty key", "t=1733011200,=@,v1=@", T_TEXT },
        { "verify: malformed: an empty v1 value", "t=1733011200,v1=@,v1=", T_TEXT },
        { "verify: malformed: an empty value of an unknown scheme", "t=1733011200,v0=,v1=@", T_TEXT },
        { "verify: malformed: a space after the comma (\" v1\" is no v1)", "t=1733011200, v1=@", T_TEXT },
        { "verify: malformed: a space before t", " t=1733011200,v1=@", T_TEXT },
        { "verify: malformed: a space after t=", "t= 1733011200,v1=@", " 1733011200" },
        { "verify: malformed: a space after the timestamp", "t=1733011200 ,v1=@", "1733011200 " },
        { "verify: malformed: a space before '='", "t =1733011200,v1=@", T_TEXT },
        { "verify: malformed: ';' as the separator", "t=1733011200;v1=@", T_TEXT },
        { "verify: malformed: upper-case T", "T=1733011200,v1=@", T_TEXT },
        { "verify: malformed: upper-case V1 (no v1)", "t=1733011200,V1=@", T_TEXT }
    };
    char hex[65], header[512];
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        stripe_signature(SECRET, rows[i].signed_t, S(DEAUTHORIZED_EVENT), hex, 0);
        expand_header(rows[i].header, hex, header, sizeof header);
        CHECK_RESULT(verify_event(header, 0, T_VALUE), SIGNATURE);
        CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE), SIGNATURE);
        test_end();
    }
}

/* The limits of the timestamp's shape that are accepted: 1 and 18 digits, leading zeros (the
   signed text is the timestamp as written). */
static void test_verify_timestamp_digits(void)
{
    static const char *const timestamps[] = { "0", "7", "999999999999999999", "001733011200" };
    char hex[65], header[128];
    size_t i;
    for (i = 0; i < sizeof timestamps / sizeof timestamps[0]; i++) {
        stripe_signature(SECRET, timestamps[i], S(DEAUTHORIZED_EVENT), hex, 0);
        snprintf(header, sizeof header, "t=%s,v1=%s", timestamps[i], hex);
        CHECK_RESULT(verify_event(header, 0, T_VALUE), OK);
    }
    /* leading zeros: the value is the number, the signed text the digits as written */
    stripe_signature(SECRET, "001733011200", S(DEAUTHORIZED_EVENT), hex, 0);
    snprintf(header, sizeof header, "t=001733011200,v1=%s", hex);
    CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE + TOLERANCE), OK);
    CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE + TOLERANCE + 1), SIGNATURE);
    stripe_signature(SECRET, T_TEXT, S(DEAUTHORIZED_EVENT), hex, 0);
    snprintf(header, sizeof header, "t=001733011200,v1=%s", hex);   /* signed without the zeros */
    CHECK_RESULT(verify_event(header, 0, T_VALUE), SIGNATURE);
}

/* ---- stripe_connect_webhook_verify: the time check --------------------------------------------- */

static void test_verify_tolerance(void)
{
    static const struct { const char *name; long tolerance; int64_t now; stripe_connect_result want; } rows[] = {
        { "verify: time: now == t", TOLERANCE, T_VALUE, OK },
        { "verify: time: stale by exactly the tolerance is accepted", TOLERANCE, T_VALUE + 300, OK },
        { "verify: time: stale by tolerance + 1 is rejected", TOLERANCE, T_VALUE + 301, SIGNATURE },
        { "verify: time: future by exactly the tolerance is accepted", TOLERANCE, T_VALUE - 300, OK },
        { "verify: time: future by tolerance + 1 is rejected", TOLERANCE, T_VALUE - 301, SIGNATURE },
        { "verify: time: a day stale is rejected", TOLERANCE, T_VALUE + 86400, SIGNATURE },
        { "verify: time: tolerance 0 disables the check (a year stale)", 0, T_VALUE + 31536000, OK },
        { "verify: time: tolerance 0 disables the check (now is 0)", 0, 0, OK },
        { "verify: time: tolerance 0 disables the check (now is INT64_MIN)", 0, INT64_MIN, OK },
        { "verify: time: tolerance 1, one second stale", 1, T_VALUE + 1, OK },
        { "verify: time: tolerance 1, one second in the future", 1, T_VALUE - 1, OK },
        { "verify: time: tolerance 1, two seconds stale", 1, T_VALUE + 2, SIGNATURE },
        { "verify: time: tolerance 1, two seconds in the future", 1, T_VALUE - 2, SIGNATURE },
        { "verify: time: now INT64_MAX, tolerance LONG_MAX: no overflow", LONG_MAX, INT64_MAX,
          LONG_MAX >= INT64_MAX - T_VALUE ? OK : SIGNATURE },
        { "verify: time: now INT64_MIN, tolerance LONG_MAX: no overflow", LONG_MAX, INT64_MIN, SIGNATURE },
        { "verify: time: now negative, tolerance 300", TOLERANCE, -1, SIGNATURE }
    };
    char hex[65], header[128];
    size_t i;
    event_signature(hex);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        CHECK_RESULT(verify_event(header, rows[i].tolerance, rows[i].now), rows[i].want);
        test_end();
    }
}

/* A wrong signature is rejected also when the time is off, and a right one for an old timestamp is
   rejected for its time alone: both are ERR_SIGNATURE. */
static void test_verify_stale_and_wrong(void)
{
    char hex[65], header[128];
    stripe_signature(SECRET, "1", S(DEAUTHORIZED_EVENT), hex, 0);
    snprintf(header, sizeof header, "t=1,v1=%s", hex);
    CHECK_RESULT(verify_event(header, TOLERANCE, T_VALUE), SIGNATURE);
    CHECK_RESULT(verify_event(header, 0, T_VALUE), OK);
    hex[10] = hex[10] == 'a' ? 'b' : 'a';
    snprintf(header, sizeof header, "t=1,v1=%s", hex);
    CHECK_RESULT(verify_event(header, TOLERANCE, 1), SIGNATURE);
}

/* ---- stripe_connect_webhook_verify: one bit flipped anywhere ------------------------------------- */

static void test_verify_payload_bit_flips(void)
{
    char hex[65], header[128], payload[sizeof DEAUTHORIZED_EVENT - 1];
    size_t i, rejected = 0, tried = 0;
    int bit;
    event_signature(hex);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    memcpy(payload, DEAUTHORIZED_EVENT, sizeof payload);
    for (i = 0; i < sizeof payload; i++) {
        for (bit = 0; bit < 8; bit++) {
            payload[i] = (char)(payload[i] ^ (1 << bit));
            rejected += verify(payload, sizeof payload, header, SECRET, 0, T_VALUE) == SIGNATURE;
            tried++;
            payload[i] = (char)(payload[i] ^ (1 << bit));
        }
    }
    CHECK_INT(tried, 373 * 8);
    CHECK_INT(rejected, tried);
    CHECK_RESULT(verify(payload, sizeof payload, header, SECRET, 0, T_VALUE), OK);
    CHECK_RESULT(verify(payload, sizeof payload - 1, header, SECRET, 0, T_VALUE), SIGNATURE);   /* a byte less */
}

/* Each of the MAC's 256 bits flipped, written back as hex, in both cases. */
static void test_verify_signature_bit_flips(void)
{
    unsigned char mac[32];
    char hex[65], header[128];
    size_t i, rejected = 0;
    int bit, upper;
    stripe_connect_hmac_sha256(SECRET, strlen(SECRET), T_TEXT "." DEAUTHORIZED_EVENT,
                               sizeof(T_TEXT "." DEAUTHORIZED_EVENT) - 1, mac);
    for (upper = 0; upper < 2; upper++) {
        for (i = 0; i < 32; i++) {
            for (bit = 0; bit < 8; bit++) {
                mac[i] = (unsigned char)(mac[i] ^ (1 << bit));
                to_hex(mac, 32, hex, upper);
                snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
                rejected += verify_event(header, 0, T_VALUE) == SIGNATURE;
                mac[i] = (unsigned char)(mac[i] ^ (1 << bit));
            }
        }
    }
    CHECK_INT(rejected, 2 * 256);
    to_hex(mac, 32, hex, 0);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(verify_event(header, 0, T_VALUE), OK);
}

/* Each bit of each byte of the secret (none of its bytes has a single bit set, so no flip makes
   a NUL that would shorten it). */
static void test_verify_secret_bit_flips(void)
{
    char hex[65], header[128], secret[] = SECRET;
    size_t i, rejected = 0;
    int bit;
    event_signature(hex);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    for (i = 0; i < sizeof secret - 1; i++) {
        for (bit = 0; bit < 8; bit++) {
            secret[i] = (char)(secret[i] ^ (1 << bit));
            rejected += verify(S(DEAUTHORIZED_EVENT), header, secret, 0, T_VALUE) == SIGNATURE;
            secret[i] = (char)(secret[i] ^ (1 << bit));
        }
    }
    CHECK_INT(rejected, (sizeof secret - 1) * 8);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, secret, 0, T_VALUE), OK);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, SECRET "x", 0, T_VALUE), SIGNATURE);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, "whsec_test_secre", 0, T_VALUE), SIGNATURE);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, "", 0, T_VALUE), SIGNATURE);
}

/* Each bit of each digit of t in the header, the signature left for the original t and the time
   check off: a flip to another digit changes the signed text, a flip to anything else the shape. */
static void test_verify_timestamp_bit_flips(void)
{
    char hex[65], header[128], t[] = T_TEXT;
    size_t i, rejected = 0;
    int bit;
    event_signature(hex);
    for (i = 0; i < sizeof t - 1; i++) {
        for (bit = 0; bit < 8; bit++) {
            t[i] = (char)(t[i] ^ (1 << bit));
            snprintf(header, sizeof header, "t=%s,v1=%s", t, hex);
            rejected += verify_event(header, 0, T_VALUE) == SIGNATURE;
            t[i] = (char)(t[i] ^ (1 << bit));
        }
    }
    CHECK_INT(rejected, (sizeof t - 1) * 8);
}

/* ---- stripe_connect_webhook_verify: payloads and arguments --------------------------------------- */

/* The payload is bytes, not text: NULs, invalid UTF-8 and the empty payload are signed as they are. */
static void test_verify_binary_and_empty_payloads(void)
{
    static const char binary[] = "\0\xff\xfe{\"id\":\0}\x80";
    char hex[65], header[128];
    stripe_signature(SECRET, T_TEXT, binary, sizeof binary - 1, hex, 0);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(verify(binary, sizeof binary - 1, header, SECRET, TOLERANCE, T_VALUE), OK);
    CHECK_RESULT(verify(binary, 3, header, SECRET, TOLERANCE, T_VALUE), SIGNATURE);   /* cut at a NUL */

    stripe_signature(SECRET, T_TEXT, "", 0, hex, 0);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(verify("", 0, header, SECRET, TOLERANCE, T_VALUE), OK);
    CHECK_RESULT(stripe_connect_webhook_verify(NULL, 0, header, SECRET, TOLERANCE, T_VALUE), OK);
}

static void test_verify_empty_secret(void)
{
    char hex[65], header[128];
    stripe_signature("", T_TEXT, S(DEAUTHORIZED_EVENT), hex, 0);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, "", TOLERANCE, T_VALUE), OK);
    CHECK_RESULT(verify(S(DEAUTHORIZED_EVENT), header, SECRET, TOLERANCE, T_VALUE), SIGNATURE);
}

static void test_verify_invalid_arguments(void)
{
    char hex[65], header[128];
    event_signature(hex);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(stripe_connect_webhook_verify(NULL, 1, header, SECRET, TOLERANCE, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), NULL, SECRET, TOLERANCE, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), header, NULL, TOLERANCE, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), header, SECRET, -1, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), header, SECRET, LONG_MIN, T_VALUE), INVALID);
    /* an argument error comes before the header is looked at */
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), "", SECRET, -1, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(NULL, 5, "garbage", SECRET, TOLERANCE, T_VALUE), INVALID);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), header, SECRET, TOLERANCE, T_VALUE), OK);
}

/* ---- stripe_connect_webhook_event_read ----------------------------------------------------------- */

/* The reader on a copy of the payload that ends exactly at len; out starts as 0xAA bytes. */
static stripe_connect_result read_event(const char *payload, size_t len, stripe_connect_webhook_event *out)
{
    char *copy = (char *)exact_copy(payload, len);
    stripe_connect_result r;
    memset(out, 0xAA, sizeof *out);
    r = stripe_connect_webhook_event_read(copy, len, out);
    free(copy);
    return r;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

static void test_event_read_deauthorized(void)
{
    stripe_connect_webhook_event event;
    CHECK_RESULT(read_event(S(DEAUTHORIZED_EVENT), &event), OK);
    CHECK_FIELD(event.id, "evt_1Qx7ZkL4sGm2Yb9TqR3nVw8D");
    CHECK_FIELD(event.type, "account.application.deauthorized");
    CHECK_FIELD(event.account, "acct_1NvX3cQ2eZ7kLmPq");
    CHECK_FIELD(event.object_id, "ca_Qx7ZkL4sGm2Yb9TqR3nVw8DcA1b2C3d");
}

/* The same event as Stripe sends it: pretty-printed with two spaces, a newline at the end, the
   type written with escapes. */
static void test_event_read_pretty_printed_and_escaped(void)
{
    static const char payload[] =
        "{\n  \"id\": \"evt_1Qx7ZkL4sGm2Yb9TqR3nVw8D\",\n  \"object\": \"event\",\n"
        "  \"account\": \"acct_1NvX3cQ2eZ7kLmPq\",\n  \"api_version\": \"2024-06-20\",\n"
        "  \"created\": 1733011200,\n  \"data\": {\n    \"object\": {\n"
        "      \"id\": \"ca_Qx7ZkL4sGm2Yb9TqR3nVw8DcA1b2C3d\",\n      \"object\": \"application\",\n"
        "      \"name\": \"Caf\\u00e9 \\\"Platform\\\"\"\n    }\n  },\n  \"livemode\": false,\n"
        "  \"pending_webhooks\": 1,\n  \"request\": {\n    \"id\": null,\n    \"idempotency_key\": null\n  },\n"
        "  \"type\": \"account\\u002eapplication\\u002Edeauthorized\"\n}\n";
    stripe_connect_webhook_event event;
    CHECK_RESULT(read_event(S(payload), &event), OK);
    CHECK_FIELD(event.id, "evt_1Qx7ZkL4sGm2Yb9TqR3nVw8D");
    CHECK_FIELD(event.type, "account.application.deauthorized");
    CHECK_FIELD(event.account, "acct_1NvX3cQ2eZ7kLmPq");
    CHECK_FIELD(event.object_id, "ca_Qx7ZkL4sGm2Yb9TqR3nVw8DcA1b2C3d");
}

/* An event of the platform's own account has no "account"; one whose object has no id (a
   balance) has no object_id. */
static void test_event_read_optional_fields_absent(void)
{
    stripe_connect_webhook_event event;
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"charge.succeeded\","
                              "\"data\":{\"object\":{\"id\":\"ch_1\",\"object\":\"charge\"}}}"), &event), OK);
    CHECK_FIELD(event.id, "evt_1");
    CHECK_FIELD(event.type, "charge.succeeded");
    CHECK_FIELD(event.account, "");
    CHECK_FIELD(event.object_id, "ch_1");
    CHECK_RESULT(read_event(S("{\"id\":\"evt_2\",\"type\":\"balance.available\","
                              "\"data\":{\"object\":{\"object\":\"balance\",\"available\":[]}}}"), &event), OK);
    CHECK_FIELD(event.account, "");
    CHECK_FIELD(event.object_id, "");
    CHECK_RESULT(read_event(S("{\"type\":\"ping\",\"id\":\"evt_3\"}"), &event), OK);
    CHECK_FIELD(event.id, "evt_3");
    CHECK_FIELD(event.type, "ping");
    CHECK_FIELD(event.object_id, "");
}

/* null counts as absent for the optional fields, as in the token parser; not for id and type. */
static void test_event_read_optional_fields_null(void)
{
    stripe_connect_webhook_event event;
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"type\":\"t\",\"account\":null,"
                              "\"data\":{\"object\":{\"id\":null}}}"), &event), OK);
    CHECK_FIELD(event.id, "evt_1");
    CHECK_FIELD(event.account, "");
    CHECK_FIELD(event.object_id, "");
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"type\":null}"), &event), UNEXPECTED);
    CHECK(all_zero(&event, sizeof event));
}

/* A path through a value that is not an object finds nothing: data, or data.object, of another
   type leaves object_id "" as when absent. A field given twice: the first one counts, as in the
   JSON lookup. */
static void test_event_read_other_shapes_and_repeated_fields(void)
{
    stripe_connect_webhook_event event;
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"type\":\"t\",\"data\":5}"), &event), OK);
    CHECK_FIELD(event.object_id, "");
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"type\":\"t\",\"data\":{\"object\":[\"id\"]}}"), &event), OK);
    CHECK_FIELD(event.object_id, "");
    CHECK_RESULT(read_event(S("{\"id\":\"evt_1\",\"type\":\"t\",\"id\":\"evt_2\",\"type\":7}"), &event), OK);
    CHECK_FIELD(event.id, "evt_1");
    CHECK_FIELD(event.type, "t");
}

/* Every error: the result, and *out zeroed whatever it held. */
static void test_event_read_errors(void)
{
    static const struct { const char *name, *payload; stripe_connect_result want; } rows[] = {
        { "event: no id", "{\"object\":\"event\",\"type\":\"account.application.deauthorized\"}", UNEXPECTED },
        { "event: no type", "{\"id\":\"evt_1\",\"object\":\"event\",\"account\":\"acct_1\"}", UNEXPECTED },
        { "event: an empty object", "{}", UNEXPECTED },
        { "event: id a number", "{\"id\":12,\"type\":\"t\"}", UNEXPECTED },
        { "event: id null", "{\"id\":null,\"type\":\"t\"}", UNEXPECTED },
        { "event: type an object", "{\"id\":\"evt_1\",\"type\":{\"name\":\"t\"}}", UNEXPECTED },
        { "event: account a number", "{\"id\":\"evt_1\",\"type\":\"t\",\"account\":7}", UNEXPECTED },
        { "event: data.object.id a number", "{\"id\":\"evt_1\",\"type\":\"t\",\"data\":{\"object\":{\"id\":1}}}",
          UNEXPECTED },
        { "event: id holding \\u0000", "{\"id\":\"evt_\\u0000x\",\"type\":\"t\"}", UNEXPECTED },
        { "event: a top-level array", "[{\"id\":\"evt_1\",\"type\":\"t\"}]", UNEXPECTED },
        { "event: a top-level string", "\"evt_1\"", UNEXPECTED },
        { "event: malformed: empty", "", MALFORMED },
        { "event: malformed: cut short", "{\"id\":\"evt_1\",\"type\":\"account.application.deauth", MALFORMED },
        { "event: malformed: a trailing comma", "{\"id\":\"evt_1\",\"type\":\"t\",}", MALFORMED },
        { "event: malformed: garbage after the object", "{\"id\":\"evt_1\",\"type\":\"t\"}x", MALFORMED },
        { "event: malformed: broken after the fields read",
          "{\"id\":\"evt_1\",\"type\":\"t\",\"account\":\"acct_1\",\"data\":{\"object\":{\"id\":\"x\"}},\"z\":tru}",
          MALFORMED },
        { "event: malformed: a single quote", "{'id':'evt_1','type':'t'}", MALFORMED },
        { "event: malformed: invalid UTF-8 in a string", "{\"id\":\"evt_\xff\",\"type\":\"t\"}", MALFORMED },
        { "event: malformed: a control character in a string", "{\"id\":\"evt_\n\",\"type\":\"t\"}", MALFORMED },
        { "event: malformed: nested 40 deep",
          "{\"id\":\"evt_1\",\"type\":\"t\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
          "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", MALFORMED }
    };
    stripe_connect_webhook_event event;
    size_t i;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        CHECK_RESULT(read_event(rows[i].payload, strlen(rows[i].payload), &event), rows[i].want);
        CHECK(all_zero(&event, sizeof event));
        test_end();
    }
}

/* A field one byte too long for its array (with the NUL) is ERR_UNEXPECTED_RESPONSE; one byte
   shorter fits. */
static void test_event_read_field_lengths(void)
{
    static const struct { const char *name; const char *before, *after; size_t size; } rows[] = {
        { "event: id at its limit (63 bytes) and over it", "{\"type\":\"t\",\"id\":\"", "\"}", 64 },
        { "event: type at its limit (127 bytes) and over it", "{\"id\":\"evt_1\",\"type\":\"", "\"}", 128 },
        { "event: account at its limit (63 bytes) and over it", "{\"id\":\"evt_1\",\"type\":\"t\",\"account\":\"",
          "\"}", 64 },
        { "event: data.object.id at its limit (255 bytes) and over it",
          "{\"id\":\"evt_1\",\"type\":\"t\",\"data\":{\"object\":{\"id\":\"", "\"}}}", STRIPE_CONNECT_FIELD_MAX }
    };
    stripe_connect_webhook_event event;
    char payload[1024];
    size_t i, extra;
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        test_begin(rows[i].name);
        for (extra = 0; extra < 2; extra++) {
            size_t value_len = rows[i].size - 1 + extra, at = strlen(rows[i].before);
            memcpy(payload, rows[i].before, at);
            memset(payload + at, 'x', value_len);
            memcpy(payload + at + value_len, rows[i].after, strlen(rows[i].after));
            at += value_len + strlen(rows[i].after);
            CHECK_RESULT(read_event(payload, at, &event), extra == 0 ? OK : UNEXPECTED);
            if (extra == 1) CHECK(all_zero(&event, sizeof event));
        }
        test_end();
    }
    /* a value that only fits once unescaped: 63 bytes written as 6-byte escapes */
    {
        size_t at = 0, k;
        memcpy(payload, "{\"type\":\"t\",\"id\":\"", 18);
        at = 18;
        for (k = 0; k < 63; k++) { memcpy(payload + at, "\\u0061", 6); at += 6; }
        memcpy(payload + at, "\"}", 2);
        at += 2;
        test_begin("event: the limit counts decoded bytes, not escapes");
        CHECK_RESULT(read_event(payload, at, &event), OK);
        CHECK_INT(strlen(event.id), 63);
        test_end();
    }
}

static void test_event_read_invalid_arguments(void)
{
    stripe_connect_webhook_event event;
    memset(&event, 0xAA, sizeof event);
    CHECK_RESULT(stripe_connect_webhook_event_read(NULL, 5, &event), INVALID);
    CHECK(all_zero(&event, sizeof event));
    CHECK_RESULT(stripe_connect_webhook_event_read(S(DEAUTHORIZED_EVENT), NULL), INVALID);
    memset(&event, 0xAA, sizeof event);
    CHECK_RESULT(stripe_connect_webhook_event_read(NULL, 0, &event), MALFORMED);   /* the empty document */
    CHECK(all_zero(&event, sizeof event));
}

/* What a platform does with it: verify, then read, then act on the type. */
static void test_verify_then_read(void)
{
    char hex[65], header[128];
    stripe_connect_webhook_event event;
    event_signature(hex);
    snprintf(header, sizeof header, "t=%s,v1=%s", T_TEXT, hex);
    CHECK_RESULT(stripe_connect_webhook_verify(S(DEAUTHORIZED_EVENT), header, SECRET, TOLERANCE, T_VALUE + 5), OK);
    CHECK_RESULT(stripe_connect_webhook_event_read(S(DEAUTHORIZED_EVENT), &event), OK);
    CHECK(strcmp(event.type, "account.application.deauthorized") == 0 && strcmp(event.account, "acct_1NvX3cQ2eZ7kLmPq") == 0);
}

void suite_webhook(void)
{
    test_sha256_fips_examples();
    RUN(test_sha256_one_million_a);
    test_sha256_padding_edges();
    RUN(test_sha256_every_length_to_130);
    RUN(test_sha256_null_data_of_length_zero_is_the_empty_message);
    RUN(test_sha256_null_arguments_write_nothing);
    test_hmac_rfc4231();
    RUN(test_hmac_key_lengths_around_the_block);
    RUN(test_hmac_null_arguments_write_nothing);

    RUN(test_verify_python_vectors);
    RUN(test_verify_signature_computed_here);
    test_verify_accepted_headers();
    test_verify_rejected_signatures();
    test_verify_malformed_headers();
    RUN(test_verify_timestamp_digits);
    test_verify_tolerance();
    RUN(test_verify_stale_and_wrong);
    RUN(test_verify_payload_bit_flips);
    RUN(test_verify_signature_bit_flips);
    RUN(test_verify_secret_bit_flips);
    RUN(test_verify_timestamp_bit_flips);
    RUN(test_verify_binary_and_empty_payloads);
    RUN(test_verify_empty_secret);
    RUN(test_verify_invalid_arguments);

    RUN(test_event_read_deauthorized);
    RUN(test_event_read_pretty_printed_and_escaped);
    RUN(test_event_read_optional_fields_absent);
    RUN(test_event_read_optional_fields_null);
    RUN(test_event_read_other_shapes_and_repeated_fields);
    test_event_read_errors();
    test_event_read_field_lengths();
    RUN(test_event_read_invalid_arguments);
    RUN(test_verify_then_read);
}
