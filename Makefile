# Makefile - builds and checks stripe_connect.h (GNU make). Build outputs go to build/ only.
#
#   make            the unit tests: build/unit_tests
#   make test       the dependency check (tests/deps.sh), then everything tests/run.sh runs:
#                   unit tests (plain, ASan+UBSan with gcc and with clang), the compile
#                   matrix, the CMake consumers and the install; ends with "N passed, N failed"
#   make install    stripe_connect.h (and adapters/*.h) to $(PREFIX)/include, the pkg-config
#                   file to $(PKGCONFIGDIR); PREFIX=/usr/local, DESTDIR honoured
#   make uninstall  removes what make install put in place
#   make demo       the command-line demo (arrives with the adapters)
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

# ---- make test ----------------------------------------------------------------------------------
# The dependency step comes first and fails loudly; tests/run.sh then runs every step, counts
# every case and prints the grand total as its last line. It builds through this Makefile itself.
test:
	@bash tests/deps.sh
	@MAKE="$(MAKE)" CC="$(CC)" GCC="$(GCC)" CLANG="$(CLANG)" bash tests/run.sh

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

# ---- Demo ---------------------------------------------------------------------------------------
demo:
	@echo "make demo: the demo (build/stripe-connect driving the OAuth flow) arrives with the"
	@echo "transport adapters in issue 3; there is nothing to run yet. Try 'make test'."

clean:
	rm -rf build
