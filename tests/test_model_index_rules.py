"""The rules of formats/model_index.py and formats/values.py pinned down exactly: which EvalResult a ``model-index``
entry reads as, the problem (YAML path, message, severity) each malformed field gives and whether the row stays
usable, the exact ``model-index`` written back (keys, order, grouping), and the messages and limits of values.py
(``not_a_number``'s hints, the JSON depth and integer limits).

Written against surviving mutants (see docs/mutation.md): each test asserts an exact, user-visible outcome."""

from __future__ import annotations

import json
import sys

import pytest
import yaml

from evalcard.errors import InputLimitError
from evalcard.formats.model_index import read_model_index, read_model_index_rows, to_model_index, validate_model_index
from evalcard.formats.values import json_depth, load_json_bounded, not_a_number, short_repr
from evalcard.results import EvalResult

P = "model-index[0].results[0]"
M = f"{P}.metrics[0]"

#: what the result block of ``block()`` reads as
BASE = EvalResult(dataset_id="a/a", metric_type="acc", value=0.5, task_type="text-generation", dataset_name="A",
                  model_name="m", source_kind="model-index")


def block(**over) -> dict:
    b = {"task": {"type": "text-generation"}, "dataset": {"name": "A", "type": "a/a"}, "metrics": [{"type": "acc", "value": 0.5}]}
    b.update(over)
    return b


def metric(**over) -> list[dict]:
    m = {"type": "acc", "value": 0.5}
    m.update(over)
    return [{k: v for k, v in m.items() if v is not DROP}]


DROP = object()


def card(*blocks: dict, **entry) -> list[dict]:
    return [{"name": "m", "results": list(blocks), **entry}]


def triples(problems) -> list[tuple[str, str, str]]:
    return [(p.path, p.message, p.severity) for p in problems]


def E(path: str, message: str) -> tuple[str, str, str]:
    return (path, message, "error")


def W(path: str, message: str) -> tuple[str, str, str]:
    return (path, message, "warning")


# -- reading: one result block, every field that can go wrong ---------------------------------------------------------
# (block, problems, [(usable, fields that differ from BASE)] for its rows)
READ_CASES = {
    "valid": (block(), [], [(True, {})]),
    "task not a mapping": (block(task="text"), [E(f"{P}.task", "must be a mapping"), E(f"{P}.task.type", "is required")],
                           [(True, {"task_type": None})]),
    "task missing": (block(task=None), [E(f"{P}.task", "is required (a mapping with 'type')"), E(f"{P}.task.type", "is required")],
                     [(True, {"task_type": None})]),
    "task name": (block(task={"type": "text-generation", "name": "Text Generation"}), [], [(True, {"task_name": "Text Generation"})]),
    "dataset not a mapping": (block(dataset="x"), [E(f"{P}.dataset", "must be a mapping")],
                              [(False, {"dataset_id": "", "dataset_name": None})]),
    "dataset missing": (block(dataset=None), [E(f"{P}.dataset", "is required (a mapping with 'type' and 'name')")],
                        [(False, {"dataset_id": "", "dataset_name": None})]),
    "dataset type missing": (block(dataset={"name": "A"}), [E(f"{P}.dataset.type", "is required (the Hub dataset id)")],
                             [(False, {"dataset_id": ""})]),
    "dataset type not a string": (block(dataset={"name": "A", "type": 5}), [E(f"{P}.dataset.type", "must be a string, got int 5")],
                                  [(False, {"dataset_id": "5"})]),
    "dataset name missing": (block(dataset={"type": "a/a"}), [E(f"{P}.dataset.name", "is required (a pretty name)")],
                             [(True, {"dataset_name": None})]),
    "dataset config, split, revision": (block(dataset={"name": "A", "type": "a/a", "config": "all", "split": "test", "revision": "abc"}), [],
                                        [(True, {"dataset_config": "all", "dataset_split": "test", "dataset_revision": "abc"})]),
    "dataset revision not a string": (block(dataset={"name": "A", "type": "a/a", "revision": 5}),
                                      [E(f"{P}.dataset.revision", "must be a string, got int 5")], [(True, {"dataset_revision": "5"})]),
    "dataset args not a mapping": (block(dataset={"name": "A", "type": "a/a", "args": ["x"]}), [W(f"{P}.dataset.args", "must be a mapping")],
                                   [(True, {"dataset_args": {"_value": ["x"]}})]),
    "n-shot": (block(dataset={"name": "A", "type": "a/a", "args": {"num_few_shot": 5, "lang": "en"}}), [],
               [(True, {"n_shot": 5, "dataset_args": {"lang": "en"}})]),
    "zero-shot": (block(dataset={"name": "A", "type": "a/a", "args": {"num_few_shot": 0}}), [], [(True, {"n_shot": 0})]),
    "n-shot a string is kept as written": (block(dataset={"name": "A", "type": "a/a", "args": {"num_few_shot": "5"}}), [],
                                           [(True, {"dataset_args": {"num_few_shot": "5"}})]),
    "n-shot a bool is kept as written": (block(dataset={"name": "A", "type": "a/a", "args": {"num_few_shot": True}}), [],
                                         [(True, {"dataset_args": {"num_few_shot": True}})]),
    "notes": (block(dataset={"name": "A", "type": "a/a", "args": {"notes": "CoT"}}), [], [(True, {"notes": "CoT"})]),
    "notes not a string are kept as written": (block(dataset={"name": "A", "type": "a/a", "args": {"notes": 5}}), [],
                                               [(True, {"dataset_args": {"notes": 5}})]),
    "source": (block(source={"name": "Paper", "url": "https://x"}), [], [(True, {"source_name": "Paper", "source_url": "https://x"})]),
    "source not a mapping": (block(source="x"), [E(f"{P}.source", "must be a mapping with 'url'")], [(True, {})]),
    "source without url": (block(source={"name": "Paper"}), [E(f"{P}.source.url", "is required when source is given")],
                           [(True, {"source_name": "Paper"})]),
    "metrics missing": (block(metrics=None), [E(f"{P}.metrics", "is required and must be a list")], []),
    "metrics not a list": (block(metrics="x"), [E(f"{P}.metrics", "must be a list")], []),
    "metric not a mapping": (block(metrics=["x"]), [E(M, "must be a mapping with 'type' and 'value', got str")], []),
    "metric type missing": (block(metrics=metric(type=DROP)), [E(f"{M}.type", "is required")], [(False, {"metric_type": ""})]),
    "metric value missing": (block(metrics=metric(value=DROP)), [E(f"{M}.value", "is required")], [(False, {"value": None})]),
    "metric value not a number": (block(metrics=metric(value="n/a")), [E(f"{M}.value", "not a number: 'n/a'")], [(False, {"value": "n/a"})]),
    "metric value a list": (block(metrics=metric(value=[1])), [E(f"{M}.value", "not a number: [1]")], [(False, {"value": [1]})]),
    "metric value a bool": (block(metrics=metric(value=True)), [E(f"{M}.value", "not a number: True")], [(False, {"value": True})]),
    "metric value a numeric string": (block(metrics=metric(value="71.2")), [W(f"{M}.value", "a number written as a string ('71.2')")],
                                      [(True, {"value": "71.2"})]),
    "metric name and config": (block(metrics=metric(name="Acc", config="default")), [], [(True, {"metric_name": "Acc", "metric_config": "default"})]),
    "metric name not a string": (block(metrics=metric(name=5)), [E(f"{M}.name", "must be a string, got int 5")], [(True, {"metric_name": "5"})]),
    "metric config not a string": (block(metrics=metric(config=5)), [E(f"{M}.config", "must be a string, got int 5")],
                                   [(True, {"metric_config": "5"})]),
    "metric args not a mapping": (block(metrics=metric(args="x")), [W(f"{M}.args", "must be a mapping")], [(True, {"metric_args": {"_value": "x"}})]),
    "stderr and model revision": (block(metrics=metric(args={"stderr": 0.4, "model_revision": "abc", "average": "macro"})), [],
                                  [(True, {"stderr": 0.4, "model_revision": "abc", "metric_args": {"average": "macro"}})]),
    "stderr not a number is kept as written": (block(metrics=metric(args={"stderr": "abc"})), [], [(True, {"metric_args": {"stderr": "abc"}})]),
    "model revision not a string is kept as written": (block(metrics=metric(args={"model_revision": 5})), [],
                                                       [(True, {"metric_args": {"model_revision": 5}})]),
    "verified": (block(metrics=metric(verified=True, verifyToken="tok")), [], [(True, {"verified": True, "verify_token": "tok"})]),
    "verified not a bool": (block(metrics=metric(verified="yes")), [W(f"{M}.verified", "must be true or false")], [(True, {"verified": "yes"})]),
    "verifyToken not a string": (block(metrics=metric(verifyToken=5)), [E(f"{M}.verifyToken", "must be a string, got int")],
                                 [(True, {"verify_token": 5})]),
}


@pytest.mark.parametrize("data, problems, rows", READ_CASES.values(), ids=READ_CASES.keys())
def test_a_result_block_reads_as_exactly_these_fields_and_problems(data, problems, rows):
    got_rows, got_problems = read_model_index_rows(card(data))
    assert triples(got_problems) == problems
    assert [(r.usable, r.result) for r in got_rows] == [(usable, BASE.replace(**fields)) for usable, fields in rows]
    for r in got_rows:  # one metric: its row carries every problem of the block
        assert r.path == M and triples(r.problems) == problems
    results, _ = read_model_index(card(data))
    assert results == [r.result for r in got_rows if r.usable]


def test_problems_of_a_result_are_shared_by_its_metrics_and_a_metrics_own_stay_its_own():
    rows, problems = read_model_index_rows(card(block(source="x", metrics=[{"type": "acc", "value": 0.5}, {"type": "f1"}])))
    shared = E(f"{P}.source", "must be a mapping with 'url'")
    own = E(f"{P}.metrics[1].value", "is required")
    assert triples(problems) == [shared, own]
    assert [(r.path, r.usable, triples(r.problems)) for r in rows] == [(M, True, [shared]), (f"{P}.metrics[1]", False, [shared, own])]


def test_keys_evalcard_does_not_model_are_kept_per_level_and_written_back_in_place():
    data = card(block(task={"type": "text-generation", "t": 1}, dataset={"name": "A", "type": "a/a", "d": 2},
                      metrics=metric(m=3), source={"name": "S", "url": "https://x", "s": 4}, r=5), library="x")
    (result,), problems = read_model_index(data)
    assert problems == []
    assert result.extra == {"entry": {"library": "x"}, "result": {"r": 5}, "task": {"t": 1}, "dataset": {"d": 2},
                            "source": {"s": 4}, "metric": {"m": 3}}
    assert to_model_index([result]) == data


# -- reading: the list and its entries ------------------------------------------------------------------------------
def test_an_empty_model_index_is_a_warning():
    results, problems = read_model_index([])
    assert (results, triples(problems)) == ([], [W("model-index", "is an empty list")])


def test_an_entry_with_bad_results_is_skipped_and_the_next_entry_still_read():
    data = [{"name": "a", "results": "x"}, {"name": "b", "results": [block()]}]
    results, problems = read_model_index(data)
    assert triples(problems) == [E("model-index[0].results", "must be a list, got str")]
    assert results == [BASE.replace(model_name="b")]


def test_a_result_that_is_not_a_mapping_names_its_type():
    assert triples(validate_model_index(card("x", block()))) == [E(P, "must be a mapping, got str")]


def test_the_path_given_prefixes_every_problem_and_defaults_to_model_index():
    data = [{"results": [block(metrics="x")]}]
    expected = [("{}[0].name", "is required"), ("{}[0].results[0].metrics", "must be a list")]
    for path in ("model-index", "card.yaml:model-index"):
        want = [E(p.format(path), msg) for p, msg in expected]
        assert triples(validate_model_index(data, path=path)) == want
        assert triples(read_model_index(data, path=path)[1]) == want
        assert triples(read_model_index_rows(data, path=path)[1]) == want
    assert triples(validate_model_index(data)) == triples(read_model_index(data)[1]) == [E(p.format("model-index"), m) for p, m in expected]


# -- writing ----------------------------------------------------------------------------------------------------------
def test_the_written_model_index_has_the_documented_keys_in_order():
    r = EvalResult(dataset_id="cais/mmlu", metric_type="accuracy", value=71.6, task_type="text-generation", task_name="Text Generation",
                   dataset_name="MMLU", dataset_config="all", dataset_split="test", dataset_revision="abc", dataset_args={"lang": "en"},
                   n_shot=5, notes="CoT", metric_name="Acc", metric_config="default", metric_args={"average": "macro"}, stderr=0.4,
                   model_revision="0123", verified=False, verify_token="tok", model_name="my-model", source_name="Paper",
                   source_url="https://arxiv.org/abs/1")
    assert yaml.safe_dump(to_model_index([r]), sort_keys=False) == """\
- name: my-model
  results:
  - task:
      type: text-generation
      name: Text Generation
    dataset:
      name: MMLU
      type: cais/mmlu
      config: all
      split: test
      revision: abc
      args:
        lang: en
        num_few_shot: 5
        notes: CoT
    metrics:
    - type: accuracy
      value: 71.6
      name: Acc
      config: default
      args:
        average: macro
        stderr: 0.4
        model_revision: '0123'
      verified: false
      verifyToken: tok
    source:
      name: Paper
      url: https://arxiv.org/abs/1
"""


def R(**kw) -> EvalResult:
    base = dict(dataset_id="a/a", metric_type="acc", value=0.5, model_name="m")
    base.update(kw)
    return EvalResult(**base)


@pytest.mark.parametrize("result, head", [
    (R(), {"task": {"type": "text-generation"}, "dataset": {"name": "a/a", "type": "a/a"}}),
    (R(task_type="summarization", dataset_name="A"), {"task": {"type": "summarization"}, "dataset": {"name": "A", "type": "a/a"}}),
    (R(source_name="Paper"), {"task": {"type": "text-generation"}, "dataset": {"name": "a/a", "type": "a/a"}, "source": {"name": "Paper"}}),
    (R(source_url="https://x"), {"task": {"type": "text-generation"}, "dataset": {"name": "a/a", "type": "a/a"}, "source": {"url": "https://x"}}),
    (R(extra={"source": {"s": 1}}), {"task": {"type": "text-generation"}, "dataset": {"name": "a/a", "type": "a/a"}, "source": {"s": 1}}),
    (R(extra={"task": {"t": 1}, "dataset": {"d": 2}}), {"task": {"type": "text-generation", "t": 1}, "dataset": {"name": "a/a", "type": "a/a", "d": 2}}),
], ids=["bare", "task type and dataset name", "source name only", "source url only", "source extras only", "task and dataset extras"])
def test_the_task_dataset_and_source_written_for_a_result(result, head):
    assert to_model_index([result]) == [{"name": "m", "results": [{**head, "metrics": [{"type": "acc", "value": 0.5}]}]}]


def test_metric_extras_are_written_into_the_metric():
    assert to_model_index([R(extra={"metric": {"m": 3}})])[0]["results"][0]["metrics"] == [{"type": "acc", "value": 0.5, "m": 3}]


@pytest.mark.parametrize("model_name, default_name, model_id, name", [
    ("a", "b", "c", "a"), (None, "b", "c", "b"), (None, "b", None, "b"), (None, None, "c", "c"), (None, None, None, "model"),
])
def test_the_entry_name_is_the_model_name_else_the_default_else_the_model_id_else_model(model_name, default_name, model_id, name):
    out = to_model_index([R(model_name=model_name, model_id=model_id)], default_name=default_name)
    assert [e["name"] for e in out] == [name]


def test_results_are_grouped_by_entry_name_and_entry_extras():
    a, b = R(value=0.1), R(value=0.2, extra={"entry": {"library": "x"}})
    c, d = R(value=0.3, extra={"entry": {"library": "x"}}), R(value=0.4, extra={"entry": {}})
    out = to_model_index([a, b, c, d])
    assert [(e["name"], e.get("library"), [m["value"] for res in e["results"] for m in res["metrics"]]) for e in out] == [
        ("m", None, [0.1, 0.4]), ("m", "x", [0.2, 0.3])]
    assert out[1] == {"name": "m", "results": [{"task": {"type": "text-generation"}, "dataset": {"name": "a/a", "type": "a/a"},
                                                "metrics": [{"type": "acc", "value": 0.2}, {"type": "acc", "value": 0.3}]}], "library": "x"}


def test_results_are_grouped_into_one_block_per_identical_head_and_result_extras():
    rs = [R(value=0.1, dataset_args={"langs": ["en"]}), R(value=0.2, dataset_args={"langs": ["de"]}),
          R(value=0.3, dataset_args={"langs": ["en"]}), R(value=0.4, dataset_args={"langs": ["en"]}, extra={"result": {"r": 1}})]
    (entry,) = to_model_index(rs)
    assert [(res["dataset"]["args"], res.get("r"), [m["value"] for m in res["metrics"]]) for res in entry["results"]] == [
        ({"langs": ["en"]}, None, [0.1, 0.3]), ({"langs": ["de"]}, None, [0.2]), ({"langs": ["en"]}, 1, [0.4])]


# -- values.py ------------------------------------------------------------------------------------------------------
THOUSANDS = " — a thousands separator? write "
NOT_A_NUMBER = {
    "n/a": "not a number: 'n/a'",
    "": "not a number: ''",
    "1,000": f"not a number: '1,000'{THOUSANDS}1000 (1.000 if it is a decimal comma)",
    "-1,000": f"not a number: '-1,000'{THOUSANDS}-1000 (-1.000 if it is a decimal comma)",
    " 12,345% ": f"not a number: ' 12,345% '{THOUSANDS}12345% (12.345% if it is a decimal comma)",
    "1,000,000": f"not a number: '1,000,000'{THOUSANDS}1000000",
    "1,000.5": f"not a number: '1,000.5'{THOUSANDS}1000.5",
    "0,500": "not a number: '0,500' — a decimal comma? write 0.500",
    "-0,500": "not a number: '-0,500' — a decimal comma? write -0.500",
    "+0,500": "not a number: '+0,500' — a decimal comma? write +0.500",
    "0,5": "not a number: '0,5' — a decimal comma? write 0.5",
    "71,25%": "not a number: '71,25%' — a decimal comma? write 71.25%",
    "1,5,0": "not a number: '1,5,0'",
}


@pytest.mark.parametrize("value, message", NOT_A_NUMBER.items(), ids=list(NOT_A_NUMBER))
def test_not_a_number_hints_the_number_a_separator_probably_means(value, message):
    assert not_a_number(value) == message


@pytest.mark.parametrize("value, message", [(None, "not a number: None"), (True, "not a number: True"), ([1, 2], "not a number: [1, 2]"),
                                            (10**400, f"not a number: {short_repr(10**400)}")])
def test_not_a_number_of_what_is_not_a_string_is_its_short_repr(value, message):
    assert not_a_number(value) == message


def test_not_a_number_hints_for_strings_up_to_100_characters():
    at_limit, past = " " * 95 + "1,000", " " * 96 + "1,000"
    assert (len(at_limit), len(past)) == (100, 101)
    assert not_a_number(at_limit) == f"not a number: {short_repr(at_limit)}{THOUSANDS}1000 (1.000 if it is a decimal comma)"
    assert not_a_number(past) == f"not a number: {short_repr(past)}"


def test_short_repr_of_an_integer_too_long_to_print_names_its_type():
    assert short_repr(10**5000) == "<int>"
    assert short_repr("x" * 1000) == "'" + "x" * 27 + "..." + "x" * 28 + "'"


@pytest.mark.parametrize("data, depth", [(5, 0), ("s", 0), ([], 1), ({}, 1), ([1, [2]], 2), ({"a": [{"b": 1}]}, 3),
                                         ([[], [[[]]], {"a": 1}], 4), ({"a": {"b": 1}, "c": [[[]]]}, 4)])
def test_json_depth_counts_levels_of_nesting(data, depth):
    assert json_depth(data) == depth


def test_json_depth_stops_counting_one_past_stop():
    deep = json.loads("[" * 50 + "]" * 50)
    assert (json_depth(deep, 10), json_depth(deep, 49), json_depth(deep, 50)) == (11, 50, 50)


def test_json_up_to_max_depth_loads_and_deeper_is_refused_with_its_path():
    assert load_json_bounded("[[[1]]]", path="f.json", max_depth=3) == [[[1]]]
    with pytest.raises(InputLimitError) as e:
        load_json_bounded(b'{"a": [[1]]}', path="f.json", max_depth=2)
    assert (str(e.value), e.value.path) == ("f.json: JSON nested more than 2 levels deep", "f.json")


def test_a_max_depth_past_the_default_is_honoured():
    text = "[" * 201 + "]" * 201
    assert json_depth(load_json_bounded(text, max_depth=201), 300) == 201
    with pytest.raises(InputLimitError) as e:
        load_json_bounded(text, path="f.json", max_depth=200)
    assert (str(e.value), e.value.path) == ("f.json: JSON nested more than 200 levels deep", "f.json")


def test_json_too_deep_for_the_parser_is_an_input_limit_error_with_its_path():
    with pytest.raises(InputLimitError) as e:
        load_json_bounded("[" * 100_000 + "]" * 100_000, path="f.json")
    assert (str(e.value), e.value.path) == ("f.json: JSON nested more than 100 levels deep", "f.json")


def test_json_with_an_integer_too_long_to_read_is_an_input_limit_error_with_its_path():
    with pytest.raises(InputLimitError) as e:
        load_json_bounded('{"v": ' + "1" * 5000 + "}", path="f.json")
    assert (str(e.value), e.value.path) == (
        f"f.json: JSON holds an integer too long to read (more than {sys.get_int_max_str_digits()} digits)", "f.json")


def test_json_syntax_errors_stay_json_errors():
    with pytest.raises(json.JSONDecodeError):
        load_json_bounded("{", path="f.json")
