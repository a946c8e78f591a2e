"""Hostile input gets a clear error, never a traceback, a hang or all the memory.

A fuzz corpus is generated here from one valid card: alias bombs, deep nesting (YAML, JSON, HTML), values
PyYAML cannot construct, wrong types at every path of ``model-index``, huge numbers, lone surrogates, broken
front matter, hostile tables, ``.eval_results`` files. Every input goes through the real CLI (``show``,
``validate``, ``convert``, ``inspect-tables``, ``extract``) in a child process that a driver script runs under
``resource`` limits set by the harness: 2 GiB of address space and a CPU-time limit for the whole child, and a
CPU-time alarm (``ITIMER_PROF``) per command, so a bomb fails the test instead of eating the machine. Nothing
here asserts wall-clock time. Output goes through strict UTF-8 streams, so a surrogate that reaches the terminal
is a crash too.

``hypothesis`` covers the reader itself (in process, cheaply): any value at any path of ``model-index`` gives
problems with real paths and a row for every metric, and renders.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalcard.card.frontmatter import MAX_ALIASES, MAX_DEPTH, load_yaml_strict, parse_card
from evalcard.errors import CardParseError, InputLimitError
from evalcard.formats.eval_results import read_eval_results_rows
from evalcard.formats.model_index import read_model_index_rows
from evalcard.formats.values import load_json_bounded

MEMORY_LIMIT = 2 * 1024**3  # address space of the child, bytes
CPU_LIMIT_TOTAL = 600  # CPU seconds for the whole child (a backstop)
CPU_LIMIT_EACH = 10  # CPU seconds per command (the issue measured runs over 20 s)

BASE = {
    "license": "mit",
    "model-index": [
        {
            "name": "m",
            "results": [
                {
                    "task": {"type": "text-generation", "name": "Text Generation"},
                    "dataset": {"name": "GSM8K", "type": "openai/gsm8k", "config": "main", "split": "test", "args": {"num_few_shot": 5}},
                    "metrics": [{"type": "exact_match", "value": 71.6, "name": "EM", "args": {"stderr": 0.01}, "verified": False}],
                    "source": {"name": "Leaderboard", "url": "https://example.org/lb"},
                },
                {
                    "task": {"type": "text-generation"},
                    "dataset": {"name": "MMLU", "type": "cais/mmlu"},
                    "metrics": [{"type": "accuracy", "value": 0.62}, {"type": "acc_norm", "value": "0.64"}],
                },
            ],
        }
    ],
}
BODY = "# m\n\n| Benchmark | m |\n|---|---|\n| MMLU | 70.1 |\n| GSM8K | 55.2 |\n"
HUGE = "HUGE_INTEGER_PLACEHOLDER"


def card(data, body: str = BODY) -> str:
    y = yaml.safe_dump(data, sort_keys=False, allow_unicode=False, width=10**9)
    return "---\n" + y.replace(HUGE, "1" * 5000).replace(f"'{'1' * 5000}'", "1" * 5000) + "---\n" + body


def bomb(levels: int = 9, name: str = "b") -> str:
    """``levels`` anchors, each a list of nine aliases of the one before: 9**levels values once expanded."""
    out = [f"{name}0: &{name}0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        out.append(f"{name}{i}: &{name}{i} [" + ", ".join([f"*{name}{i - 1}"] * 9) + "]")
    return "\n".join(out)


MI_HEAD = "model-index:\n- name: m\n  results:\n  - task: {type: text-generation}\n    dataset: {name: D, type: d}\n    metrics:\n"

# cards evalcard cannot read: every command that reads front matter exits 1 with a clear error
UNREADABLE = {
    "alias bomb (lists)": "---\n" + bomb() + "\nmodel-index: *b8\n---\n" + BODY,
    "alias bomb in a metric's extra key": "---\n" + bomb() + "\n" + MI_HEAD + "    - {type: acc, value: 1, x: *b8}\n---\n" + BODY,
    "alias bomb (merge keys)": "---\nm0: &m0 {a: 1, b: 2, c: 3}\n" + "".join(
        f"m{i}: &m{i} [" + ", ".join([f"*m{i - 1}"] * 12) + "]\n" for i in range(1, 7)) + "model-index: *m6\n---\n",
    f"more than {MAX_ALIASES} aliases": "---\na: &a x\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n---\n",
    "recursive alias (list)": "---\nmodel-index: &r [*r]\n---\n",
    "recursive alias (map)": "---\n" + MI_HEAD + "    - &r {type: acc, value: 1, self: *r}\n---\n",
    "YAML 1,000 levels of flow lists": "---\na: " + "[" * 1000 + "]" * 1000 + "\n---\n",
    "YAML 5,000 levels of flow maps": "---\na: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n---\n",
    "YAML 1,500 levels of block maps": "---\n" + "".join("  " * i + f"k{i}:\n" for i in range(1500)) + "---\n",
    "YAML 1,000 levels of block lists": "---\nx:\n" + "".join("  " * i + "-\n" for i in range(1000)) + "---\n",
    "nesting inside model-index": "---\n" + MI_HEAD + "    - {type: acc, value: 1, args: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}\n---\n",
    "impossible date": "---\nlicense: mit\ndate: 2024-13-45\n---\n",
    "!!float that is not a number": "---\na: !!float abc\n---\n",
    "!!binary that is not base64": "---\na: !!binary 'a'\n---\n",
    "python object tag": "---\na: !!python/object/apply:os.system ['true']\n---\n",
    "unhashable key": "---\n? [a, b]\n: 1\n---\n",
    "duplicate key": "---\nlicense: mit\nlicense: apache-2.0\n---\n",
    "tab indentation": "---\ntags:\n\t- a\n---\n",
    "NUL byte": "---\nlicense: mit\n---\nbody\x00\n",
    "unclosed front matter": "---\nlicense: mit\nmodel-index:\n- name: m\n",
    "trailing space after the opening ---": "--- \nlicense: mit\n---\nbody\n",
    "front matter is a list": "---\n- a\n- b\n---\n",
    "a two-document front matter": "---\na: 1\n...\nb: 2\n---\n",
}

# readable cards with hostile values: no crash, every metric shown, validate fails exactly when there are errors
HUGE_VALUES = {
    "5,000-digit integer value": MI_HEAD + "    - {type: acc, value: " + "9" * 5000 + "}\n",
    "5,000-digit hex value": MI_HEAD + "    - {type: acc, value: 0x" + "f" * 5000 + "}\n",
    "400-digit integer value": MI_HEAD + "    - {type: acc, value: " + "9" * 400 + "}\n",
    "400-digit integer stderr": MI_HEAD + "    - {type: acc, value: 1, args: {stderr: " + "9" * 400 + "}}\n",
    "1e400": MI_HEAD + "    - {type: acc, value: 1.0e+400}\n",
    "1e400 as a string": MI_HEAD + "    - {type: acc, value: '1e400'}\n",
    ".inf and .nan": MI_HEAD + "    - {type: acc, value: .inf}\n    - {type: acc2, value: .nan}\n",
    "decimal comma": MI_HEAD + "    - {type: acc, value: '0,857'}\n",
    "words": MI_HEAD + "    - {type: acc, value: about fifty}\n",
    "lone surrogates in names": "model-index:\n- name: \"m\\ud800\"\n  results:\n  - task: {type: \"t\\udfff\"}\n"
    "    dataset: {name: \"D\\ud83d\", type: d}\n    metrics:\n    - {type: \"acc\\udc00\", value: 1, name: \"\\ud800\"}\n",
    "stderr as a string": MI_HEAD + "    - {type: acc, value: 1, args: {stderr: '0.01'}}\n",
    "a 100 kB string value": MI_HEAD + "    - {type: acc, value: '" + "x" * 100_000 + "'}\n",
    "source: {name: 5}": MI_HEAD + "    - {type: acc, value: 1}\n    source: {name: 5}\n",
    "flow-mapping front matter": None,  # whole card below
}

TABLES = {
    "HTML tables nested 3,000 deep": "# m\n\n" + "<table><tr><td>" * 3000 + "1" + "</td></tr></table>" * 3000 + "\n",
    "divs nested 5,000 deep in a cell": "# m\n\n<table><tr><td>MMLU</td><td>" + "<div>" * 5000 + "70" + "</div>" * 5000 + "</td></tr></table>\n",
    "rowspan x colspan bomb": "# m\n\n<table><tr><th>m</th></tr><tr><td colspan=512 rowspan=5000>1</td></tr>" + "<tr></tr>" * 5000 + "</table>\n",
    "1,000-column markdown table": "# m\n\n|" + "m|" * 1000 + "\n|" + "-|" * 1000 + "\n" + ("|" + "1|" * 1000 + "\n") * 50,
    "20,000 delimiter rows": "# m\n\n| a | m |\n" + "|---|---|\n" * 20000,
    "10,000 unclosed <table": "# m\n\n" + "<table><tr><td>1\n" * 10000,
    "unclosed comment and fence": "# m\n\n<!-- \n```\n| a | m |\n|---|---|\n| x | 1 |\n",
    "sup nesting": "# m\n\n<table><tr><td>MMLU</td><td>70" + "<sup>" * 3000 + "*" + "</sup>" * 3000 + "</td></tr></table>\n",
}


def wrong_type_cards() -> dict[str, tuple[str, dict]]:
    """A wrong value at every path of BASE's model-index (three values per path, rotating through the list)."""
    wrong = [["a", "b"], {"k": {"n": 1}}, 5, 2.5, True, None, 10**400, HUGE, "0,857", "x\ud800y", "", dt.date(2024, 1, 1), "about fifty"]
    paths: list[tuple] = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))

    walk(BASE["model-index"], ())
    out = {}
    for n, path in enumerate(paths):
        for k in range(3):
            value = wrong[(3 * n + k) % len(wrong)]
            data = copy.deepcopy(BASE)
            if path:
                parent = data["model-index"]
                for p in path[:-1]:
                    parent = parent[p]
                parent[path[-1]] = value
            else:
                data["model-index"] = value
            label = "model-index" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) + f" = {value!r}"[:60]
            out[label] = (card(data), data)
    return out


DRIVER = r"""
import contextlib, io, json, signal, sys, traceback
import click
from evalcard.cli.main import cli

class Slow(BaseException):
    pass

def alarm(signum, frame):
    raise Slow()

class Tty(io.TextIOWrapper):
    def isatty(self):
        return True

signal.signal(signal.SIGPROF, alarm)
cases = json.load(open(sys.argv[1]))
limit = float(sys.argv[3])
results = []
for case in cases:
    buf = io.BytesIO()
    stream = (Tty if case.get("tty") else io.TextIOWrapper)(buf, encoding="utf-8", errors="strict", write_through=True)
    rc, crash = None, None
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            try:
                rc = cli.main(case["args"], prog_name="evalcard", standalone_mode=False)
            except SystemExit as e:
                rc = e.code
            except click.ClickException as e:
                e.show()
                rc = e.exit_code
    except Slow:
        crash = f"over {limit} s of CPU time"
    except BaseException as e:
        crash = "".join(traceback.format_exception(e))[-3000:]
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    results.append({"rc": 0 if rc is None else rc, "crash": crash, "output": buf.getvalue().decode("utf-8", "replace")[-2_000_000:]})
json.dump(results, open(sys.argv[2], "w"))
"""


def run_cli(tmp_path: Path, cases: list[dict], *, memory: int = MEMORY_LIMIT, cpu_each: float = CPU_LIMIT_EACH,
            cpu_total: int = CPU_LIMIT_TOTAL) -> list[dict]:
    """Run each case's argv through the CLI in one child process under the resource limits."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_total, cpu_total))

    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, str(driver), str(tmp_path / "cases.json"), str(out), str(cpu_each)],
        preexec_fn=limits, capture_output=True, text=True, timeout=3000, cwd=tmp_path,
    )
    assert proc.returncode == 0 and out.exists(), f"the driver died (rc {proc.returncode}; memory or CPU limit?):\n{proc.stderr[-3000:]}"
    return json.loads(out.read_text())


COMMANDS = (["show"], ["show", "--json"], ["validate"], ["convert"], ["inspect-tables"], ["extract", "--model", "m"])


def _write(tmp_path: Path, name: str, text: str | bytes, files: dict[str, str] | None = None) -> Path:
    d = tmp_path / f"c{abs(hash(name)) % 10**10}"
    d.mkdir()
    f = d / "README.md"
    f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    for rel, content in (files or {}).items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(content)
    return f


def _check_clean(label: str, args: list[str], res: dict) -> None:
    assert res["crash"] is None, f"{label}: evalcard {' '.join(args)} crashed:\n{res['crash']}"
    assert "Traceback" not in res["output"], f"{label}: evalcard {' '.join(args)} printed a traceback:\n{res['output']}"
    assert res["rc"] in (0, 1, 2), f"{label}: exit code {res['rc']}"


def test_hostile_cards_through_the_cli(tmp_path):
    inputs: list[tuple[str, Path, str]] = []  # (label, file, kind)
    for label, text in UNREADABLE.items():
        inputs.append((label, _write(tmp_path, label, text), "unreadable"))
    for label, front in HUGE_VALUES.items():
        text = "---\n{license: mit, # a comment a rewrite would drop\n tags: [a]}\n---\n" + BODY if front is None else "---\n" + front + "---\n" + BODY
        inputs.append((label, _write(tmp_path, label, text), "readable"))
    for label, body in TABLES.items():
        inputs.append((label, _write(tmp_path, label, "---\nlicense: mit\n---\n" + body), "readable"))
    inputs.append(("not UTF-8", _write(tmp_path, "not UTF-8", b"---\nlicense: mit\n---\n\xff\xfe body\n"), "unreadable"))
    inputs.append(("JSON log 5,000 levels deep", _write(tmp_path, "json", '{"results": ' + "[" * 5000 + "]" * 5000 + "}"), "no front matter"))
    inputs.append(("first line is a rule", _write(tmp_path, "rule", "---\n" + BODY), "no front matter"))
    inputs.append(("alias bomb in .eval_results", _write(tmp_path, "er", card(BASE), {".eval_results/x.yaml": "---\n" + bomb() + "\nlist: *b8\n"}), "readable"))
    inputs.append(("wrong types in .eval_results", _write(tmp_path, "er2", card(BASE), {".eval_results/x.yaml": yaml.safe_dump(
        [{"dataset": {"id": ["a"], "task_id": {"x": 1}}, "value": "0,5", "source": {"url": 5, "name": []}, "date": 5, "data": 5, "error": "x"},
         {"dataset": {"id": "d", "task_id": "t"}, "value": 10**400, "verifyToken": 5}, "just a string"])}), "readable"))

    cases, meta = [], []
    for label, f, kind in inputs:
        for cmd in COMMANDS:
            cases.append({"args": cmd + [str(f)]})
            meta.append((label, cmd, kind))
        cases.append({"args": ["show", str(f)], "tty": True})  # rich's renderer, as on a terminal
        meta.append((label, ["show", "(tty)"], kind))
    results = run_cli(tmp_path, cases)

    for (label, cmd, kind), res in zip(meta, results):
        _check_clean(label, cmd, res)
        if kind == "unreadable" and cmd[0] in ("show", "validate", "convert", "extract"):
            assert res["rc"] == 1, f"{label}: evalcard {' '.join(cmd)} exit {res['rc']} on a card it cannot read:\n{res['output']}"
            assert any(w in res["output"] for w in ("Error:", "error:", "cannot be read", "\"error\"")), res["output"]
        if kind == "no front matter" and cmd == ["validate"]:
            assert res["rc"] == 2, f"{label}: validate without front matter: exit {res['rc']}\n{res['output']}"
            assert len(res["output"].strip().splitlines()) == 1 and "no front matter" in res["output"]
        if kind == "readable" and cmd[0] == "show":
            assert res["rc"] == 0, f"{label}: show exit {res['rc']}:\n{res['output']}"


def test_big_legitimate_inputs_stay_within_small_limits(tmp_path):
    """20,000 results in a card and a 10 MB markdown table, under 1 GiB of address space and 20 s of CPU per
    command. Before the fixes `show` needed about 2 ms of CPU per result (40 s here) and `extract` 110 MB per MB of
    table (over 1 GiB here); bench/big_inputs.py prints the figures."""
    results = "".join(
        f"  - task: {{type: text-generation}}\n    dataset: {{name: B{i}, type: org/b{i}}}\n    metrics:\n"
        f"    - {{type: accuracy, value: 0.{i % 1000:03d}, args: {{stderr: 0.01}}}}\n    source: {{name: LB, url: 'https://e.org/{i}'}}\n"
        for i in range(20_000)
    )
    big_card = _write(tmp_path, "big card", "---\nmodel-index:\n- name: m\n  results:\n" + results + "---\n# m\n")
    rows = "".join(f"| model-{i} | {40 + i % 50}.1 | {30 + i % 60}.2 | {50 + i % 40}.3 |\n" for i in range(300_000))
    big_table = _write(tmp_path, "big table", "# m\n\n| Model | MMLU | GSM8K | ARC |\n|---|---|---|---|\n| m | 70.1 | 55.2 | 60.3 |\n" + rows)
    assert big_table.stat().st_size > 10_000_000
    cases = [{"args": ["show", str(big_card)]}, {"args": ["validate", "--json", str(big_card)]},
             {"args": ["extract", "--model", "m", "--json", str(big_table)]}, {"args": ["inspect-tables", "--json", str(big_table)]}]
    shown, valid, extracted, inspected = run_cli(tmp_path, cases, memory=1024**3, cpu_each=20, cpu_total=120)
    for case, res in zip(cases, (shown, valid, extracted, inspected)):
        _check_clean("big input", case["args"], res)
    assert shown["rc"] == 0 and "B19999" in shown["output"]
    assert json.loads(valid["output"])["results"] == 20_000
    assert extracted["rc"] == 0, extracted["output"][:2000]
    assert {r["benchmark"]: r["value"] for r in json.loads(extracted["output"])["results"]} == {"MMLU": 70.1, "GSM8K": 55.2, "ARC": 60.3}
    table = json.loads(inspected["output"])["tables"][0]
    assert table["n_rows"] == 5000  # the row budget, said so in the table's notes


def _expected_rows(mi) -> int:
    """How many metric mappings a model-index holds where the reader can find them (independent of evalcard)."""
    n = 0
    for entry in mi if isinstance(mi, list) else []:
        results = entry.get("results") if isinstance(entry, dict) else None
        for res in results if isinstance(results, list) else []:
            metrics = res.get("metrics") if isinstance(res, dict) else None
            n += sum(isinstance(m, dict) for m in (metrics if isinstance(metrics, list) else []))
    return n


def test_wrong_types_at_every_path_through_the_cli(tmp_path):
    cards = wrong_type_cards()
    assert len(cards) > 60
    cases, meta = [], []
    for label, (text, data) in cards.items():
        f = _write(tmp_path, label, text)
        for cmd in (["show", "--json"], ["show"], ["validate", "--json"], ["convert"], ["extract", "--model", "m"]):
            cases.append({"args": cmd + [str(f)]})
            meta.append((label, cmd, data))
    results = run_cli(tmp_path, cases)
    for (label, cmd, data), res in zip(meta, results):
        _check_clean(label, cmd, res)
        if cmd == ["show", "--json"]:
            assert res["rc"] == 0, f"{label}: {res['output']}"
            shown = json.loads(res["output"])
            rows = shown["results"] + shown["invalid"]
            assert len(rows) == _expected_rows(data["model-index"]), f"{label}: show lists {len(rows)} results"
            assert all(row["problems"] for row in shown["invalid"]), f"{label}: an invalid result without its problem"
        if cmd == ["validate", "--json"]:
            report = json.loads(res["output"])
            has_errors = any(p["severity"] == "error" for p in report["problems"])
            assert res["rc"] == (1 if has_errors else 0), f"{label}: validate exit {res['rc']} with problems {report['problems']}"
            for p in report["problems"]:
                assert p["path"].startswith("model-index"), p


def test_every_wrong_value_at_every_path_is_a_problem_with_that_path():
    """In process, all of them: a value of the wrong type where a string or number belongs is an error at exactly
    that path (never a TypeError, never silently coerced)."""
    string_fields = {("name",), ("task", "type"), ("task", "name"), ("dataset", "name"), ("dataset", "type"), ("dataset", "config"),
                     ("dataset", "split"), ("source", "name"), ("source", "url"), ("metrics", 0, "type"), ("metrics", 0, "name")}
    for field in sorted(string_fields):
        for bad in (["a"], {"k": 1}, 5, 2.5, True, dt.date(2024, 1, 1)):
            data = copy.deepcopy(BASE["model-index"])
            if field == ("name",):
                data[0]["name"] = bad
                path = "model-index[0].name"
            else:
                node = data[0]["results"][0]
                for p in field[:-1]:
                    node = node[p]
                node[field[-1]] = bad
                path = "model-index[0].results[0]." + ".".join(str(p) for p in field).replace(".0.", "[0].")
            rows, problems = read_model_index_rows(data)
            assert any(p.path == path and p.severity == "error" and "must be a string" in p.message for p in problems), (field, bad, problems)
            assert all(isinstance(getattr(r.result, a), (str, type(None))) for r in rows for a in ("task_type", "dataset_id", "source_name", "source_url", "metric_type"))
    for bad in (10**400, "1e400", "0,857", "about fifty", True, [1], float("inf")):
        data = copy.deepcopy(BASE["model-index"])
        data[0]["results"][0]["metrics"][0]["value"] = bad
        rows, problems = read_model_index_rows(data)
        assert not rows[0].usable and rows[0].errors[0].path == "model-index[0].results[0].metrics[0].value", (bad, problems)


ANY = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**400), st.floats(), st.text(max_size=8),
              st.sampled_from(["0,857", "1,208", "\ud800", "71.6%", "", "1e400"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["type", "name", "value", "url", "args", "x"]), inner, max_size=3)),
    max_leaves=6,
)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_any_value_anywhere(data):
    from evalcard.cli.results_cmds import _table_text, printable

    mi = copy.deepcopy(BASE["model-index"])
    paths = [p for p in _paths(mi) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent = mi
        try:
            for p in path[:-1]:
                parent = parent[p]
            parent[path[-1]] = data.draw(ANY)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed that path
    rows, problems = read_model_index_rows(mi)
    assert len(rows) == _expected_rows(mi)
    for p in problems:
        assert p.path.startswith("model-index") and p.message
    for row in rows:
        if not row.usable:
            assert row.errors
    text = _table_text(rows)
    printable(text).encode("utf-8")
    json.dumps(printable([r.result.to_dict() for r in rows]), default=str, ensure_ascii=False).encode("utf-8")


def test_limits_are_refused_before_the_document_is_built():
    with pytest.raises(InputLimitError, match="alias bomb") as ei:
        load_yaml_strict(bomb(9) + "\nx: *b8\n")
    assert ei.value.exit_code == 1 and "aliases" in ei.value.hint
    load_yaml_strict(bomb(6) + "\nx: *b5\n")  # 9**6 = 531,441 values: allowed
    with pytest.raises(InputLimitError, match="nested more than"):
        load_yaml_strict("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    load_yaml_strict("a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2))
    with pytest.raises(InputLimitError, match="recursive"):
        load_yaml_strict("a: &a [*a]")
    with pytest.raises(CardParseError, match="month must be in 1..12") as ei:
        parse_card("---\nlicense: mit\nd: 2024-13-45\n---\n")
    assert ei.value.line == 3


def test_huge_integers_are_kept_as_written():
    raw = "---\nseed: " + "7" * 5000 + "\nlicense: mit\n---\nbody\n"
    c = parse_card(raw)
    assert repr(c.data["seed"]) == "<integer of 5000 digits>" and str(c.data["seed"]) == "7" * 5000
    edited = c.with_key("model-index", [{"name": "m", "results": []}])
    assert edited.render().decode().startswith("---\nseed: " + "7" * 5000 + "\nlicense: mit\nmodel-index:")
    assert yaml.safe_dump({"x": c.data["seed"]}) == "x: " + "7" * 5000 + "\n"  # written back as the same integer


def test_table_budgets_hold_for_spans_and_rows():
    from evalcard.card.tables import MAX_CELLS, MAX_COLS, parse_tables

    span = parse_tables("<table><tr><td colspan=512 rowspan=5000>1</td></tr>" + "<tr></tr>" * 5000 + "</table>")[0]
    cell = span.rows[0][0]
    assert cell.colspan * cell.rowspan <= MAX_CELLS  # one cell's copies stay within the budget
    wide = parse_tables("<table>" + "<tr><td colspan=512>1</td></tr>" * 5000 + "<tr>" + "<td>x</td>" * 512 + "</tr></table>")[0]
    assert wide.n_rows * wide.n_cols <= MAX_CELLS + MAX_COLS and any("cells" in n for n in wide.notes)
    md = parse_tables("|" + "m|" * 300 + "\n|" + "-|" * 300 + "\n" + ("|" + "1|" * 300 + "\n") * 1000)[0]
    assert md.n_rows * md.n_cols <= MAX_CELLS + MAX_COLS and any("rows" in n for n in md.notes)


def test_json_is_read_with_a_depth_bound():
    with pytest.raises(InputLimitError, match="nested more than"):
        load_json_bounded("[" * 150 + "]" * 150)
    with pytest.raises(InputLimitError, match="nested more than"):
        load_json_bounded("[" * 100_000 + "]" * 100_000)  # json's own recursion limit
    with pytest.raises(InputLimitError, match="too long"):
        load_json_bounded('{"v": ' + "1" * 5000 + "}")
    assert load_json_bounded('{"a": [[1]]}') == {"a": [[1]]}


def test_eval_results_rows_keep_what_cannot_be_used():
    rows, problems = read_eval_results_rows([
        {"dataset": {"id": "d", "task_id": "t"}, "value": "0,5"},
        {"dataset": {"id": "d", "task_id": "t"}, "value": 0.5, "error": "x", "data": 5},
        {"dataset": {"id": ["d"], "task_id": "t"}, "value": 10**400, "source": {"url": 5}},
    ])
    assert [r.usable for r in rows] == [False, True, False]
    assert "write 0.5" in rows[0].errors[0].message
    assert rows[1].result.extra == {"entry": {"error": "x", "data": 5}}  # kept, not read as huggingface_hub's wrapper keys
    paths = {p.path for p in rows[2].errors}
    assert {".eval_results[2].dataset.id", ".eval_results[2].value", ".eval_results[2].source.url"} <= paths
