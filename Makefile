# 政务网站集群 CMS — the whole setup is `make run`; the whole test suite is `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 0.0.0.0
PORT ?= 8000

.PHONY: run setup venv locale db demo test lint format bench stop clean

run: setup ## install, migrate, seed the demo and serve on :8000
	@echo "[5/5] 启动开发服务器 http://localhost:$(PORT)/ （Ctrl-C 停止；make stop 停止内嵌数据库）"
	@$(MANAGE) cluster_info --port $(PORT)
	@CMS_PUBLIC_PORT=$(PORT) $(MANAGE) runserver $(HOST):$(PORT)

setup: venv locale db demo ## everything but serving

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@echo "[1/5] 创建虚拟环境并安装固定版本的依赖（$(PYTHON)）"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -r requirements.lock
	@touch $@

# The project's own zh_Hans strings (cms/locale/*.po → .mo, pure Python: no msgfmt needed).
locale: venv
	@$(MANAGE) compile_translations

db: venv
	@echo "[2/5] 数据库：$${DATABASE_URL:+DATABASE_URL}$${DATABASE_URL:-内嵌 PostgreSQL（var/pgdata）}"
	@echo "[3/5] 迁移公共模式、站点模板与各站点"
	@$(MANAGE) setup_cluster

demo: db
	@echo "[4/5] 演示站群（已存在则跳过）"
	@$(MANAGE) seed_demo --if-empty

test: setup ## the whole suite against real PostgreSQL
	@bash scripts/system-packages.sh
	@$(BIN)/pytest

lint: venv
	@$(BIN)/ruff format --check .
	@$(BIN)/ruff check .
	@$(BIN)/lint-imports --no-cache
	@$(MANAGE) makemigrations --check --dry-run >/dev/null

format: venv
	@$(BIN)/ruff format .
	@$(BIN)/ruff check --fix .

bench: setup ## print every benchmark's figures
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

stop: ## stop the embedded PostgreSQL
	@$(BIN)/python -m cms.embedded_db stop

clean: stop
	rm -rf var/pgdata var/media var/test-media-*
