"""What a visitor's file can reach: never HTML, never code, never a formula in a download; XSRF stays on."""

from __future__ import annotations

import ast
import csv
import io
import re
import tomllib
from pathlib import Path

import pandas as pd

from lstm_core.safe_export import safe_csv

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = [path for folder in ("lstm_core", "ui", "pages") for path in (ROOT / folder).rglob("*.py")] + \
          [ROOT / "app.py"]


def calls(path: Path) -> list[tuple[str, ast.Call]]:
    """Every call in a file, with the dotted name it calls (e.g. "st.html", "pickle.loads", "eval")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            found.append((ast.unparse(node.func), node))
    return found


def test_the_product_is_scanned():
    names = {path.relative_to(ROOT).as_posix() for path in PRODUCT}
    assert {"app.py", "lstm_core/findings.py", "ui/live.py", "lstm_core/cli/main.py",
            "lstm_core/tasks/forecast/pipeline.py", "lstm_core/tasks/text_lm/corpus.py"} <= names


def test_no_user_string_can_be_rendered_as_html():
    offenders = []
    for path in PRODUCT:
        for name, node in calls(path):
            keywords = {k.arg: k.value for k in node.keywords}
            unsafe = keywords.get("unsafe_allow_html")
            if unsafe is not None and not (isinstance(unsafe, ast.Constant) and unsafe.value is False):
                offenders.append(f"{path.name}: {name}(unsafe_allow_html=...)")
            if name in ("st.html", "html", "components.html", "st.components.v1.html", "components.iframe",
                        "st.components.v1.iframe", "components.declare_component"):
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_no_code_is_run_or_unpickled_from_input():
    forbidden = {"eval", "exec", "compile", "pickle.load", "pickle.loads", "marshal.loads", "dill.load",
                 "joblib.load", "np.load", "numpy.load", "pd.read_pickle", "yaml.load", "os.system",
                 "subprocess.run", "subprocess.Popen", "__import__"}
    found = [f"{path.relative_to(ROOT)}: {name}" for path in PRODUCT for name, _ in calls(path) if name in forbidden]
    imports = [path.name for path in PRODUCT if re.search(r"^\s*(import|from)\s+(pickle|dill|marshal)\b",
                                                          path.read_text(), re.MULTILINE)]
    assert found == [] and imports == []


def test_models_are_only_loaded_in_safe_mode():
    unsafe = []
    for path in PRODUCT:
        text = path.read_text(encoding="utf-8")
        assert "safe_mode=False" not in text, path
        for name, node in calls(path):
            if name.endswith("load_model"):
                keywords = {k.arg: k.value for k in node.keywords}
                mode = keywords.get("safe_mode")
                if not (isinstance(mode, ast.Constant) and mode.value is True):
                    unsafe.append(f"{path.name}: {name} without safe_mode=True")
    assert unsafe == []


def test_xsrf_protection_stays_on_and_uploads_are_capped():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 200
    assert config["browser"]["gatherUsageStats"] is False


def test_downloads_neutralise_formula_cells_and_names():
    table = pd.DataFrame({"=cmd|' /C calc'!A0": ["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "plain", "a=b"],
                          "probability": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]})
    header, *rows = csv.reader(io.StringIO(safe_csv(table).decode(), newline=""))
    assert header == ["'=cmd|' /C calc'!A0", "probability"]
    cells = [row[0] for row in rows]
    assert cells[:6] == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "'\rx"]
    assert cells[6:] == ["plain", "a=b"]
    assert rows[0][1] == "-0.5"  # numbers stay numbers
