"""The house keeps its shape (docs/architecture.md §0).

* The import contract in pyproject.toml holds: every top-level folder imports only the folders below
  it, imports inside functions included; only the project's wiring may import every app.
* publishing/ holds only its sub-apps.
* An import between top-level folders that is made inside a function says why on its line (or the
  line above): such imports exist for start-up order, never to dodge a circle.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("sites", "serving", "themes", "cms", "publishing", "search", "interaction", "supervision", "demo")
WIRING = ("cms/settings/", "cms/urls.py", "cms/urls_public.py", "cms/wsgi.py")


def product_files():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative and not relative.startswith(WIRING):
                yield relative, path


def imports_inside_functions(tree):
    """(line, module) of every absolute import made inside a function body."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.lineno, child.module))
            visit(child, inside)

    visit(tree, False)
    return found


def test_the_import_contract_holds():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_names_every_top_level_app():
    settings = (ROOT / "cms" / "settings" / "base.py").read_text(encoding="utf-8")
    contract = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for folder in FOLDERS:
        assert f'"{folder}"' in settings or f'"{folder}.' in settings, f"{folder} is not an installed app"
        assert f'"{folder}"' in contract, f"{folder} is missing from the import contract"


def test_publishing_holds_only_its_sub_apps():
    loose = sorted(
        entry.name
        for entry in (ROOT / "publishing").iterdir()
        if entry.name not in ("__init__.py", "__pycache__") and not (entry.is_dir() and (entry / "apps.py").exists())
    )
    assert loose == []


def test_an_import_across_folders_inside_a_function_gives_its_reason():
    unexplained = []
    for relative, path in product_files():
        own = relative.split("/")[0]
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, module in imports_inside_functions(ast.parse("\n".join(lines))):
            if module.split(".")[0] not in FOLDERS or module.split(".")[0] == own:
                continue
            here, above = lines[lineno - 1], lines[lineno - 2] if lineno > 1 else ""
            if "#" not in here and not above.strip().startswith("#"):
                unexplained.append(f"{relative}:{lineno} {module}")
    assert unexplained == []
