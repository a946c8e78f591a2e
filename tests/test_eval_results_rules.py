"""The rules of the ``.eval_results`` reader and writer, table-driven with exact equality: the problems (YAML path,
message, severity) each bad entry gets, the EvalResult read from an entry (usable or shown leniently), the YAML
written for a result, the fields a conversion drops and the file a result goes to."""

import datetime

import pytest

from evalcard.benchmarks import Registry, load_registry
from evalcard.formats import eval_results as er
from evalcard.formats.eval_results import (
    dropped_fields,
    file_name_for,
    read_eval_results,
    read_eval_results_rows,
    task_id_for,
    to_eval_results,
    validate_eval_results,
)
from evalcard.formats.problems import Problem, Row, errors
from evalcard.results import EvalResult

OK_DS = {"id": "acme/private-bench", "task_id": "t"}
W, E = "warning", "error"


# -- Problem / Row ------------------------------------------------------------------------------------------------
def test_problem_renders_and_serialises():
    p = Problem(".eval_results[0].date", "must be a quoted string", "warning")
    assert str(p) == ".eval_results[0].date: must be a quoted string"
    assert p.to_dict() == {"path": ".eval_results[0].date", "message": "must be a quoted string", "severity": "warning"}
    assert Problem("x", "y").to_dict() == {"path": "x", "message": "y", "severity": "error"}
    e = Problem("a", "b")
    assert errors([p, e]) == [e]
    assert Row(None, "r", [p, e]).errors == [e]
    assert Row(None, "r").problems == [] and Row(None, "r").usable is True


# -- validation: one entry, its exact problems --------------------------------------------------------------------
CHECKS = [
    ({"value": 1}, [("f[0].dataset", "is required (a mapping with 'id' and 'task_id')", E)]),
    ({"dataset": None, "value": 1}, [("f[0].dataset", "is required (a mapping with 'id' and 'task_id')", E)]),
    ({"dataset": "acme/bench", "value": 1}, [("f[0].dataset", "must be a mapping", E)]),
    ({"dataset": ["acme/bench"], "value": 1}, [("f[0].dataset", "must be a mapping", E)]),
    ({"dataset": {}, "value": 1}, [("f[0].dataset.id", "is required", E), ("f[0].dataset.task_id", "is required", E)]),
    ({"dataset": {"id": "", "task_id": None}, "value": 1},
     [("f[0].dataset.id", "is required", E), ("f[0].dataset.task_id", "is required", E)]),
    ({"dataset": {"id": 5, "task_id": ["t"]}, "value": 1},
     [("f[0].dataset.id", "must be a string, got int", E), ("f[0].dataset.task_id", "must be a string, got list", E)]),
    ({"dataset": {"id": "x", "task_id": 3.5}, "value": 1}, [("f[0].dataset.task_id", "must be a string, got float", E)]),
    ({"dataset": {**OK_DS, "revision": 5503434}, "value": 1},
     [("f[0].dataset.revision", "must be a string (quote all-digit SHAs)", E)]),
    ({"dataset": {**OK_DS, "revision": None}, "value": 1}, []),
    ({"dataset": {**OK_DS, "revision": "5503434"}, "value": 1}, []),
    ({"dataset": OK_DS}, [("f[0].value", "is required", E)]),
    ({"dataset": OK_DS, "value": None}, [("f[0].value", "is required", E)]),
    ({"dataset": OK_DS, "value": "high"}, [("f[0].value", "not a number: 'high'", E)]),
    ({"dataset": OK_DS, "value": "0.5"}, [("f[0].value", "not a number: '0.5'", E)]),
    ({"dataset": OK_DS, "value": "0,41"}, [("f[0].value", "not a number: '0,41' — a decimal comma? write 0.41", E)]),
    ({"dataset": OK_DS, "value": True}, [("f[0].value", "not a number: True", E)]),
    ({"dataset": OK_DS, "value": float("nan")}, [("f[0].value", "not a number: nan", E)]),
    ({"dataset": OK_DS, "value": [1]}, [("f[0].value", "not a number: [1]", E)]),
    ({"dataset": OK_DS, "value": 0}, []),
    ({"dataset": OK_DS, "value": 1, "date": datetime.date(2026, 1, 15)},
     [("f[0].date", "must be a quoted string (YAML turned it into a date)", W)]),
    ({"dataset": OK_DS, "value": 1, "date": datetime.datetime(2026, 1, 15, 10, 30)},
     [("f[0].date", "must be a quoted string (YAML turned it into a date)", W)]),
    ({"dataset": OK_DS, "value": 1, "date": 20260115},
     [("f[0].date", "must be a quoted string (YAML turned it into a date)", E)]),
    ({"dataset": OK_DS, "value": 1, "date": None}, [("f[0].date", "must be a quoted string (YAML turned it into a date)", E)]),
    ({"dataset": OK_DS, "value": 1, "date": "2026-01-15"}, []),
    ({"dataset": OK_DS, "value": 1, "verifyToken": 12}, [("f[0].verifyToken", "must be a string, got int", E)]),
    ({"dataset": OK_DS, "value": 1, "verifyToken": None}, []),
    ({"dataset": OK_DS, "value": 1, "verifyToken": "eyJ"}, []),
    ({"dataset": OK_DS, "value": 1, "source": "https://x.org"}, [("f[0].source", "must be a mapping with 'url'", E)]),
    ({"dataset": OK_DS, "value": 1, "source": None}, []),
    ({"dataset": OK_DS, "value": 1, "source": {}}, [("f[0].source.url", "is required when source is given", E)]),
    ({"dataset": OK_DS, "value": 1, "source": {"name": "n"}}, [("f[0].source.url", "is required when source is given", E)]),
    ({"dataset": OK_DS, "value": 1, "source": {"url": 7}}, [("f[0].source.url", "must be a string, got int", E)]),
    ({"dataset": OK_DS, "value": 1, "source": {"url": "u", "name": 3, "user": ["a"], "org": 1.5}},
     [("f[0].source.name", "must be a string, got int", E), ("f[0].source.user", "must be a string, got list", E),
      ("f[0].source.org", "must be a string, got float", E)]),
    ({"dataset": OK_DS, "value": 1, "source": {"url": "u", "name": None, "user": "a", "org": "o"}}, []),
    ({"dataset": OK_DS, "value": 1, "notes": 5}, [("f[0].notes", "must be a string", E)]),
    ({"dataset": OK_DS, "value": 1, "notes": None}, []),
    ("acme/bench", [("f[0]", "must be a mapping, got str", E)]),
    (None, [("f[0]", "must be a mapping, got NoneType", E)]),
    # every rule at once, in the order the entry is checked
    ({"dataset": {"id": 1, "revision": 2}, "value": "x", "date": 3, "verifyToken": 4, "source": {"user": 5}, "notes": 6},
     [("f[0].dataset.id", "must be a string, got int", E), ("f[0].dataset.task_id", "is required", E),
      ("f[0].dataset.revision", "must be a string (quote all-digit SHAs)", E), ("f[0].value", "not a number: 'x'", E),
      ("f[0].date", "must be a quoted string (YAML turned it into a date)", E), ("f[0].verifyToken", "must be a string, got int", E),
      ("f[0].source.url", "is required when source is given", E), ("f[0].source.user", "must be a string, got int", E),
      ("f[0].notes", "must be a string", E)]),
]


@pytest.mark.parametrize("entry,expected", CHECKS)
def test_each_bad_entry_gets_its_exact_problems(entry, expected):
    assert [(p.path, p.message, p.severity) for p in validate_eval_results([entry], path="f")] == expected


def test_default_path_is_the_folder():
    bad = [{"dataset": OK_DS}]
    assert validate_eval_results(bad) == [Problem(".eval_results[0].value", "is required")]
    assert read_eval_results(bad)[1] == [Problem(".eval_results[0].value", "is required")]
    assert read_eval_results_rows(bad)[1] == [Problem(".eval_results[0].value", "is required")]
    assert read_eval_results(bad, path=".eval_results/x.yaml")[1] == [Problem(".eval_results/x.yaml[0].value", "is required")]


@pytest.mark.parametrize("data,kind", [({"dataset": OK_DS}, "dict"), ("text", "str"), (3, "int")])
def test_a_file_that_is_not_a_list(data, kind):
    assert read_eval_results_rows(data, path="f.yaml") == ([], [Problem("f.yaml", f"must be a list of entries, got {kind}")])
    assert read_eval_results(data, path="f.yaml") == ([], [Problem("f.yaml", f"must be a list of entries, got {kind}")])


def test_an_empty_file_has_nothing_and_no_problem():
    assert read_eval_results_rows(None) == ([], [])
    assert read_eval_results_rows([]) == ([], [])


# -- reading: the exact EvalResult ------------------------------------------------------------------------------
def _r(**kw):
    return EvalResult(**{"metric_type": "score", "source_kind": "eval-results", **kw})


def test_a_full_entry_reads_every_field_and_keeps_unknown_keys():
    item = {
        "dataset": {"id": "Idavidrein/gpqa", "task_id": "gpqa_diamond", "revision": "abc123", "subset": "main"},
        "value": 0.412,
        "verifyToken": "eyJ-signed",
        "date": "2026-01-15",
        "source": {"url": "https://x.org/logs", "name": "Logs", "user": "alice", "org": "acme", "kind": "space"},
        "notes": "5-shot, chain-of-thought",
        "comment": "from the paper",
    }
    rows, problems = read_eval_results_rows([item])
    assert problems == []
    assert rows == [Row(EvalResult(
        dataset_id="Idavidrein/gpqa", task_id="gpqa_diamond", metric_type="accuracy", value=0.412, task_type="text-generation",
        dataset_name="GPQA", dataset_revision="abc123", verify_token="eyJ-signed", date="2026-01-15",
        source_url="https://x.org/logs", source_name="Logs", source_user="alice", source_org="acme", n_shot=5,
        notes="chain-of-thought", source_kind="eval-results",
        extra={"entry": {"comment": "from the paper"}, "dataset": {"subset": "main"}, "source": {"kind": "space"}},
    ), ".eval_results[0]", [])]
    # and written back as it was read
    assert to_eval_results([rows[0].result]) == [item]


@pytest.mark.parametrize("item,expected", [
    ({"dataset": {"id": "acme/private-bench", "task_id": "t"}, "value": 3},
     _r(dataset_id="acme/private-bench", task_id="t", value=3)),
    # the task id picks the benchmark among those of one dataset
    ({"dataset": {"id": "allenai/ai2_arc", "task_id": "ARC-Easy"}, "value": 0.5},
     _r(dataset_id="allenai/ai2_arc", task_id="ARC-Easy", value=0.5, metric_type="acc_norm", task_type="text-generation", dataset_name="ARC-Easy")),
    ({"dataset": {"id": "allenai/ai2_arc", "task_id": "ARC-Challenge"}, "value": 0.5},
     _r(dataset_id="allenai/ai2_arc", task_id="ARC-Challenge", value=0.5, metric_type="acc_norm", task_type="text-generation", dataset_name="ARC-Challenge")),
    ({"dataset": OK_DS, "value": 1, "notes": "0-shot"}, _r(dataset_id="acme/private-bench", task_id="t", value=1, n_shot=0)),
    ({"dataset": OK_DS, "value": 1, "notes": "no-tools"}, _r(dataset_id="acme/private-bench", task_id="t", value=1, notes="no-tools")),
    ({"dataset": OK_DS, "value": 1, "source": None}, _r(dataset_id="acme/private-bench", task_id="t", value=1)),
    # a date YAML turned into a date is a warning: the entry is read, with its date as it is
    ({"dataset": OK_DS, "value": 1, "date": datetime.date(2026, 1, 15)},
     _r(dataset_id="acme/private-bench", task_id="t", value=1, date=datetime.date(2026, 1, 15))),
])
def test_usable_entries_read_exactly(item, expected):
    (row,), _ = read_eval_results_rows([item])
    assert row.usable is True
    assert row.result == expected


def test_a_benchmark_without_a_metric_is_read_as_score():
    reg = Registry().merged_with({"benchmarks": {"mine": {"name": "Mine", "dataset_id": "acme/mine", "task_id": "t1", "task_type": "qa"}}})
    (row,), _ = read_eval_results_rows([{"dataset": {"id": "acme/mine", "task_id": "t1"}, "value": 1}], registry=reg)
    assert row.result == _r(dataset_id="acme/mine", task_id="t1", value=1, task_type="qa", dataset_name="Mine")
    (row,), _ = read_eval_results_rows([{"dataset": {"id": "acme/mine", "task_id": "t1"}, "value": "x"}], registry=reg)
    assert row.result == _r(dataset_id="acme/mine", task_id="t1", value="x", dataset_name="Mine")


def test_a_custom_registry_is_used_for_bad_entries_too():
    reg = Registry().merged_with({"benchmarks": {"mine": {"name": "Mine", "dataset_id": "acme/mine", "metric": "f1"}}})
    (row,), _ = read_eval_results_rows([{"dataset": {"id": "acme/mine", "task_id": "t1"}, "value": "x"}], registry=reg)
    assert row.result == _r(dataset_id="acme/mine", task_id="t1", value="x", metric_type="f1", dataset_name="Mine")
    results, _ = read_eval_results([{"dataset": {"id": "acme/mine", "task_id": "t1"}, "value": 2}], registry=reg)
    assert results == [_r(dataset_id="acme/mine", task_id="t1", value=2, metric_type="f1", dataset_name="Mine")]


# -- bad entries, shown as far as they can be read ----------------------------------------------------------------
LENIENT = [
    ({"dataset": {"id": "allenai/ai2_arc", "task_id": "ARC-Easy", "revision": 123}, "value": "0,41", "notes": "5-shot",
      "source": {"url": "https://x.org", "name": "Logs", "user": "u"}, "date": "2026-01-15", "verifyToken": "t"},
     _r(dataset_id="allenai/ai2_arc", task_id="ARC-Easy", metric_type="acc_norm", value="0,41", dataset_name="ARC-Easy",
        dataset_revision="123", notes="5-shot", source_url="https://x.org", source_name="Logs", date="2026-01-15")),
    ({"dataset": {"id": "Idavidrein/gpqa", "task_id": "gpqa_diamond"}, "value": None},
     _r(dataset_id="Idavidrein/gpqa", task_id="gpqa_diamond", metric_type="accuracy", value=None, dataset_name="GPQA")),
    # not strings: shown as their short repr
    ({"dataset": {"id": 5, "task_id": 6, "revision": 7}, "value": 1, "notes": 8, "source": {"url": 9, "name": 10}, "date": 11},
     _r(dataset_id="5", task_id="6", value=1, dataset_revision="7", notes="8", source_url="9", source_name="10", date="11")),
    ({"dataset": {"id": "acme/private-bench"}, "value": 1, "date": datetime.date(2026, 1, 15)},
     _r(dataset_id="acme/private-bench", value=1, date="datetime.date(2026, 1, 15)")),
    # no dataset id: no benchmark
    ({"dataset": {"task_id": "gpqa_diamond"}, "value": 1}, _r(dataset_id="", task_id="gpqa_diamond", value=1)),
    # a dataset or source that is not a mapping: nothing read from it
    ({"dataset": "Idavidrein/gpqa", "value": 1, "source": "https://x.org"}, _r(dataset_id="", value=1)),
    ({"dataset": ["Idavidrein/gpqa"], "value": 1, "source": ["https://x.org"]}, _r(dataset_id="", value=1)),
    ({"value": "x"}, _r(dataset_id="", value="x")),
]


@pytest.mark.parametrize("item,expected", LENIENT)
def test_bad_entries_are_rows_read_leniently(item, expected):
    (row,), problems = read_eval_results_rows([item], path="f")
    assert row == Row(expected, "f[0]", problems, usable=False)
    assert problems and read_eval_results([item])[0] == []


def test_a_registry_that_cannot_look_a_name_up_leaves_a_bad_entry_without_benchmark():
    class Broken(Registry):
        def benchmark_for_dataset(self, dataset_id, task_id=None):
            raise RuntimeError("no")

    (row,), _ = read_eval_results_rows([{"dataset": {"id": "Idavidrein/gpqa"}, "value": 1}], registry=Broken())
    assert row.result == _r(dataset_id="Idavidrein/gpqa", value=1)


def test_every_entry_is_a_row_in_order_after_a_bad_one():
    good_with_warning = {"dataset": OK_DS, "value": 2, "date": datetime.date(2026, 1, 1)}
    data = [7, {"dataset": OK_DS, "value": "x"}, good_with_warning, {"dataset": OK_DS, "value": 3}]
    rows, problems = read_eval_results_rows(data, path="f")
    warning = Problem("f[2].date", "must be a quoted string (YAML turned it into a date)", "warning")
    bad = Problem("f[1].value", "not a number: 'x'")
    assert problems == [Problem("f[0]", "must be a mapping, got int"), bad, warning]
    assert rows == [
        Row(_r(dataset_id="acme/private-bench", task_id="t", value="x"), "f[1]", [bad], usable=False),
        Row(_r(dataset_id="acme/private-bench", task_id="t", value=2, date=datetime.date(2026, 1, 1)), "f[2]", [warning]),
        Row(_r(dataset_id="acme/private-bench", task_id="t", value=3), "f[3]", []),
    ]
    results, problems2 = read_eval_results(data, path="f")
    assert [r.value for r in results] == [2, 3] and problems2 == problems


def test_an_entry_huggingface_hub_refuses_is_reported_and_shown(monkeypatch):
    def refuse(entries):
        raise ValueError("refused")

    monkeypatch.setattr(er, "parse_eval_result_entries", refuse)
    warning = Problem("f[0].date", "must be a quoted string (YAML turned it into a date)", "warning")
    item = {"dataset": {"id": "Idavidrein/gpqa", "task_id": "gpqa_diamond"}, "value": 1, "date": datetime.date(2026, 1, 1)}
    rows, problems = read_eval_results_rows([item, item], path="f")
    refused = Problem("f[0]", "cannot be read: refused")
    assert problems == [warning, refused, Problem("f[1].date", warning.message, "warning"), Problem("f[1]", "cannot be read: refused")]
    shown = _r(dataset_id="Idavidrein/gpqa", task_id="gpqa_diamond", metric_type="accuracy", value=1, dataset_name="GPQA",
               date="datetime.date(2026, 1, 1)")
    assert rows[0] == Row(shown, "f[0]", [warning, refused], usable=False)
    assert len(rows) == 2 and rows[1].path == "f[1]"
    assert read_eval_results([item], path="f") == ([], [warning, refused])


# -- task ids, dropped fields, writing ----------------------------------------------------------------------------
@pytest.mark.parametrize("r,expected", [
    (EvalResult("acme/x", "accuracy", 1, task_id="mine"), "mine"),
    (EvalResult("Idavidrein/gpqa", "accuracy", 1), "gpqa_diamond"),
    # a dataset the registry does not know, named as a benchmark it knows
    (EvalResult("acme/private-copy", "accuracy", 1, dataset_name="GPQA"), "gpqa_diamond"),
    (EvalResult("acme/private-copy", "accuracy", 1, dataset_config="main"), "main"),
    (EvalResult("acme/private-copy", "accuracy", 1), "default"),
])
def test_task_id_for(r, expected):
    assert task_id_for(r) == expected
    assert task_id_for(r, load_registry()) == expected


@pytest.mark.parametrize("kw,expected", [
    ({}, []),
    ({"task_type": "text-generation", "task_name": "QA", "dataset_name": "X"}, []),
    ({"metric_name": "Acc", "dataset_split": "test", "stderr": 0.01, "model_revision": "abc"},
     ["metric_name", "dataset_split", "stderr", "model_revision"]),
    ({"dataset_config": "main"}, ["dataset_config"]),
    ({"dataset_config": "main", "task_id": "main"}, []),
    ({"dataset_config": "main", "task_id": "other"}, ["dataset_config"]),
    ({"metric_config": "strict"}, ["metric_config"]),
    ({"metric_args": {"stderr": 0.1, "model_revision": "abc"}}, []),
    ({"metric_args": {"model_revision": "abc", "k": 5}}, ["metric_args"]),
    ({"metric_args": {}}, []),
    ({"source_name": "Card"}, ["source_name"]),
    ({"source_name": "Card", "source_url": "https://x.org"}, []),
])
def test_dropped_fields(kw, expected):
    assert dropped_fields(EvalResult("acme/x", "accuracy", 1, **kw)) == expected


def test_writing_a_result_exactly():
    r = EvalResult("Idavidrein/gpqa", "accuracy", 0.5, dataset_revision="abc", verify_token="eyJ", date=datetime.date(2026, 1, 15),
                   source_url="https://x.org", source_name="Logs", source_user="alice", source_org="acme", n_shot=0, notes="CoT",
                   extra={"entry": {"comment": "c"}, "dataset": {"subset": "s"}, "source": {"kind": "k"}})
    assert to_eval_results([r]) == [{
        "dataset": {"id": "Idavidrein/gpqa", "task_id": "gpqa_diamond", "revision": "abc", "subset": "s"},
        "value": 0.5, "verifyToken": "eyJ", "date": "2026-01-15",
        "source": {"url": "https://x.org", "name": "Logs", "user": "alice", "org": "acme", "kind": "k"},
        "notes": "0-shot, CoT", "comment": "c",
    }]


@pytest.mark.parametrize("kw,expected", [
    ({}, {"dataset": {"id": "acme/x", "task_id": "default"}, "value": 1}),
    ({"date": "2026-01-15"}, {"dataset": {"id": "acme/x", "task_id": "default"}, "value": 1, "date": "2026-01-15"}),
    ({"date": datetime.datetime(2026, 1, 15, 10, 30)},
     {"dataset": {"id": "acme/x", "task_id": "default"}, "value": 1, "date": "2026-01-15 10:30:00"}),
    # a source without a URL cannot be written (the format requires one): its name, user and org are left out
    ({"source_name": "Card", "source_user": "alice", "source_org": "acme", "extra": {"source": {"kind": "k"}}},
     {"dataset": {"id": "acme/x", "task_id": "default"}, "value": 1}),
    ({"n_shot": 5}, {"dataset": {"id": "acme/x", "task_id": "default"}, "value": 1, "notes": "5-shot"}),
    ({"notes": "tools", "task_id": "t"}, {"dataset": {"id": "acme/x", "task_id": "t"}, "value": 1, "notes": "tools"}),
])
def test_writing(kw, expected):
    assert to_eval_results([EvalResult("acme/x", "accuracy", 1, **kw)]) == [expected]
    reg = load_registry()
    assert to_eval_results([EvalResult("acme/x", "accuracy", 1, **kw)], registry=reg) == [expected]


# -- file names ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kw,expected", [
    ({"dataset_id": "Idavidrein/gpqa"}, ".eval_results/gpqa_diamond.yaml"),
    ({"dataset_id": "acme/x", "task_id": "My Task!"}, ".eval_results/my_task.yaml"),
    ({"dataset_id": "acme/My Bench"}, ".eval_results/my_bench.yaml"),
    ({"dataset_id": "zzlocalbench"}, ".eval_results/zzlocalbench.yaml"),
    ({"dataset_id": "acme/sub/Part-2"}, ".eval_results/part-2.yaml"),
    ({"dataset_id": "acme/.hidden."}, ".eval_results/hidden.yaml"),
    ({"dataset_id": "acme/_x_"}, ".eval_results/x.yaml"),
    ({"dataset_id": "acme/..."}, ".eval_results/results.yaml"),
    ({"dataset_id": "acme/ü"}, ".eval_results/results.yaml"),
])
def test_file_names(kw, expected):
    r = EvalResult(metric_type="accuracy", value=1, **kw)
    assert file_name_for(r) == expected
    assert file_name_for(r, load_registry()) == expected
