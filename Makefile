# Makefile - builds and checks stripe_connect.h (GNU make). Build outputs go to build/ only.
#
#   make            the unit tests: build/unit_tests
#   make test       the dependency check (tests/deps.sh), then everything tests/run.sh runs:
#                   unit tests (plain, ASan+UBSan with gcc and with clang), the compile
#                   matrix, the CMake consumers and the install; ends with "N passed, N failed"
#   make install    stripe_connect.h (and adapters/*.h) to $(PREFIX)/include, the pkg-config
#                   file to $(PKGCONFIGDIR); PREFIX=/usr/local, DESTDIR honoured
#   make uninstall  removes what make install put in place
#   make demo       installs what is missing, builds build/stripe-connect, starts the local
#                   Stripe stand-in and walks the whole OAuth flow against it (examples/demo.sh)
#   make clean      removes build/

CC    ?= cc
GCC   ?= gcc
CLANG ?= clang

PREFIX       ?= /usr/local
INCLUDEDIR   ?= $(PREFIX)/include
# A header-only library is architecture-independent, so its .pc file goes to share/.
PKGCONFIGDIR ?= $(PREFIX)/share/pkgconfig
INSTALL      ?= install

WARNINGS     = -Wall -Wextra -Wpedantic -Wshadow -Werror
UNIT_CFLAGS  = -std=c99 -O1 -g $(WARNINGS)
SANITIZE     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CPPFLAGS     = -I.

UNIT_SOURCES = tests/unit/main.c tests/unit/test.c $(sort $(wildcard tests/unit/test_*.c))
UNIT_NAMES   = $(notdir $(UNIT_SOURCES:.c=))

# The version, from the header's STRIPE_CONNECT_VERSION_MAJOR/MINOR/PATCH macros.
VERSION := $(shell awk '$$2 == "STRIPE_CONNECT_VERSION_MAJOR" { a = $$3 } \
                        $$2 == "STRIPE_CONNECT_VERSION_MINOR" { b = $$3 } \
                        $$2 == "STRIPE_CONNECT_VERSION_PATCH" { c = $$3 } \
                        END { print a "." b "." c }' stripe_connect.h)
ADAPTERS := $(wildcard adapters/*.h)

.PHONY: all test unit-variants install uninstall demo clean

all: build/unit_tests

# ---- The unit tests: one object per source, so that -j2 compiles two at a time ----------------
# build/unit/       the normal build ($(CC))
# build/asan-gcc/   ASan + UBSan with gcc
# build/asan-clang/ ASan + UBSan with clang

build/unit_tests: $(UNIT_NAMES:%=build/unit/%.o)
	$(CC) $(UNIT_CFLAGS) -o $@ $^

build/asan-gcc/unit_tests: $(UNIT_NAMES:%=build/asan-gcc/%.o)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) -o $@ $^

build/asan-clang/unit_tests: $(UNIT_NAMES:%=build/asan-clang/%.o)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) -o $@ $^

build/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

build/asan-gcc/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -MMD -MP -c $< -o $@

build/asan-clang/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -MMD -MP -c $< -o $@

unit-variants: build/unit_tests build/asan-gcc/unit_tests build/asan-clang/unit_tests

-include $(wildcard build/unit/*.d build/asan-gcc/*.d build/asan-clang/*.d)

# ---- BEGIN curl adapter: adapters/stripe_connect_curl.h and its integration test --------------
# build/test_curl_adapter             tests/integration/test_curl_adapter.c, plain ($(CC))
# build/asan-gcc/test_curl_adapter    the same under ASan + UBSan with gcc
# build/asan-clang/test_curl_adapter  the same under ASan + UBSan with clang
# Each runs against a started stand-in: its environment (STAND_IN_STATE, STAND_IN_CERTS,
# STAND_IN_LOG) is described at the top of the test. libcurl's flags come from pkg-config
# (libcurl4-openssl-dev).
CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2> /dev/null)
CURL_LIBS   := $(or $(shell pkg-config --libs libcurl 2> /dev/null),-lcurl)
CURL_TEST_SOURCES = tests/integration/test_curl_adapter.c tests/unit/test.c
CURL_TEST_DEPS    = $(CURL_TEST_SOURCES) tests/unit/test.h stripe_connect.h adapters/stripe_connect_curl.h

build/test_curl_adapter: $(CURL_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CPPFLAGS) -Iadapters $(CURL_CFLAGS) -o $@ $(CURL_TEST_SOURCES) $(CURL_LIBS)

build/asan-gcc/test_curl_adapter: $(CURL_TEST_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters $(CURL_CFLAGS) -o $@ $(CURL_TEST_SOURCES) $(CURL_LIBS)

build/asan-clang/test_curl_adapter: $(CURL_TEST_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters $(CURL_CFLAGS) -o $@ $(CURL_TEST_SOURCES) $(CURL_LIBS)
# ---- END curl adapter ---------------------------------------------------------------------------

# ---- BEGIN mbedTLS adapter: adapters/stripe_connect_mbedtls.h, its tests and example ------------
# build/unit_http/http_reader_tests     tests/unit_http/: the HTTP reader through a fake socket
#                                       layer, plain ($(CC)); build/asan-gcc/ and build/asan-clang/
#                                       hold the same under ASan + UBSan
# build/test_mbedtls_adapter            tests/integration/test_mbedtls_adapter.c, plain ($(CC));
#                                       build/asan-gcc/ and build/asan-clang/ the same under ASan +
#                                       UBSan; run against a started stand-in (its environment,
#                                       STAND_IN_STATE, STAND_IN_CERTS, STAND_IN_LOG, is described
#                                       at the top of the test)
# build/mbedtls_custom_socket           examples/mbedtls_custom_socket.c: a user socket layer
# make mbedtls-adapter                  all of the above
MBEDTLS_LIBS        = -lmbedtls -lmbedx509 -lmbedcrypto
MBEDTLS_HEADERS     = stripe_connect.h adapters/stripe_connect_mbedtls.h
HTTP_READER_SOURCES = tests/unit_http/test_http_reader.c tests/unit/test.c
HTTP_READER_DEPS    = $(HTTP_READER_SOURCES) tests/unit/test.h $(MBEDTLS_HEADERS)
MBEDTLS_TEST_SOURCES = tests/integration/test_mbedtls_adapter.c tests/unit/test.c
MBEDTLS_TEST_DEPS    = $(MBEDTLS_TEST_SOURCES) tests/unit/test.h $(MBEDTLS_HEADERS)

.PHONY: mbedtls-adapter
mbedtls-adapter: build/unit_http/http_reader_tests build/asan-gcc/http_reader_tests \
                 build/asan-clang/http_reader_tests build/test_mbedtls_adapter \
                 build/asan-gcc/test_mbedtls_adapter build/asan-clang/test_mbedtls_adapter \
                 build/mbedtls_custom_socket

build/unit_http/http_reader_tests: $(HTTP_READER_DEPS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CPPFLAGS) -Iadapters -o $@ $(HTTP_READER_SOURCES) $(MBEDTLS_LIBS)

build/asan-gcc/http_reader_tests: $(HTTP_READER_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters -o $@ $(HTTP_READER_SOURCES) $(MBEDTLS_LIBS)

build/asan-clang/http_reader_tests: $(HTTP_READER_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters -o $@ $(HTTP_READER_SOURCES) $(MBEDTLS_LIBS)

build/test_mbedtls_adapter: $(MBEDTLS_TEST_DEPS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CPPFLAGS) -Iadapters -o $@ $(MBEDTLS_TEST_SOURCES) $(MBEDTLS_LIBS)

build/asan-gcc/test_mbedtls_adapter: $(MBEDTLS_TEST_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters -o $@ $(MBEDTLS_TEST_SOURCES) $(MBEDTLS_LIBS)

build/asan-clang/test_mbedtls_adapter: $(MBEDTLS_TEST_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) -Iadapters -o $@ $(MBEDTLS_TEST_SOURCES) $(MBEDTLS_LIBS)

build/mbedtls_custom_socket: examples/mbedtls_custom_socket.c $(MBEDTLS_HEADERS)
	@mkdir -p $(@D)
	$(CC) -std=c99 -O2 -g $(WARNINGS) $(CPPFLAGS) -Iadapters $< -o $@ $(MBEDTLS_LIBS)
# ---- END mbedTLS adapter ------------------------------------------------------------------------

# ---- make test ----------------------------------------------------------------------------------
# The dependency step comes first and fails loudly; tests/run.sh then runs every step, counts
# every case and prints the grand total as its last line. It builds through this Makefile itself.
test:
	@bash tests/deps.sh
	@MAKE="$(MAKE)" CC="$(CC)" GCC="$(GCC)" CLANG="$(CLANG)" bash tests/run.sh

# ---- BEGIN make check and make fuzz: the quality gate (tests/check.sh, tests/check.d/) ---------
# make check   tests/deps.sh (what make test needs), then tests/check.sh: every step script in
#              tests/check.d/ (footprint, memcheck, coverage, analysis, portability, fuzz), each
#              installing what else it needs with apt-get; ends with "N passed, N failed".
#              CHECK_STEPS="footprint memcheck" runs only those steps.
# make fuzz    tests/check.d/fuzz.sh with FUZZ_SECONDS=600: the longer fuzzing run (make check
#              runs the same script with its default, about 60 s)
.PHONY: check fuzz
check:
	@bash tests/deps.sh
	@bash tests/check.sh

fuzz:
	@bash tests/deps.sh
	FUZZ_SECONDS=600 bash tests/check.d/fuzz.sh
# ---- END make check and make fuzz ----------------------------------------------------------------

# ---- Install ------------------------------------------------------------------------------------
# The .pc file is generated at every install, so it always names the PREFIX of that install.
# includedir is written relative to ${prefix} when it can be, so pkg-config --define-prefix works.
PC_INCLUDEDIR = $(if $(filter $(PREFIX)/include,$(INCLUDEDIR)),$${prefix}/include,$(INCLUDEDIR))

install:
	@mkdir -p build
	sed -e 's|@prefix@|$(PREFIX)|g' -e 's|@includedir@|$(PC_INCLUDEDIR)|g' \
	    -e 's|@version@|$(VERSION)|g' stripe_connect.pc.in > build/stripe_connect.pc
	$(INSTALL) -d "$(DESTDIR)$(INCLUDEDIR)" "$(DESTDIR)$(PKGCONFIGDIR)"
	$(INSTALL) -m 644 stripe_connect.h "$(DESTDIR)$(INCLUDEDIR)/stripe_connect.h"
	$(if $(ADAPTERS),$(INSTALL) -m 644 $(ADAPTERS) "$(DESTDIR)$(INCLUDEDIR)/")
	$(INSTALL) -m 644 build/stripe_connect.pc "$(DESTDIR)$(PKGCONFIGDIR)/stripe_connect.pc"

uninstall:
	rm -f "$(DESTDIR)$(INCLUDEDIR)/stripe_connect.h" "$(DESTDIR)$(PKGCONFIGDIR)/stripe_connect.pc"
	$(if $(ADAPTERS),rm -f $(addprefix "$(DESTDIR)$(INCLUDEDIR)/,$(addsuffix ",$(notdir $(ADAPTERS)))))

# ---- BEGIN the command-line tool, the examples and make demo (examples/) -----------------------
# build/stripe-connect          examples/connect_cli.c with both adapters linked in
# build/asan-gcc/stripe-connect, build/asan-clang/stripe-connect   the same under ASan+UBSan
# build/custom_transport        examples/custom_transport.c (plain HTTP, for the stand-in only)
# make demo                     examples/demo.sh: deps, build, certificates, the stand-in, the
#                               flow; stops the stand-in on every path; STRIPE_TRANSPORT=mbedtls
#                               runs it over the mbedTLS adapter
EXAMPLE_CFLAGS   = -std=c99 -O2 -g $(WARNINGS)
EXAMPLE_CPPFLAGS = -I. -Iadapters
CLI_LIBS         = -lcurl -lmbedtls -lmbedx509 -lmbedcrypto
CLI_DEPS         = examples/connect_cli.c examples/example_setup.h stripe_connect.h adapters/stripe_connect_curl.h \
                   adapters/stripe_connect_mbedtls.h

build/stripe-connect: $(CLI_DEPS)
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) $(EXAMPLE_CPPFLAGS) $< -o $@ $(CLI_LIBS)

build/asan-gcc/stripe-connect: $(CLI_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(EXAMPLE_CPPFLAGS) $< -o $@ $(CLI_LIBS)

build/asan-clang/stripe-connect: $(CLI_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(EXAMPLE_CPPFLAGS) $< -o $@ $(CLI_LIBS)

build/custom_transport: examples/custom_transport.c stripe_connect.h
	@mkdir -p $(@D)
	$(CC) $(EXAMPLE_CFLAGS) -I. $< -o $@

demo:
	@MAKE="$(MAKE)" bash examples/demo.sh
# ---- END the command-line tool, the examples and make demo ---------------------------------------

# ---- BEGIN the web example (examples/web_connect.c) and its browser test (tests/e2e/) ----------
# build/stripe-connect-web      examples/web_connect.c: the "Connect with Stripe" page, with both
#                               adapters linked in (`build/stripe-connect-web --port P`)
# build/asan-gcc/stripe-connect-web, build/asan-clang/stripe-connect-web   the same under ASan+UBSan
# make e2e                      tests/check.d/e2e.sh: the flow in headless Chromium against the
#                               stand-in (installs chromium and chromium-driver when missing)
WEB_DEPS = examples/web_connect.c examples/example_setup.h stripe_connect.h adapters/stripe_connect_curl.h \
           adapters/stripe_connect_mbedtls.h
WEB_LIBS = -lcurl -lmbedtls -lmbedx509 -lmbedcrypto

build/stripe-connect-web: $(WEB_DEPS)
	@mkdir -p $(@D)
	$(CC) -std=c99 -O2 -g $(WARNINGS) -I. -Iadapters $< -o $@ $(WEB_LIBS)

build/asan-gcc/stripe-connect-web: $(WEB_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) -I. -Iadapters $< -o $@ $(WEB_LIBS)

build/asan-clang/stripe-connect-web: $(WEB_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) -I. -Iadapters $< -o $@ $(WEB_LIBS)

.PHONY: e2e
e2e:
	@MAKE="$(MAKE)" bash tests/check.d/e2e.sh
# ---- END the web example ------------------------------------------------------------------------

# ---- BEGIN webhooks (issue 8): the verifier on vectors made by Python (tests/integration/) ------
# build/webhook_vectors            tests/integration/webhook_vectors.c: stripe_connect_webhook_verify
#                                  on "secret<TAB>header<TAB>payload-hex<TAB>now<TAB>tolerance" lines
# build/asan-gcc/webhook_vectors, build/asan-clang/webhook_vectors   the same under ASan+UBSan
# make webhooks                    those three, and the tool (plain and ASan+UBSan with gcc) that
#                                  tests/integration/test_webhooks.py drives
WEBHOOK_VECTORS_DEPS = tests/integration/webhook_vectors.c stripe_connect.h

build/webhook_vectors: $(WEBHOOK_VECTORS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CPPFLAGS) $< -o $@

build/asan-gcc/webhook_vectors: $(WEBHOOK_VECTORS_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) $< -o $@

build/asan-clang/webhook_vectors: $(WEBHOOK_VECTORS_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) $(SANITIZE) $(CPPFLAGS) $< -o $@

.PHONY: webhooks
webhooks: build/webhook_vectors build/asan-gcc/webhook_vectors build/asan-clang/webhook_vectors \
          build/stripe-connect build/asan-gcc/stripe-connect
# ---- END webhooks --------------------------------------------------------------------------------

# ---- BEGIN benchmarks (issue 6): bench/ and make bench -------------------------------------------
# build/bench/bench  the benchmark program (bench/*.c; usage at the top of bench/main.c): the
#                    library against cJSON, jsmn, libcurl's URL API and curl_easy_escape, and a
#                    token exchange through the curl adapter against a bare libcurl POST. Always
#                    gcc with BENCH_CFLAGS, the flags the published figures and bench/baseline.txt
#                    were measured with (instruction counts depend on the compiler and its flags).
# make bench         bench/deps.sh (installs libcjson-dev, libjsmn-dev, valgrind, gnuplot-nox...
#                    when missing), then bench/run.py: callgrind instruction counts, memcheck heap
#                    allocations, best-of-7 times, peak stack, scratch sizes; writes
#                    bench/results.md and bench/chart.svg (a few minutes). tests/check.d/bench.sh
#                    guards the counts against bench/baseline.txt in make check.
BENCH_CC      = gcc
BENCH_CFLAGS  = -std=c99 -O2 -g
BENCH_SOURCES = bench/main.c bench/ops_parse.c bench/ops_jsmn.c bench/ops_jsmn_strict.c \
                bench/ops_url.c bench/ops_exchange.c bench/memory.c bench/library.c

build/bench/bench: $(BENCH_SOURCES) bench/bench.h stripe_connect.h adapters/stripe_connect_curl.h
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) $(WARNINGS) $(CPPFLAGS) -Iadapters $(CURL_CFLAGS) -o $@ $(BENCH_SOURCES) \
	    -lcjson $(CURL_LIBS) -pthread

.PHONY: bench
bench:
	@bash bench/deps.sh
	@$(MAKE) --no-print-directory build/bench/bench
	python3 bench/run.py --binary build/bench/bench --flags "$(BENCH_CFLAGS)"
# ---- END benchmarks -------------------------------------------------------------------------------

clean:
	rm -rf build
