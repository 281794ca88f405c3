# The two commands of the README's Quick start.
.PHONY: run test

run: ## install, build or update the index, then serve the web chat
	@scripts/setup.sh
	@.venv/bin/cchc index --quiet
	@.venv/bin/cchc serve

test: ## install what tests need, then run the whole suite
	@scripts/setup.sh test
	@scripts/install-browser.sh
	@scripts/install-ocr.sh
	@scripts/install-office.sh
	@scripts/install-servers.sh
	@.venv/bin/python -m pytest -n auto --dist loadfile  # one worker per core; a module's tests stay together
