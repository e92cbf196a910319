# The two commands of the README, plus a few conveniences. Each installs what it needs first.
.PHONY: run test test-rust test-browser setup dev

# Install what is missing, build in release mode and serve on http://127.0.0.1:3000 (SQLite under data/).
run:
	.ci/setup
	PATH="$(CURDIR)/end2end/node_modules/.bin:$$PATH" cargo leptos serve --release --split

# Install what is missing (Chromium and npm packages too) and run every test: unit, integration, browser.
test:
	.ci/test

setup:
	.ci/setup --browser

dev:
	.ci/setup
	cargo leptos watch --split
