"""Each named extraction rule (card/ruleset.py) on its own: a small README where the rule decides the outcome — the
test shows the result with the rule on and that it changes with the rule off — and the corpus files it is needed
for (turning it off changes their extraction: ``bench/extract_quality.py --ablation`` prints the figures)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from evalcard.card.extract import extract, inspect_tables
from evalcard.card.ruleset import RULES, active, without

ROOT = Path(__file__).resolve().parents[1]


def got(text, model, **kw):
    kw.setdefault("include_low_confidence", True)  # the rules that decide what is read, not whether it is written
    ex = extract(text, model=model, **kw)
    return [(r.provenance["benchmark"], r.value) for r in ex.results]


#: rule -> (README, model, what is extracted with the rule on)
EXAMPLES = {
    "target-reordered": ("| Model | Size | MMLU |\n|---|---|---|\n| Ours-Chat | 7B | 61.5 |\n", "Ours-7B-Chat", [("MMLU", 61.5)]),
    "target-family": ("## Instruction tuned models\n\n| Benchmark | Llama 3 8B |\n|---|---|\n| MMLU | 68.4 |\n",
                      "Llama-3-8B-Instruct", [("MMLU", 68.4)]),
    "one-match": ("| Model | Framework | MMLU |\n|---|---|---|\n| ours | hf | 61.5 |\n| other | hf | 50.0 |\n| ours | hf | 63.0 |\n",
                  "ours", []),
    "implicit-table": ("# ours\n\n| Benchmark | Score |\n|---|---|\n| MMLU | 61.5 |\n", "ours", [("MMLU", 61.5)]),
    "non-score-columns": ("| Model | Params | MMLU |\n|---|---|---|\n| ours | 7 | 61.5 |\n| other | 13 | 50.0 |\n", "ours", [("MMLU", 61.5)]),
    "row-index": ("## ImageNet-1k\n\n| | name | top1 |\n|---|---|---|\n| 0 | ours | 84.1 |\n| 1 | other | 85.1 |\n", "ours", [("ImageNet-1k / top1", 84.1)]),
    "generic-title": ("## Results\n\n| Model | WER |\n|---|---|\n| ours | 5.1 |\n| other | 6.0 |\n", "ours", [("WER", 5.1)]),
    "sibling-heading": ("### C-Eval\n\nWe test 5-shot.\n\n### Results\n\n| Model | STEM | Humanities |\n|---|---|---|\n| other | 1 | 2 |\n"
                        "| ours | 47.0 | 53.6 |\n", "ours", [("C-Eval / STEM", 47.0), ("C-Eval / Humanities", 53.6)]),
    "context-name": ("## Evaluation on MLSUM German Test Set\n\n| Model | rouge1 |\n|---|---|\n| ours | 41.2 |\n| other | 40.0 |\n",
                     "ours", [("MLSUM German Test Set / rouge1", 41.2)]),
    "proper-name-heading": ("## MultiPL-E\n\n| Model | Python | C++ |\n|---|---|---|\n| ours | 83.2 | 71.2 |\n| other | 1 | 2 |\n",
                            "ours", [("MultiPL-E / Python", 83.2), ("MultiPL-E / C++", 71.2)]),
    "bare-part": ("| Model | MMLU | Average |\n|---|---|---|\n| ours | 61.5 | 60.0 |\n| other | 50.0 | 49.0 |\n", "ours", [("MMLU", 61.5)]),
    "pair-in-name": ("| Benchmark | ours |\n|---|---|\n| MMMU (val/test) | 43.5/37.9 |\n", "ours",
                     [("MMMU (val/test)", 43.5), ("MMMU (val/test)", 37.9)]),
    "pair-announced": ("Cells are `PSNR/SSIM`.\n\n| Dataset | ours |\n|---|---|\n| Set5 | 38.02/0.9607 |\n", "ours",
                       [("Set5", 38.02), ("Set5", 0.9607)]),
    "sub-label": ("| Benchmark | Language | ours |\n|---|---|---|\n| MMLU | French | 61.5 |\n| | German | 60.1 |\n", "ours",
                  [("MMLU / French", 61.5), ("MMLU / German", 60.1)]),
    "named-before": ("Detailed results of the ours-13B model on MMLU.\n\n| Benchmark | STEM | Average |\n|---|---|---|\n"
                     "| MMLU | 51.6 | 62.1 |\n", "ours-13B", [("MMLU / STEM", 51.6), ("MMLU / Average", 62.1)]),
    "sclite-summary": ("### WER\n\n|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n"
                       "|decode/test_clean|2620|52576|97.0|2.6|0.2|0.3|3.1|30.2|\n", "ours",
                       [("decode/test_clean", 3.1), ("decode/test_clean", 30.2)]),
    "language-pair": ("| langpair | testset | BLEU |\n|---|---|---|\n| fin-eng | newstest2019 | 24.3 |\n| eng-fin | newstest2019 | 20.1 |\n",
                      "ours", [("fin-eng / newstest2019", 24.3), ("eng-fin / newstest2019", 20.1)]),
    "relative-to-target": ("| Model | MMLU | BBH | ARC |\n|---|---|---|---|\n| ours | 100 | 100 | 100 |\n| other | 98.5 | 99.1 | 97.0 |\n",
                           "ours", []),
    "confidence": ("| Model | Tech | Movie |\n|---|---|---|\n| Other | 1.0 | 2.0 |\n| ours | 83.2 | 60.1 |\n", "ours", []),
}

#: rules no development corpus file needs today (their examples above still pin them)
NO_CORPUS_CASE = {"target-family", "row-index", "one-match"}


def test_every_rule_has_an_example_and_is_asked_for_in_the_code():
    assert set(EXAMPLES) == set(RULES)
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "evalcard" / "card").glob("*.py"))
    asked = set(re.findall(r'active\("([a-z-]+)"\)', code))
    assert asked == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_rule_decides_its_example(rule):
    text, model, expected = EXAMPLES[rule]
    kw = {"include_low_confidence": False} if rule == "confidence" else {}
    assert got(text, model, **kw) == expected
    with without(rule):
        assert not active(rule)
        off = got(text, model, **kw)
    assert active(rule)
    assert off != expected, f"turning {rule!r} off changes nothing in its example"


def test_the_docs_list_every_rule():
    doc = (ROOT / "docs" / "extract.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z][a-z-]*)` \| (.+) \|$", doc, re.M)
    assert [(i, t.replace("\\|", "|")) for i, t in listed] == [(r.id, r.summary) for r in RULES.values()]


def test_unknown_rule_names_are_refused():
    with pytest.raises(KeyError):
        active("no-such-rule")
    with pytest.raises(KeyError):
        with without("no-such-rule"):
            pass


def test_rules_turned_off_are_on_again_after_an_error():
    with pytest.raises(RuntimeError):
        with without("confidence"):
            raise RuntimeError
    assert active("confidence")


def test_inspect_tables_follows_the_rules_too():
    text, model, _ = EXAMPLES["non-score-columns"]
    (rep,) = inspect_tables(text, model=model)
    assert [r.provenance["benchmark"] for r in rep.results] == ["MMLU"]
    with without("non-score-columns"):
        (rep,) = inspect_tables(text, model=model)
    assert [r.provenance["benchmark"] for r in rep.results] == ["Params", "MMLU"]


@pytest.mark.slow
def test_every_rule_but_the_listed_ones_changes_some_development_corpus_file():
    sys.path.insert(0, str(ROOT / "bench"))
    import extract_quality

    rows = {row["rule"]: row for row in extract_quality.ablation(ROOT / "corpus")}
    for rule in RULES:
        if rule in NO_CORPUS_CASE:
            assert rows[rule]["files"] == [], f"{rule} now has corpus cases: remove it from NO_CORPUS_CASE"
        else:
            assert rows[rule]["files"], f"turning {rule!r} off changes no development corpus file"


def test_one_match_abstains_says_where_and_the_index_options_pick_one():
    rows, model, _ = EXAMPLES["one-match"]
    ex = extract(rows, model=model)
    assert ex.results == [] and ex.ambiguous and ex.candidates == ["row 2", "row 4"]
    (rep,) = inspect_tables(rows, model=model)
    assert "nothing in the table tells them apart" in rep.reasons[-1] and "--model-row-index N" in rep.reasons[-1]
    assert got(rows, model, model_row_index=4) == [("MMLU", 63.0)]
    assert extract(rows, model=model, model_row_index=4).results[0].provenance["why"] == "--model-row-index 4"
    cols = "| Benchmark | ours | other | ours |\n|---|---|---|---|\n| MMLU | 61.5 | 40.0 | 62 |\n"
    assert extract(cols, model="ours").results == [] and extract(cols, model="ours").candidates == ["column 2", "column 4"]
    assert got(cols, "ours", model_column_index=4) == [("MMLU", 62.0)]
    # told apart by a label column, a section row or a header level: every match is read, with a note
    told = rows.replace("| ours | hf | 63.0 |", "| ours | vllm | 63.0 |")
    assert [r.notes for r in extract(told, model=model).results] == ["Framework: hf", "Framework: vllm"]
    two_levels = ("<table><tr><th>Benchmark</th><th>ours</th><th>other</th><th>ours</th></tr>"
                  "<tr><th></th><th>base</th><th>base</th><th>chat</th></tr><tr><td>MMLU</td><td>61.5</td><td>40.0</td><td>62</td></tr></table>")
    assert len(extract(two_levels, model="ours").results) == 2


@pytest.mark.parametrize("kwargs, message", [
    ({"model_row_index": 0}, "--model-row-index must be 1 or more"),
    ({"model_row_index": 2, "model_column_index": 2}, "give one"),
])
def test_bad_index_options_are_usage_errors(kwargs, message):
    from evalcard.errors import UsageError

    with pytest.raises(UsageError, match=message):
        extract("| a | b |\n|---|---|\n| x | 1 |\n", model="x", **kwargs)


def test_a_row_index_that_is_not_a_row_of_scores_says_so():
    text = "| Model | MMLU |\n|---|---|\n| ours | 61.5 |\n"
    (rep,) = extract(text, model="ours", model_row_index=9).results or [None]
    assert rep is None
    assert "--model-row-index 9: row is not a row of scores" in inspect_tables_reasons(text, model_row_index=9)


def inspect_tables_reasons(text, **kw):
    from evalcard.card.extract import _make_ctx, _read_table
    from evalcard.card.tables import parse_tables

    ctx = _make_ctx("ours", None, None, kw.get("model_column_index"), kw.get("model_row_index"))
    return " ".join(_read_table(parse_tables(text)[0], ctx, forced=False)[0].reasons)


def test_the_heading_before_is_only_taken_when_it_names_a_benchmark_and_the_own_heading_is_generic():
    base = "| Model | STEM | Humanities |\n|---|---|---|\n| other | 1 | 2 |\n| ours | 47.0 | 53.6 |\n"
    # a heading before or above that names no benchmark is not taken
    assert got("### Installation\n\ntext\n\n### Results\n\n" + base, "ours") == []  # bare parts: nothing names the benchmark
    assert got("## Usage\n\n### Results\n\n" + base, "ours") == []
    # the heading above, when the one before at its own level names nothing; a specific heading of its own wins
    assert got("## C-Eval\n\n### Results\n\n" + base, "ours") == got("## C-Eval\n\n" + base, "ours")
    assert got("### C-Eval\n\n### CMMLU\n\n" + base, "ours")[0][0].startswith("CMMLU")


def test_sclite_summary_reads_the_error_rates_with_their_metrics():
    """ESPnet's RESULTS: Err is the rate its heading names, S.Err the sentence error rate; the counts and the
    parts of Err (Corr, Sub, Del, Ins) are not scores."""
    text = ("## RESULTS\n\n### WER\n\n|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n"
            "|decode/test_clean|2620|52576|97.0|2.6|0.2|0.3|3.1|30.2|\n\n### CER\n\n"
            "|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n"
            "|decode/test_clean|2620|281530|99.0|0.5|0.4|0.2|1.1|30.2|\n")
    ex = extract(text, model="ours")
    got = sorted((r.provenance["table"], r.metric_type, r.value, r.higher_is_better, r.task_type) for r in ex.results)
    assert got == [
        (1, "ser", 30.2, False, "automatic-speech-recognition"), (1, "wer", 3.1, False, "automatic-speech-recognition"),
        (2, "cer", 1.1, False, "automatic-speech-recognition"), (2, "ser", 30.2, False, "automatic-speech-recognition"),
    ]
    assert not ex.held


@pytest.mark.parametrize("text", [
    # the sentence names another model
    "Detailed results of the theirs-13B model on MMLU.\n\n| Benchmark | STEM | Average |\n|---|---|---|\n| MMLU | 51.6 | 62.1 |\n",
    # a longer name that only starts with the model's
    "Detailed results of ours-13B-Chat on MMLU.\n\n| Benchmark | STEM | Average |\n|---|---|---|\n| MMLU | 51.6 | 62.1 |\n",
    # headers read like models: the columns are other models
    "We compare ours-13B with others.\n\n| Benchmark | Llama 7B | Qwen 14B |\n|---|---|---|\n| MMLU | 51.6 | 62.1 |\n",
    # headers are benchmarks: the rows may be models
    "Results of ours-13B.\n\n| Task | C-Eval | CMMLU |\n|---|---|---|\n| MMLU | 51.6 | 62.1 |\n",
    # no row is a known benchmark
    "Results of ours-13B.\n\n| Benchmark | STEM | Average |\n|---|---|---|\n| Foo | 51.6 | 62.1 |\n",
    # the label column is not a benchmark column
    "Results of ours-13B.\n\n| Setting | STEM | Average |\n|---|---|---|\n| MMLU | 51.6 | 62.1 |\n",
])
def test_named_before_takes_nothing_without_every_sign(text):
    ex = extract(text, model="ours-13B")
    assert not [r for r in [*ex.results, *ex.held] if r.provenance.get("match") == "named-before"]
