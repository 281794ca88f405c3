# The two commands of the README's Quick start.
.PHONY: run test

run: ## install, build or update the index, then serve
	@scripts/setup.sh
	@.venv/bin/cchc index

test: ## install what tests need, then run the whole suite
	@scripts/setup.sh test
	@scripts/install-browser.sh
	@.venv/bin/python -m pytest
