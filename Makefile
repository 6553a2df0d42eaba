# Two commands: `make run` (build demo data if missing, start the dashboard) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA := data

.PHONY: run test venv demo-data bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[pipeline]" --group dev
	touch $(STAMP)

venv: $(STAMP)

$(DATA)/events.parquet $(DATA)/articles.parquet: | $(STAMP)
	$(BIN)/python -m pipeline run $(DATA) --out $(DATA) --workers 1

demo-data: $(DATA)/events.parquet

run: $(STAMP) demo-data
	$(BIN)/streamlit run app.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
