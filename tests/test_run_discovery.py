"""evalcard.run.discovery: which models fit a dataset's specs, and why the others do not."""

import json

import yaml
from run_fixtures import _datasets_cache, run_store  # noqa: F401  (fixtures)

from evalcard.run import data
from evalcard.run.discovery import Candidate, compatible_models, judge, spec_label_names, trained_on
from evalcard.run.spec import EvalSpec, default_metrics


def _by_model(cands):
    return {c.model: c for c in cands}


def test_imdb_models_in_a_local_store(run_store):
    src = data.resolve_dataset("stanfordnlp/imdb", store=run_store)
    specs = data.dataset_specs(src)
    cands = compatible_models(src, specs, store=run_store, description=data.describe(src))
    assert [c.model for c in cands if c.compatible] == ["demo/bert-imdb", "demo/bert-imdb-generic"]  # compatible first
    by = _by_model(cands)
    assert by["demo/bert-imdb"].trained_on == ["datasets"] and by["demo/bert-imdb"].task_ids == ["binary_classification"]
    assert any("labels align" in r for r in by["demo/bert-imdb"].reasons)
    assert by["demo/bert-imdb-generic"].trained_on == ["tag"]  # `dataset:imdb` names stanfordnlp/imdb
    assert by["demo/bert-imdb-generic"].pipeline_tag == "text-classification"  # from the architecture
    assert any("generic labels" in r for r in by["demo/bert-imdb-generic"].reasons)
    # and why the others are excluded
    assert any("not trained on stanfordnlp/imdb" in r for r in by["demo/bert-emotion"].reasons)
    assert any("neutral not in the dataset" in r for r in by["demo/bert-imdb-3way"].reasons)
    assert by["demo/bert-ner"].trained_on == ["model-index"]
    assert any("token-classification is not text-classification" in r for r in by["demo/bert-ner"].reasons)
    assert not by["demo/no-card"].compatible
    assert set(by["demo/bert-imdb"].to_dict()) == {"model", "compatible", "reasons", "pipeline_tag", "trained_on", "task_ids"}


def test_without_a_description_labels_are_not_checked(run_store):
    src = data.resolve_dataset("stanfordnlp/imdb", store=run_store)
    cands = _by_model(compatible_models(src, data.dataset_specs(src), store=run_store))
    assert cands["demo/bert-imdb-3way"].compatible


def test_any_dataset_admits_same_task_models_whose_labels_align(run_store):
    emotion = {"configs": ["default"], "splits": {"default": ["test"]}, "columns": {}, "label_names": {"default": {"label": ["sadness", "joy"]}}}
    spec = EvalSpec(model="", dataset="dair-ai/emotion", task_id="multi_class_classification", config="default", col_mapping={"text": "text", "label": "target"}, metrics=default_metrics("multi_class_classification"))
    strict = _by_model(compatible_models("dair-ai/emotion", [spec], store=run_store, description=emotion))
    assert [m for m, c in strict.items() if c.compatible] == ["demo/bert-emotion"]
    loose = _by_model(compatible_models("other/emotions", [spec], store=run_store, description=emotion, any_dataset=True))
    assert loose["demo/bert-emotion"].compatible  # not trained on it, but same task and labels
    assert not loose["demo/bert-imdb"].compatible  # NEG/POS are not sadness/joy
    assert loose["demo/bert-imdb-generic"].compatible  # two generic labels, two classes


def test_token_classification(run_store):
    src = data.resolve_dataset("demo/tiny-ner", store=run_store)
    desc = data.describe(src)
    specs = data.dataset_specs(src, description=desc)
    assert spec_label_names(specs[0], desc)[:3] == ["O", "B-PER", "I-PER"]
    cands = compatible_models(src, specs, store=run_store, description=desc)
    assert [c.model for c in cands if c.compatible] == ["demo/bert-ner"]


def test_trained_on_reads_every_place_a_card_names_a_dataset():
    assert trained_on({"datasets": ["imdb"]}, "stanfordnlp/imdb") == ["datasets"]
    assert trained_on({"datasets": "stanfordnlp/imdb"}, "imdb") == ["datasets"]
    assert trained_on({"datasets": ["other/imdb"]}, "stanfordnlp/imdb") == []  # two orgs: different datasets
    assert trained_on({"tags": ["dataset:glue", "en"]}, "nyu-mll/glue") == ["tag"]
    mi = [{"results": [{"dataset": {"type": "glue", "config": "sst2"}}, {"dataset": {"type": "glue"}}]}]
    assert trained_on({"model-index": mi}, "glue") == ["model-index"]
    assert trained_on({"model-index": "broken", "tags": "x", "datasets": 3}, "glue") == []


def test_task_rules():
    sq = EvalSpec(model="", dataset="my/qa", task_id="extractive_question_answering", col_mapping={}, metrics=[])
    c = judge("m", {"datasets": ["squad_v2"], "pipeline_tag": "question-answering"}, {}, "my/qa", [sq])
    assert c.compatible and any("admitted for extractive QA" in r for r in c.reasons)
    summ = EvalSpec(model="", dataset="my/news", task_id="summarization", col_mapping={}, metrics=[])
    assert judge("t5", {"pipeline_tag": "text2text-generation"}, {}, "my/news", [summ]).compatible  # any summarizer
    zs = EvalSpec(model="", dataset="my/mc", task_id="text_zero_shot_classification", col_mapping={}, metrics=[])
    assert judge("gpt", {}, {"architectures": ["LlamaForCausalLM"]}, "my/mc", [zs]).compatible
    assert not judge("bert", {}, {"architectures": ["BertForMaskedLM"]}, "my/mc", [zs]).compatible


def test_the_hub_path_with_the_loopback_hub(hub_server):
    from evalcard.store.hub import HubStore

    def card(meta):
        return "---\n" + yaml.safe_dump(meta) + "---\n"

    hub_server.create_repo("org/bert-imdb", {"README.md": card({"datasets": ["imdb"], "pipeline_tag": "text-classification"}), "config.json": json.dumps({"id2label": {"0": "neg", "1": "pos"}})})
    hub_server.create_repo("org/ner", {"README.md": card({"datasets": ["imdb"]}), "config.json": json.dumps({"architectures": ["BertForTokenClassification"]})})
    hub_server.create_repo("org/plain", {"config.json": json.dumps({"architectures": ["BertForSequenceClassification"]})})
    spec = EvalSpec(model="", dataset="stanfordnlp/imdb", task_id="binary_classification", col_mapping={"text": "text", "label": "target"}, metrics=[])
    desc = {"configs": ["plain_text"], "label_names": {"plain_text": {"label": ["neg", "pos"]}}}
    cands = _by_model(compatible_models("stanfordnlp/imdb", [spec], store=HubStore(), description=desc))
    assert cands["org/bert-imdb"].compatible
    assert not cands["org/ner"].compatible and cands["org/ner"].pipeline_tag == "token-classification"
    assert not cands["org/plain"].compatible
    assert isinstance(cands["org/plain"], Candidate)
