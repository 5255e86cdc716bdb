"""The code's shape holds: lstm_core's imports form no circle (lazy imports inside functions included), no module
runs past 300 lines without saying why at its top, and every task is registered and answers the registry's
questions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lstm_core.config import TASKS
from lstm_core.tasks.base import Task
from lstm_core.tasks.registry import TASKS as REGISTERED
from lstm_core.tasks.registry import claiming, task_for, task_reading

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "lstm_core"
MAX_LINES = 300
# A module past MAX_LINES states its reason in its docstring with these words.
LONG_REASON = "Longer than 300 lines:"


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in (root / PACKAGE).rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the package's modules it imports anywhere in its text (at the top or inside a function), and the
    packages whose __init__ those imports run."""
    known = modules(root)

    def owner(name: str) -> str | None:  # "lstm_core.x.y" names module x.y, or a name defined in module x
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {owner(alias.name) for alias in node.names if alias.name.startswith(PACKAGE)}
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(node.level - 1, 0)):
                    base = base.rpartition(".")[0]
                source = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
                if source.startswith(PACKAGE):
                    targets |= {owner(f"{source}.{alias.name}") for alias in node.names}
        targets -= {None, name}
        # Importing a module first runs its packages' __init__ (those the importer is not inside already): an
        # __init__ that imports more can close a circle no single import line shows.
        for target in list(targets):
            parts = target.split(".")
            targets |= {".".join(parts[:end]) for end in range(2, len(parts))
                        if not name.startswith(".".join(parts[:end]) + ".")}
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = counter
                counter += 1
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph.get(target, ())))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return found


def test_lstm_core_imports_form_no_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "lstm_core.tasks.forecast.pipeline" in graph["lstm_core.jobs.tasks"] | {
        target for targets in graph.values() for target in targets}
    found = cycles(graph)
    assert not found, "import cycles (lazy imports count): " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_cycle_finder_finds_a_planted_cycle(tmp_path):
    package = tmp_path / PACKAGE
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    (package / "a.py").write_text("from lstm_core.inner.b import thing\n")
    (package / "inner" / "b.py").write_text("def thing():\n    from lstm_core import c\n")
    (package / "c.py").write_text("import lstm_core.a\n")
    (package / "d.py").write_text("from lstm_core.a import thing\n")
    assert cycles(import_graph(tmp_path)) == [["lstm_core.a", "lstm_core.c", "lstm_core.inner.b"]]


def test_no_module_runs_past_300_lines_without_its_reason():
    long = []
    for folder in (PACKAGE, "ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > MAX_LINES and LONG_REASON not in (ast.get_docstring(ast.parse(text)) or ""):
                long.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not long, f"over {MAX_LINES} lines with no '{LONG_REASON} …' in the docstring: {', '.join(long)}"


def test_every_task_choice_has_one_registered_task():
    owners = {name: [task.name for task in REGISTERED if name in task.config_tasks] for name in TASKS if name != "auto"}
    assert all(len(names) == 1 for names in owners.values()), owners
    assert {task.name for task in REGISTERED} == {path.name for path in (ROOT / PACKAGE / "tasks").iterdir()
                                                  if (path / "task.py").exists()}
    assert task_for("auto") is task_reading("csv") is task_for("forecast")


@pytest.mark.parametrize("task", REGISTERED, ids=lambda task: task.name)
def test_each_task_answers_every_question_of_the_interface(task):
    required = ("read", "prepare", "runner", "untrained_model", "evaluate", "claims", "cli_prepare", "cli_results",
                "write_outputs", "print_results")
    # The base class answers the command line's questions through the task's `cli` module, the rest not at all.
    left = [name for name in required if getattr(type(task), name) is getattr(Task, name)
            and not callable(getattr(task.cli, name, None))]
    assert not left, f"{task.name} answers none of {left}"
    assert task.reader in {"csv", "text", "text-csv"} and task.label and task.config_tasks and task.headline[0]
    assert isinstance(task, Task)


@pytest.mark.parametrize(("file", "task", "expected"), [
    ("sample:tales", "auto", "text_lm"), ("sample:customer_messages", "auto", "text_classify"),
    ("sample:gestures", "auto", "sequences"), ("sample:noisy_seasonal", "auto", "forecast"),
    ("any.csv", "classify-windows", "sequences"), ("any.txt", "text-lm", "text_lm"),
])
def test_the_command_lines_file_is_claimed_by_its_task(file, task, expected):
    from lstm_core.config import RunConfig

    assert claiming(file, RunConfig(task=task)).name == expected


def test_a_task_that_names_an_attribute_the_interface_lacks_is_refused():
    with pytest.raises(TypeError, match="'lable' is not one of a task's attributes"):
        type("Misspelt", (Task,), {}, name="misspelt", lable="a typo")
