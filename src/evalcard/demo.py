"""The offline demo: a local store with a few model cards, and the story evalcard tells on them.

Everything here runs without an account or network. ``evalcard demo`` prints each step; tests run it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .store.base import RepoRef
from .store.local import LocalStore

CARD_WITH_RESULTS = """\
---
license: apache-2.0
language:
- en
# evalcard keeps comments, quoting and key order: only model-index changes when it must
tags: ["text-classification", 'demo']
model-index:
- name: tiny-sentiment
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: SST-2
      type: nyu-mll/glue
      config: sst2
      split: validation
    metrics:
    - type: accuracy
      value: 0.912
      name: Accuracy
    - type: f1
      value: 0.915
    source:
      name: Model card
      url: https://example.org/tiny-sentiment
  - task:
      type: text-classification
    dataset:
      name: IMDB
      type: stanfordnlp/imdb
      split: test
    metrics:
    - type: accuracy
      value: 0.874
      verifyToken: demo-signed-token
---

# tiny-sentiment

A small sentiment classifier used by the evalcard demo.
"""

CARD_BROKEN = """\
---
license: mit
model-index:
- name: tiny-broken
  results:
  - task:
      type: text-generation
    dataset:
      type: openai/gsm8k
    metrics:
    - type: exact_match
      value: "about fifty"
  - task:
      type: text-generation
    dataset:
      name: MMLU
      type: cais/mmlu
    metrics:
    - type: accuracy
---

# tiny-broken

A card whose model-index has mistakes, to show `evalcard validate`.
"""

CARD_TABLE = """\
---
license: apache-2.0
---

# tiny-llm-1b

## Evaluation

| Benchmark | tiny-llm-1b | other-model-1b |
|-----------|-------------|----------------|
| MMLU (5-shot) | **45.2** | 43.0 |
| GSM8K (8-shot, CoT) | 31.5 | 35.1 |
| HellaSwag | 61.0% | 60.2% |
"""

DEMO_REPOS = {
    "demo-org/tiny-sentiment": CARD_WITH_RESULTS,
    "demo-org/tiny-broken": CARD_BROKEN,
    "demo-org/tiny-llm-1b": CARD_TABLE,
}


@dataclass
class DemoStore:
    store: LocalStore
    repos: list[RepoRef]


def build_demo_store(root: str | Path, log: Callable[[str], None] = lambda s: None) -> DemoStore:
    """Create (or reuse) the demo store at ``root``."""
    st = LocalStore(root)
    repos = []
    for rid, card in DEMO_REPOS.items():
        ref = RepoRef(rid, "model")
        if not st.exists(ref):
            st.create_repo(ref, {"README.md": card.encode("utf-8")}, message="Add model card")
            log(f"created {ref}")
        repos.append(ref)
    return DemoStore(st, repos)
