# saveimg: build and install the command with its man page and shell completions.
#
#   make                      release build, man page and completions (in $(SCRATCH))
#   make install PREFIX=DIR   install under DIR (default /usr/local); DESTDIR is honoured
#   make uninstall PREFIX=DIR
#
# Installs:
#   $(PREFIX)/bin/saveimg
#   $(PREFIX)/share/man/man1/saveimg.1
#   $(PREFIX)/share/bash-completion/completions/saveimg
#   $(PREFIX)/share/zsh/site-functions/_saveimg
#   $(PREFIX)/share/fish/vendor_completions.d/saveimg.fish
#
# The man page comes from swift-argument-parser's generate-manual tool, the
# completions from `saveimg --generate-completion-script`: both are generated
# from the argument parser, so they always match the binary.

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
CONFIGURATION ?= release
SCRATCH ?= .build-install
# A release binary that does not need the Swift toolchain's libraries at run time,
# linked as a position-dependent executable: the dynamic loader then has no
# relative relocations to apply to the 30 MB of static Swift runtime and
# FoundationEssentials (measured: 5.3 M -> 1.9 M cycles in ld.so, about 1 ms of
# every command's start; BENCHMARKS.md, start-up). The price is no ASLR for the
# executable's own image (shared libraries stay randomised); PIE=1 keeps PIE.
PIE ?=
SWIFT_BUILD_FLAGS ?= $(if $(filter release,$(CONFIGURATION)),--static-swift-stdlib $(if $(PIE),,-Xlinker -no-pie),)

BIN := $(SCRATCH)/$(CONFIGURATION)/saveimg
GEN := $(SCRATCH)/generated
MANPAGE := $(GEN)/man/saveimg.1
BASH_COMPLETION := $(GEN)/completions/saveimg.bash
ZSH_COMPLETION := $(GEN)/completions/_saveimg
FISH_COMPLETION := $(GEN)/completions/saveimg.fish

.PHONY: all build man completions install uninstall deps dev-man

all: build man completions

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIGURATION) --scratch-path $(SCRATCH) --product saveimg $(SWIFT_BUILD_FLAGS)

# swift-argument-parser's generate-manual tool (what `swift package
# generate-manual` runs), built with the same flags so nothing is rebuilt,
# run on the binary that gets installed.
man: build
	$(SWIFT) build -c $(CONFIGURATION) --scratch-path $(SCRATCH) --product generate-manual $(SWIFT_BUILD_FLAGS)
	mkdir -p $(GEN)/man
	$(SCRATCH)/$(CONFIGURATION)/generate-manual $(BIN) --output-directory $(GEN)/man
	# mdoc warns about blank lines (paragraph breaks in --help text): make them .Pp.
	sed -i 's/^$$/.Pp/' $(MANPAGE)

# The man page of the debug build `swift build` makes (.build/debug/saveimg), without a release
# build: `make dev-man && man -l .build/generated/man/saveimg.1` (about 15 s the first time).
dev-man:
	$(MAKE) man CONFIGURATION=debug SCRATCH=.build

completions: build
	mkdir -p $(GEN)/completions
	$(BIN) --generate-completion-script bash > $(BASH_COMPLETION)
	$(BIN) --generate-completion-script zsh > $(ZSH_COMPLETION)
	$(BIN) --generate-completion-script fish > $(FISH_COMPLETION)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/saveimg
	install -m 644 $(MANPAGE) $(DESTDIR)$(PREFIX)/share/man/man1/saveimg.1
	install -m 644 $(BASH_COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/saveimg
	install -m 644 $(ZSH_COMPLETION) $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_saveimg
	install -m 644 $(FISH_COMPLETION) $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/saveimg.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/saveimg $(DESTDIR)$(PREFIX)/share/man/man1/saveimg.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/saveimg \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_saveimg \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/saveimg.fish
