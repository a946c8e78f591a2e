"""card/extract.py: cells, names, orientation, target matching and the public API, on small synthetic READMEs."""

from __future__ import annotations

import json

import pytest

from evalcard.benchmarks import load_registry
from evalcard.card.extract import (
    default_model_name,
    extract,
    inspect_tables,
    model_key,
    parse_value,
    split_name,
)
from evalcard.errors import EvalcardError, SourceError, UsageError

REG = load_registry()


def triples(ex):
    return [(r.provenance["table"], r.provenance["benchmark"], r.value) for r in ex.results]


# -- cells ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,kind,value,stderr,percent",
    [
        ("71.6", "number", 71.6, None, False),
        ("**55**", "number", 55.0, None, False),
        ("98.2%", "number", 98.2, None, True),
        ("0.720 ± 0.006", "number", 0.72, 0.006, False),
        ("71.2 (±0.3)", "number", 71.2, 0.3, False),
        ("15,8%", "number", 15.8, None, True),
        ("1,208,602,624", "number", 1208602624.0, None, False),
        ("0,548", "number", 0.548, None, False),
        ("45.2%^1", "number", 45.2, None, True),
        ("68.2*", "number", 68.2, None, False),
        ("81.3†", "number", 81.3, None, False),
        ("−1.5", "number", -1.5, None, False),
        ("-", "missing", None, None, False),
        ("N/A", "missing", None, None, False),
        ("—", "missing", None, None, False),
        ("", "missing", None, None, False),
        ("42.2/36.6", "pair", 42.2, None, False),
        ("3-5", "range", None, None, False),
        ("81.6% (CogAgent)", "annotated", 81.6, None, False),
        ("37B", "unit", None, None, False),
        ("65GiB", "unit", None, None, False),
        ("No multimodal support", "text", None, None, False),
        ("2024-07-19", "text", None, None, False),
        ("18.0/18.7/17.8", "tuple", 18.0, None, False),  # precision/recall/F1 in one cell
        ("0.8672 🏆", "number", 0.8672, None, False),  # a pictograph marking the best score
        ("🥇 85.1%", "number", 85.1, None, True),
        ("**71.6** ✅", "number", 71.6, None, False),
        ("✅", "text", None, None, False),
        ("37B 🚀", "unit", None, None, False),
    ],
)
def test_parse_value(text, kind, value, stderr, percent):
    v = parse_value(text)
    assert v.kind == kind
    if value is not None:
        assert v.value == pytest.approx(value)
    assert v.stderr == (pytest.approx(stderr) if stderr is not None else None)
    assert v.percent == percent


def test_parse_value_pair_second_half():
    v = parse_value("39.7 / 36.3")
    assert (v.value, v.second) == (39.7, 36.3)


# -- names ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,base,n_shot,notes,metric",
    [
        ("MMLU (5-shot)", "MMLU", 5, [], None),
        ("MMLU(5-shot)", "MMLU", 5, [], None),
        ("GSM8K CoT 8-shot", "GSM8K", 8, ["CoT"], None),
        ("BIG-Bench Hard (3-shot, CoT)", "BIG-Bench Hard", 3, ["CoT"], None),
        ("DROP (3-shot F1)", "DROP", 3, [], "f1"),
        ("BBH (EM)", "BBH", None, [], "exact_match"),
        ("AGIEval English (3-5 shot)", "AGIEval English", None, ["3-5 shot"], None),
        ("RACE (middle)", "RACE (middle)", None, [], None),
        ("MMMU (val, 0-shot)", "MMMU", 0, [], None),
    ],
)
def test_split_name(name, base, n_shot, notes, metric):
    info = split_name(name, REG)
    assert info.base == base
    assert info.n_shot == n_shot
    assert info.notes == notes
    assert info.metric == metric


def test_split_name_footnotes_dropped_arrows_kept():
    assert split_name("MMMU Pro^", REG).written == "MMMU Pro"
    assert split_name("C-Eval*", REG).written == "C-Eval"
    assert split_name("Math↑", REG).written == "Math↑"
    assert split_name("HumanEval+", REG).written == "HumanEval+"


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("DeepSeek-V3", "**DeepSeek V3**", True),
        ("Llama-3-8B", "llama 3 8b", True),
        ("EleutherAI/polyglot-ko-1.3b", "EleutherAI/polyglot-ko-1.3b (this)", True),
        ("EleutherAI/polyglot-ko-1.3b", "polyglot_ko_1.3b", True),
        ("Qwen-72B-Chat", "Qwen-72B-Chat (BF16)", True),
        ("Qwen-72B-Chat", "Qwen-72B-Chat (Int4)", False),
        ("InternLM2.5-7B", "InternLM2.5-7B-Chat", False),
        ("Yi-34B-Chat", "Yi-34B", False),
        ("Qwen-VL-Chat", "Qwen-VL-Chat-1.1", False),
    ],
)
def test_model_key(a, b, same):
    assert (model_key(a) == model_key(b)) is same


# -- orientation and targets ----------------------------------------------------------------------------------------

ROWS = """## Base pretrained models

| Category | Benchmark | # Shots | Metric | Other 7B | Ours-7B | Big 70B |
|---|---|---|---|---|---|---|
| | Architecture | - | - | Dense | Dense | MoE |
| | # Total Params | - | - | 7B | 7B | 70B |
| General | MMLU | 5 | acc | 60.1 | **62.5** | 70.0 |
| | GSM8K (8-shot, CoT) | 8 | em | 40.0 | 45.5 | - |
| Code | HumanEval | 0 | pass@1 | 30.0 | - | 50.0 |
| | MTOB eng->kgv/kgv->eng | - | chrF | 1/2 | 42.2/36.6 | 3/4 |
"""


def test_rows_orientation_with_setting_columns():
    ex = extract(ROWS, model="Ours-7B")
    assert not ex.ambiguous
    assert triples(ex) == [
        (1, "MMLU", 62.5),
        (1, "GSM8K (8-shot, CoT)", 45.5),
        (1, "MTOB eng->kgv/kgv->eng", 42.2),
        (1, "MTOB eng->kgv/kgv->eng", 36.6),
    ]
    mmlu, gsm, half1, half2 = ex.results
    assert mmlu.n_shot == 5 and mmlu.dataset_id == "cais/mmlu" and mmlu.metric_type == "accuracy"
    assert mmlu.source_kind == "readme-table" and mmlu.model_name is None
    assert mmlu.provenance["row"] == 4 and mmlu.provenance["column"] == 6
    assert gsm.n_shot == 8 and gsm.notes and "CoT" in gsm.notes and gsm.dataset_id == "openai/gsm8k"
    assert half1.notes.endswith("eng->kgv") and half2.notes.endswith("kgv->eng")
    assert half1.metric_type == "chrf"


def test_missing_cells_are_skipped_not_zero():
    ex = extract(ROWS, model="Big 70B")
    assert (1, "GSM8K (8-shot, CoT)", 0.0) not in triples(ex)
    assert (1, "HumanEval", 50.0) in triples(ex)


COLUMNS = """### Chat models

| Model | MMLU | MMLU | BBH | Params | Context length |
|---|---|---|---|---|---|
| | 0-shot | 5-shot | 3-shot | | |
| Yi-34B | 70.0 | 71.0 | 50.0 | 34 | 4096 |
| **Yi-34B-Chat** | **67.62** | 73.46 | 71.74 | 34 | 4096 |
| Yi-34B-Chat-4bits(AWQ) | 65.77 | 72.42 | 69.39 | 34 | 4096 |
"""


def test_columns_orientation_shot_row_and_prefix_traps():
    ex = extract(COLUMNS, model="Yi-34B-Chat")
    assert triples(ex) == [(1, "MMLU", 67.62), (1, "MMLU", 73.46), (1, "BBH", 71.74)]
    assert [r.n_shot for r in ex.results] == [0, 5, 3]
    # params and context length are properties, not scores
    assert all(r.provenance["column"] <= 4 for r in ex.results)


def test_base_model_row_is_not_the_chat_model():
    ex = extract(COLUMNS, model="Yi-34B")
    assert triples(ex) == [(1, "MMLU", 70.0), (1, "MMLU", 71.0), (1, "BBH", 50.0)]


def test_model_split_over_two_cells():
    text = """| Model | Size | Code | MMLU |
|---|---|---|---|
| Llama 1 | 7B | 14.1 | 35.1 |
| Llama 2 | 7B | 16.8 | 45.3 |
| Llama 2 | 13B | 24.5 | 54.8 |
"""
    assert triples(extract(text, model="Llama 2 7B")) == [(1, "Code", 16.8), (1, "MMLU", 45.3)]


def test_section_rows_and_empty_rows():
    text = """<table>
<tr><td>Benchmarks</td><td>A-7B</td><td>Mine-4B </td></tr>
<tr><td colspan="9"><b>English</b></td></tr>
<tr><td>MMLU</td><td>70.5</td><td>67.2</td></tr>
<tr><td></td><td></td><td></td></tr>
<tr><td colspan="9"><b>Math</b></td></tr>
<tr><td>GSM8K</td><td>82.3%</td><td>81.1%</td></tr>
</table>"""
    ex = extract(text, model="Mine-4B")
    assert triples(ex) == [(1, "MMLU", 67.2), (1, "GSM8K", 81.1)]
    assert ex.results[1].scale == "percent"
    assert ex.results[0].provenance["category"] == "English"


def test_single_score_table_belongs_to_the_card():
    text = """# Tiny-Vision-1B

## Benchmark Results

| **Benchmark** | **Score** |
|---|---|
| AI2D_TEST | 84.8 |
| MMMU_VAL | 54.3 |
"""
    ex = extract(text, model=default_model_name(text))
    assert triples(ex) == [(1, "AI2D_TEST", 84.8), (1, "MMMU_VAL", 54.3)]
    assert inspect_tables(text, model="x")[0].orientation == "single-score"


def test_single_score_table_with_metric_columns_decimal_comma():
    text = """| Dataset | WER Greedy | WER with LM |
|---|---|---|
| NST test | 15,8% | 11.9% |
"""
    ex = extract(text, model="whatever")
    assert triples(ex) == [(1, "NST test", 15.8), (1, "NST test", 11.9)]
    r = ex.results[0]
    assert r.metric_type == "wer" and r.higher_is_better is False and r.scale == "percent"
    assert r.notes == "WER Greedy"


def test_benchmark_from_heading_when_columns_are_shot_settings():
    text = """## Evaluation

### COPA (F1)

| Model | params | n=0 | n=5 |
|---|---|---|---|
| other/x-1b | 1.2B | 0.6696 | 0.6477 |
| **[org/m-1.3b](https://hf.co/org/m-1.3b) (this)** | **1.3B** | **0.7196** | **0.7193** |
"""
    ex = extract(text, model="org/m-1.3b")
    assert triples(ex) == [(1, "COPA (F1)", 0.7196), (1, "COPA (F1)", 0.7193)]
    assert [r.n_shot for r in ex.results] == [0, 5]
    assert ex.results[0].metric_type == "f1" and ex.results[0].scale == "fraction"


def test_metric_leaf_is_qualified_by_caption():
    text = """**MUGE Retrieval**:
<table>
<tr><th>Setup</th><th colspan="2">Zero-shot</th><th colspan="2">Finetune</th></tr>
<tr><td>Metric</td><td>R@1</td><td>R@5</td><td>R@1</td><td>R@5</td></tr>
<tr><td>Other</td><td>1</td><td>2</td><td>3</td><td>4</td></tr>
<tr><td>CN-CLIP</td><td>63.0</td><td>84.1</td><td>68.9</td><td>88.7</td></tr>
</table>"""
    ex = extract(text, model="CN-CLIP")
    assert [b for _, b, _ in triples(ex)] == [
        "MUGE Retrieval / Zero-shot / R@1",
        "MUGE Retrieval / Zero-shot / R@5",
        "MUGE Retrieval / Finetune / R@1",
        "MUGE Retrieval / Finetune / R@5",
    ]
    assert ex.results[0].metric_type == "recall@1"


def test_orientation_comes_from_content_not_words_in_names():
    # a model called "...Code..." with "Code" as a benchmark: the target is found where its name is
    text = """| Model | Code | Math |
|---|---|---|
| DeepSeek-Coder-7B | 50.0 | 20.0 |
| StarCode-7B | 40.0 | 10.0 |
"""
    assert triples(extract(text, model="StarCode-7B")) == [(1, "Code", 40.0), (1, "Math", 10.0)]


def test_stderr_kept():
    text = """| Model | PIQA |
|---|---|
| GPT-NeoX-20B | 0.779 ± 0.010 |
"""
    (r,) = extract(text, model="GPT-NeoX-20B").results
    assert (r.value, r.stderr, r.scale) == (0.779, 0.01, "fraction")


def test_lower_is_better_recorded():
    text = """| Model | Pile-test (BPB) | Short-Form WER ↓ | Toxigen |
|---|---|---|---|
| M | 0.548 | 9.7 | 21.25 |
"""
    bpb, wer, tox = extract(text, model="M").results
    assert bpb.higher_is_better is False and bpb.metric_type == "bpb" and bpb.scale is None
    assert wer.higher_is_better is False
    assert tox.higher_is_better is None  # unknown benchmark, the table does not say


def test_training_log_is_not_results():
    text = """## Training results

| Training Loss | Epoch | Step | Validation Loss | Accuracy |
|---|---|---|---|---|
| 0.2 | 1.0 | 878 | 0.07 | 0.98 |
"""
    ex = extract(text, model="m")
    assert ex.results == []
    (rep,) = inspect_tables(text, model="m")
    assert rep.orientation == "not-scores" and "training log" in rep.reasons[0]


def test_framework_column_becomes_notes():
    text = """| Model | Framework | SWE-bench Verified |
|---|---|---|
| GLM-4-32B | Moatless<sup>[1]</sup> | 33.8 |
| GLM-4-32B | Agentless<sup>[2]</sup> | 30.7 |
"""
    ex = extract(text, model="GLM-4-32B")
    assert triples(ex) == [(1, "SWE-bench Verified", 33.8), (1, "SWE-bench Verified", 30.7)]
    assert [r.notes for r in ex.results] == ["Framework: Moatless", "Framework: Agentless"]


def test_instruct_model_matches_family_header_only_in_instruct_section():
    text = """## Base pretrained models

| Benchmark | Llama 3 8B |
|---|---|
| MMLU (5-shot) | 66.6 |

## Instruction tuned models

| Benchmark | Llama 3 8B |
|---|---|
| MMLU (5-shot) | 68.4 |
"""
    # matched only by its family name: shown, held back, written when asked
    ex = extract(text, model="Llama-3-8B-Instruct")
    assert ex.results == [] and [(r.provenance["table"], r.value, r.provenance["doubt"]) for r in ex.held] == [
        (2, 68.4, "the model is named only by its family")]
    assert triples(extract(text, model="Llama-3-8B-Instruct", include_low_confidence=True)) == [(2, "MMLU (5-shot)", 68.4)]
    assert triples(extract(text, model="Llama 3 8B")) == [(1, "MMLU (5-shot)", 66.6), (2, "MMLU (5-shot)", 68.4)]


# -- never guess ------------------------------------------------------------------------------------------------------


def test_no_match_reports_candidates_and_extracts_nothing():
    ex = extract(COLUMNS, model="Yi-6B-Chat")
    assert ex.results == [] and ex.ambiguous
    assert "Yi-34B-Chat" in ex.candidates
    d = ex.to_dict()
    assert d["ambiguous"] is True and d["results"] == []


def test_near_match_is_reported_not_taken():
    text = """| Model | MMLU |
|---|---|
| Qwen-VL-7B-Chat | 60.0 |
"""
    ex = extract(text, model="Qwen-VL-Chat")
    assert ex.results == [] and ex.ambiguous
    assert ex.near_matches == ["Qwen-VL-7B-Chat"]


def test_model_column_index_names_the_column():
    text = """| Benchmark | A | B |
|---|---|---|
| MMLU | 1.0 | 2.0 |
"""
    assert triples(extract(text, model="unknown", model_column_index=3)) == [(1, "MMLU", 2.0)]
    with pytest.raises(UsageError):
        extract(text, model_column_index=0)


def test_table_selection_and_bad_index():
    text = ROWS + "\n" + COLUMNS
    assert {t for t, _, _ in triples(extract(text, model="Yi-34B-Chat", tables=[2]))} == {2}
    assert extract(text, model="Yi-34B-Chat", tables=[1]).results == []
    with pytest.raises(UsageError) as e:
        extract(text, model="Yi-34B-Chat", tables=[7])
    assert "2 tables" in str(e.value)


def test_metric_mapping_extends_the_registry():
    text = """| Model | MyBench (acc) | MMLU |
|---|---|---|
| M | 50.0 | 60.0 |
"""
    ex = extract(text, model="M", metric_mapping={"MyBench (acc)": "me/mybench", "MMLU": {"dataset_id": "me/mmlu-fork", "metric": "accuracy"}})
    assert [r.dataset_id for r in ex.results] == ["me/mybench", "me/mmlu-fork"]
    # unknown names get a slug of the cleaned name, no fake org
    assert extract(text, model="M").results[0].dataset_id == "mybench"


# -- API edges --------------------------------------------------------------------------------------------------------


def test_default_model_name():
    card = "---\nlicense: mit\n---\n```\n# not a title\n```\n# **My-Model 7B**\n\ntext\n"
    assert default_model_name(card) == "My-Model 7B"
    assert default_model_name(card, repo_id="org/repo-name") == "repo-name"
    assert default_model_name("no heading") is None


def test_binary_and_non_utf8_input_are_clear_errors():
    with pytest.raises(SourceError):
        extract("abc\x00def")
    with pytest.raises(SourceError):
        extract(b"\xff\xfe\x00")  # type: ignore[arg-type]
    with pytest.raises(EvalcardError):
        inspect_tables("a\x00")


def test_empty_input():
    ex = extract("", model="m")
    assert ex.results == [] and not ex.ambiguous and ex.candidates == []
    assert inspect_tables("") == []


def test_front_matter_is_not_a_heading_or_table():
    text = "---\nlicense: mit\nmodel-index: []\n---\n| Model | MMLU |\n|---|---|\n| M | 1.0 |\n"
    (rep,) = inspect_tables(text, model="M")
    assert rep.heading is None and rep.line == 5


def test_reports_are_json_ready():
    reps = inspect_tables(ROWS + COLUMNS, model="Yi-34B-Chat")
    data = json.loads(json.dumps([r.to_dict() for r in reps]))
    assert [d["index"] for d in data] == [1, 2]
    assert data[1]["orientation"] == "columns" and data[1]["matched_model"] == "Yi-34B-Chat"
    assert data[1]["results"][0] == {**data[1]["results"][0], "table": 2, "benchmark": "MMLU", "value": 67.62}
    assert data[0]["model_candidates"] == ["Other 7B", "Ours-7B", "Big 70B"]
    ex = extract(ROWS + COLUMNS, model="Yi-34B-Chat")
    d = json.loads(json.dumps(ex.to_dict()))
    assert d["results"][0]["table"] == 2 and d["results"][0]["benchmark"] == "MMLU" and d["results"][0]["value"] == 67.62
    for table, what, reason in ex.skipped:  # skips unpack as (table, what, reason)
        assert isinstance(reason, str)


# -- the examples in docs/extract.md ----------------------------------------------------------------------------------


def test_docs_examples():
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "extract.md").read_text(encoding="utf-8")
    examples = re.findall(r"<!-- example: model=(.+?) -->\s*```markdown\n(.*?)```\s*```json\n(.*?)```", doc, re.S)
    assert len(examples) >= 3
    for model, md, expected_json in examples:
        expected = json.loads(expected_json)
        got = extract(md, model=model).to_dict()["results"]
        assert len(got) == len(expected), (model, got)
        for g, e in zip(got, expected):
            assert {k: g.get(k) for k in e} == e, (model, g)


def test_default_model_name_drops_model_card_suffix():
    from evalcard.card.extract import default_model_name

    assert default_model_name("# InternLM2.5-7B Model Card\n\ntext\n") == "InternLM2.5-7B"
    assert default_model_name("# My-Model: model card\n") == "My-Model"
    assert default_model_name("# Title\n", "org/repo-name") == "repo-name"


@pytest.mark.parametrize("title, name", [
    ("## Results", "BLEU"),
    ("**Test Result**:", "BLEU"),
    ("## Evaluation results", "BLEU"),
    ("## WMT16 en-ro", "WMT16 en-ro / BLEU"),
    ("## Results on WMT16", "WMT16 / BLEU"),
    ("### Evaluation on MLSUM German Test Set:", "MLSUM German Test Set / BLEU"),
    ("## Trained on WMT16", "Trained on WMT16 / BLEU"),
])
def test_a_generic_title_does_not_name_the_benchmark_of_a_metric_column(title, name):
    text = f"{title}\n\n| Model | BLEU |\n|---|---|\n| Other | 20.1 |\n| **Ours-base** | **34.38** |\n"
    ex = extract(text, model="Ours-base")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [(name, 34.38)]


def test_a_long_format_translation_table_gives_each_test_set_and_metric_and_leaves_the_counts():
    text = (
        "# opus-mt-xx\n\n## Benchmarks\n\n| langpair | testset | chr-F | BLEU | #sent | #words | BP |\n|---|---|---|---|---|---|---|\n"
        "| fin-eng | flores101-devtest | 0.62521 | 35.4 | 1012 | 24721 | 0.98 |\n| fin-eng | newstest2015 | 0.57469 | 29.9 | 1370 | 27270 | 1.000 |\n"
    )
    ex = extract(text, model="opus-mt-xx")
    got = [(r.provenance["benchmark"], r.metric_type, r.value) for r in ex.results]
    assert got == [
        ("fin-eng / flores101-devtest", "chrf", 0.62521), ("fin-eng / newstest2015", "chrf", 0.57469),
        ("fin-eng / flores101-devtest", "bleu", 35.4), ("fin-eng / newstest2015", "bleu", 29.9),
    ]


def test_a_test_set_table_with_a_column_that_is_neither_a_score_nor_a_count_is_left_alone():
    # "Baseline" may be another system: whose BLEU is the other column is not said
    text = "| testset | BLEU | Baseline |\n|---|---|---|\n| newstest2019 | 24.3 | 22.0 |\n"
    assert extract(text, model="ours").results == []


def test_a_header_label_spanning_two_rows_makes_the_second_row_a_header_and_a_metric_pair_above_splits_the_cells():
    text = (
        "<table><tr><td rowspan=\"2\"><b>Model</b></td><td colspan=\"2\"><b>F1/FPR</b></td></tr>\n"
        "<tr><td>English</td><td>XSTest</td></tr>\n"
        "<tr><td>Other Guard</td><td>0.939/0.040</td><td>0.884/0.044</td></tr>\n"
        "<tr><td>Ours Guard 1B</td><td>0.899/0.090</td><td>0.821/0.068</td></tr></table>\n"
    )
    ex = extract(text, model="Ours Guard 1B")
    got = [(r.provenance["benchmark"], r.value, r.notes) for r in ex.results]
    assert got == [("English", 0.899, "F1"), ("English", 0.09, "FPR"), ("XSTest", 0.821, "F1"), ("XSTest", 0.068, "FPR")]


def test_a_pair_cell_under_a_model_header_with_a_slash_is_not_split_by_it():
    # the slash in a column header naming the model says nothing about the halves of a cell
    text = "| Benchmark | org/ours |\n|---|---|\n| MMLU | 61.2/60.1 |\n"
    assert extract(text, model="org/ours").results == []


def test_timing_and_cost_columns_and_a_row_index_are_not_scores():
    text = (
        "## Model Zoo\n\n<table><tr><th></th><th>name</th><th>top1</th><th>gmacs</th><th>samples_per_sec</th><th>schedule</th></tr>\n"
        "<tr><th>0</th><td>ours_tiny</td><td>84.186</td><td>4.47</td><td>2433.7</td><td>500</td></tr>\n"
        "<tr><th>1</th><td>other_base</td><td>85.1</td><td>15.4</td><td>1200.0</td><td>300</td></tr></table>\n"
    )
    ex = extract(text, model="ours_tiny")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [("top1", 84.186)]


def test_a_heading_naming_a_benchmark_qualifies_columns_that_are_its_parts():
    text = "## C-Eval\n\n| Model 5-shot | STEM | Average |\n|---|---|---|\n| Other-7B | 30.1 | 31.0 |\n| **Ours-13B** | 47.0 | 53.6 |\n"
    ex = extract(text, model="Ours-13B")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [("C-Eval / STEM", 47.0), ("C-Eval / Average", 53.6)]
    # columns that are benchmarks themselves are not qualified by the heading
    text = "## C-Eval\n\n| Model | MMLU | GSM8K |\n|---|---|---|\n| Ours-13B | 47.0 | 53.6 |\n"
    assert [r.provenance["benchmark"] for r in extract(text, model="Ours-13B").results] == ["MMLU", "GSM8K"]


def test_a_label_column_after_the_benchmark_splits_it_into_parts():
    text = (
        "| Benchmark | Language | Ours 3B | Other 3B |\n|---|---|---|---|\n"
        "| MMLU (5-shot) | Portuguese | 54.4 | 40.1 |\n| | Spanish | 55.1 | 41.0 |\n| | Hindi | 43.3 | 30.2 |\n"
    )
    ex = extract(text, model="Ours 3B")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [
        ("MMLU (5-shot) / Portuguese", 54.4), ("MMLU (5-shot) / Spanish", 55.1), ("MMLU (5-shot) / Hindi", 43.3),
    ]


def test_a_score_named_only_as_a_part_or_an_average_is_not_written_and_says_why():
    text = "## 中文评测\n\n| Model | Average | STEM | MMLU |\n|---|---|---|---|\n| Other | 30.0 | 29.0 | 40.0 |\n| Ours-7B | 42.8 | 38.2 | 51.0 |\n"
    ex = extract(text, model="Ours-7B")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [("MMLU", 51.0)]
    reasons = [s.reason for s in ex.skipped]
    assert "'Average' names a part or an average, not a benchmark (no benchmark in the caption or heading)" in reasons
    assert any(r.startswith("'STEM' names a part") for r in reasons)


def test_a_model_split_over_a_name_and_a_size_column_is_found_in_any_word_order():
    text = (
        "| Model | Size | HumanEval |\n|---|---|---|\n| CodeQwen1.5 | 7B | 51.8 |\n| **CodeQwen1.5-Chat** | 7B | 83.5 |\n"
    )
    ex = extract(text, model="CodeQwen1.5-7B-Chat")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [("HumanEval", 83.5)]
    # other words are another model
    assert extract(text, model="CodeQwen1.5-14B-Chat").results == []


def test_a_table_relative_to_the_model_is_not_its_scores():
    text = (
        "| Model | XNLI | LCQMC | BQ | Avg |\n|---|---|---|---|---|\n| **Ours-base** | 100% | 100% | 100% | 100% |\n"
        "| Other | 98.5% | 99.1% | 97.0% | 98.2% |\n"
    )
    ex = extract(text, model="Ours-base")
    assert ex.results == []
    # a model that scores 100 on every benchmark of a table where the others score 100 too is not relative
    text = "| Model | MMLU | BBH | ARC |\n|---|---|---|---|\n| Ours-base | 100 | 100 | 100 |\n| Other | 100 | 100 | 100 |\n"
    assert [r.value for r in extract(text, model="Ours-base").results] == [100.0, 100.0, 100.0]


def test_a_task_table_of_correlation_scores_on_a_one_model_card_is_read():
    text = (
        "# ours-sbert\n\n| Monolingual Task | Pearson Cosine test | Spearman Cosine test |\n|---|---|---|\n"
        "| en;en | 0.8685 | 0.8728 |\n| es;es | 0.8487 | 0.8561 |\n"
    )
    ex = extract(text, model="ours-sbert")
    assert [(r.provenance["benchmark"], r.value) for r in ex.results] == [
        ("en;en", 0.8685), ("es;es", 0.8487), ("en;en", 0.8728), ("es;es", 0.8561),
    ]


def test_emoji_link_markers_in_a_model_header_are_not_part_of_its_name():
    text = "| Benchmark | GPT-4o | Ours-VL-72B (🤗 🤖 | Ours-VL-7B (🤗 🤖) |\n|---|---|---|---|\n| MMMU | 69.1 | 64.5 | 54.1 |\n"
    assert [(r.provenance["benchmark"], r.value) for r in extract(text, model="Ours-VL-7B").results] == [("MMMU", 54.1)]
    assert [r.value for r in extract(text, model="Ours-VL-72B").results] == [64.5]


def test_every_score_carries_its_evidence():
    text = "| Benchmark | Other | Ours-7B |\n|---|---|---|\n| MMLU | 50.0 | 61.5 |\n"
    (r,) = extract(text, model="Ours-7B").results
    assert r.provenance["match"] == "exact" and r.provenance["matched"] == "Ours-7B"
    assert (r.provenance["row"], r.provenance["column"]) == (2, 3)
    assert r.provenance["why"] == "a column header names the model ('Ours-7B')"
    (r,) = extract(text, model="Ours-7B", model_column_index=3).results
    assert r.provenance["match"] == "forced" and r.provenance["why"] == "--model-column-index 3"
    text = "| Model | Size | MMLU |\n|---|---|---|\n| Ours-Chat | 7B | 61.5 |\n"
    (r,) = extract(text, model="Ours-7B-Chat").results
    assert r.provenance["match"] == "reordered" and r.provenance["why"].startswith("a row label names the model with its words")
    text = "# ours\n\n| Benchmark | Score |\n|---|---|\n| MMLU | 61.5 |\n"
    (r,) = extract(text, model="ours").results
    assert r.provenance["match"] == "implicit"
    d = extract(text, model="ours").to_dict()["results"][0]["evidence"]
    assert d == {"table": 1, "row": 2, "column": 2, "match": "implicit", "why": "the table names no model and its score columns are the card's own",
                 "confidence": "high"}


def test_a_composed_name_is_not_a_pair_announcement_but_a_pair_written_in_one_word_is():
    # "Competition-level math / maj@64" joins a group row and a setting row: it says nothing of '31/40'
    text = (
        "| Benchmark | Setting | Ours-7B |\n|---|---|---|\n| **Competition-level math** | | |\n"
        "| AMC | maj@64 | 31/40 |\n| MMMU (val/test) | 0-shot | 43.5/37.9 |\n"
    )
    ex = extract(text, model="Ours-7B")
    assert [(r.provenance["benchmark"], r.value, r.notes) for r in ex.results] == [
        ("MMMU (val/test) / 0-shot", 43.5, "val"), ("MMMU (val/test) / 0-shot", 37.9, "test")]
    assert any("'31/40' holds two numbers" in s.reason for s in ex.skipped)


def test_the_text_before_a_table_can_announce_the_metric_pair_of_its_cells():
    table = "| Dataset | Scale | Bicubic | ours-base |\n|---|---|---|---|\n| Set5 | 2x | 33.64/0.9292 | 38.02/0.9607 |\n"
    ex = extract("The results columns below are represented as `PSNR/SSIM`.\n\n" + table, model="ours-base")
    assert [(r.provenance["benchmark"], r.value, r.notes) for r in ex.results] == [("Set5 / 2x", 38.02, "PSNR"), ("Set5 / 2x", 0.9607, "SSIM")]
    # two different pairs announced, or a pair of words that are not metrics: nothing decides
    assert extract("Shown as PSNR/SSIM or FID/MAE.\n\n" + table, model="ours-base").results == []
    assert extract("Trained on train/dev splits.\n\n" + table, model="ours-base").results == []
    assert extract("Cells show accuracy/seconds.\n\n" + table, model="ours-base").results == []


@pytest.mark.parametrize("heading, named", [
    ("MultiPL-E", "MultiPL-E / Python"),
    ("Performance on Chinese Idiom Cloze (ChID) dataset", "Chinese Idiom Cloze (ChID) / Python"),
    ("LiveCodeBench", "LiveCodeBench / Python"),
    ("Zero-shot performance on text classification tasks", "Python"),  # describes, names nothing
    ("Results", "Python"),
])
def test_a_heading_written_as_a_proper_name_qualifies_columns_that_are_not_benchmarks(heading, named):
    text = f"## {heading}\n\n| Model | Python | MMLU |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| Ours-7B | 83.2 | 60.1 |\n"
    ex = extract(text, model="Ours-7B")
    # a column that is a benchmark keeps its name, and qualifying the others is the heading's doing
    assert [r.provenance["benchmark"] for r in ex.results] == ["Python", "MMLU"]
    text = f"## {heading}\n\n| Model | Python | C++ |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| Ours-7B | 83.2 | 60.1 |\n"
    ex = extract(text, model="Ours-7B", include_low_confidence=True)
    assert [r.provenance["benchmark"] for r in ex.results] == [named, named.replace("Python", "C++")]


def test_flops_columns_with_a_unit_prefix_are_properties():
    text = "| Model | GFLOPs | Top-1 |\n|---|---|---|\n| ours-s | 136 | 81.2 |\n| other | 40 | 77.0 |\n"
    assert [(r.provenance["benchmark"], r.value) for r in extract(text, model="ours-s").results] == [("Top-1", 81.2)]


# -- confidence -----------------------------------------------------------------------------------------------------

_UNKNOWN = "| Model | Tech | Movie |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| Ours-7B | 83.2 | 60.1 |\n"


def test_a_table_where_nothing_is_a_known_benchmark_or_metric_is_held_back():
    ex = extract(_UNKNOWN, model="Ours-7B")
    assert ex.results == [] and [(r.provenance["benchmark"], r.value) for r in ex.held] == [("Tech", 83.2), ("Movie", 60.1)]
    assert {r.provenance["confidence"] for r in ex.held} == {"low"}
    assert ex.held[0].provenance["doubt"].startswith("no benchmark or metric in this table is one evalcard knows")
    assert ex.to_dict()["held_back"][0]["evidence"]["confidence"] == "low" and not ex.ambiguous
    assert [r.value for r in extract(_UNKNOWN, model="Ours-7B", include_low_confidence=True).results] == [83.2, 60.1]


@pytest.mark.parametrize("kwargs", [{"tables": [1]}, {"model_column_index": 2}, {"metric_mapping": {"Tech": "org/tech-bench"}}])
def test_the_users_word_makes_a_score_high_confidence(kwargs):
    text = _UNKNOWN if "model_column_index" not in kwargs else "| Benchmark | Other | Ours |\n|---|---|---|\n| Tech | 1.0 | 83.2 |\n"
    ex = extract(text, model="Ours-7B", **kwargs)
    assert ex.results and ex.held == [] and {r.provenance["confidence"] for r in ex.results} == {"high"}


@pytest.mark.parametrize("header", ["Tech | MMLU", "Tech (Accuracy) | Movie", "XNLI | Movie", "MMLU (5-shot, macro_avg/acc) | Movie", "Tech / Movie | MMLU"])
def test_one_known_benchmark_or_metric_vouches_for_its_table(header):
    # a registry benchmark, a metric, a benchmark the frameworks define (lm-eval's XNLI), a name with qualifiers
    text = f"| Model | {header} |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| Ours-7B | 83.2 | 60.1 |\n"
    ex = extract(text, model="Ours-7B")
    assert [r.value for r in ex.results] == [83.2, 60.1] and ex.held == []


def test_benchmark_names_leave_out_metrics_and_table_words():
    assert REG.names_benchmark("XNLI") and REG.names_benchmark("ok_vqa") and REG.names_benchmark("MMLU")
    assert not any(REG.names_benchmark(w) for w in ("score", "Accuracy", "average", "general", "code", "", None, "12"))


# -- every score-like cell left out has a reason --------------------------------------------------------------------


def _left(rep):
    return {(d["row"], d["column"]): d["reason"] for d in rep.left_out}


def test_every_score_like_cell_left_out_has_a_reason():
    text = (
        "| Benchmark | Params | Other-7B | Ours-7B |\n|---|---|---|---|\n| MMLU | 7B | 50.0 | 61.5 |\n"
        "| GSM8K | 7 | 40.0 | 30.5/31.0 |\n| Latency (ms) | 7 | 12 | 10 |\n"
    )
    (rep,) = inspect_tables(text, model="Ours-7B")
    left = _left(rep)
    assert left[(2, 3)] == "column 'Other-7B' is not the model's" and left[(3, 3)] == left[(2, 3)]
    assert left[(3, 4)] == "cell '30.5/31.0' holds two numbers and the name does not say which is which"
    assert left[(4, 4)] == "row is a model property, not a score"
    assert (2, 4) not in left  # extracted
    assert left[(3, 2)].startswith("column 'Params' is not a score")
    assert all(reason for reason in left.values())
    assert rep.to_dict()["left_out"] == rep.left_out and rep.left_out_summary()[0][1] >= 1


def test_rows_of_other_models_and_tables_without_the_model_say_so():
    text = "| Model | MMLU | BBH |\n|---|---|---|\n| Other | 50.0 | 40.0 |\n| Ours | 61.5 | 45.0 |\n"
    (rep,) = inspect_tables(text, model="Ours")
    assert _left(rep) == {(2, 2): "row 'Other' is not the model's", (2, 3): "row 'Other' is not the model's"}
    (rep,) = inspect_tables(text, model="Nobody")
    assert set(_left(rep).values()) == {"model 'Nobody' not found in this table"} and len(rep.left_out) == 4


def test_the_list_of_cells_left_out_is_bounded_and_counts_the_rest(monkeypatch):
    import evalcard.card.extract as ex_mod

    monkeypatch.setattr(ex_mod, "MAX_LEFT_OUT", 3)
    text = "| Model | MMLU | BBH |\n|---|---|---|\n" + "".join(f"| Other{i} | 50.0 | 40.0 |\n" for i in range(5)) + "| Ours | 1 | 2 |\n"
    (rep,) = inspect_tables(text, model="Ours")
    assert len(rep.left_out) == 4 and rep.left_out[-1]["reason"] == "7 more score-like cells left out (not listed)"


def test_a_cell_of_the_models_row_that_nothing_names_is_said_so():
    text = "| Model | MMLU | |\n|---|---|---|\n| Other | 50.0 | 3 |\n| Ours | 61.5 | 4 |\n"
    (rep,) = inspect_tables(text, model="Ours")
    left = _left(rep)
    assert left[(3, 3)].startswith("in the model's row or column, but no benchmark names it")
    assert left[(2, 3)] == "row 'Other' is not the model's"


def test_a_cell_of_three_scores_is_split_only_when_three_parts_are_announced():
    assert parse_value("18.0/18.7/17.8").parts == (18.0, 18.7, 17.8)
    table = "| Model | ROUGE-1 |\n|---|---|\n| ours | 18.0/18.7/17.8 |\n| other | 13.1/17.9/14.4 |\n"
    note = "\nThe numbers in the tables denote *precision/recall/F1-score*\n"
    ex = extract(table + note, model="ours")
    assert [(r.value, r.notes, r.metric_type) for r in ex.results] == [
        (18.0, "precision", "precision"), (18.7, "recall", "recall"), (17.8, "F1-score", "f1")]
    # two parts announced for three numbers, or nothing announced: skipped with the reason
    assert extract(table + "\nCells are precision/recall.\n", model="ours").results == []
    ex = extract(table, model="ours")
    assert ex.results == [] and ex.skipped[0].reason == "cell '18.0/18.7/17.8' holds 3 numbers and the name does not say which is which"
    header = "| Model | ROUGE-1 P/R/F1 |\n|---|---|\n| ours | 18.0/18.7/17.8 |\n| other | 13.1/17.9/14.4 |\n"
    assert [r.value for r in extract(header, model="ours").results] == [18.0, 18.7, 17.8]


def test_the_parts_of_a_pair_take_their_own_metrics_direction_unless_the_user_or_an_arrow_says_otherwise():
    table = "The columns are `PSNR/FID`.\n\n| Dataset | ours-base |\n|---|---|\n| Set5 | 38.02/12.5 |\n"
    got = lambda ex: [(r.metric_type, r.higher_is_better) for r in ex.results]  # noqa: E731
    assert got(extract(table, model="ours-base")) == [("psnr", True), ("fid", False)]
    mapped = extract(table, model="ours-base", metric_mapping={"Set5": {"dataset_id": "org/set5", "higher_is_better": True}})
    assert got(mapped) == [("psnr", True), ("fid", True)]
    assert got(extract(table.replace("| Set5 |", "| Set5 ⬇ |"), model="ours-base")) == [("psnr", False), ("fid", False)]
