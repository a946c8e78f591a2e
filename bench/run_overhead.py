"""How much time does ``evalcard run`` add to the model's own forward passes, and does its memory stay flat?

    .venv/bin/python bench/run_overhead.py                 # text + image classifier, timing and memory
    .venv/bin/python bench/run_overhead.py --n 2000 --repeat 3 --device cuda
    .venv/bin/python bench/run_overhead.py --skip-memory --json

Builds (no download) a BERT text classifier (~1M parameters, a WordLevel tokenizer trained on the fly) and a ViT image
classifier (~0.8M parameters), random weights, and datasets of ``--n`` examples. In one process, on one device, with
one batch size, it times

- ``evalcard``: ``evalcard.run.engine.evaluate`` end to end: reading rows, tokenising / image processing, length
  sorting, the forward passes, decoding, the metrics (accuracy, precision/recall/F1 x 3 averages) — model loading
  included, cache off;
- ``raw (dataset order)``: the model's forward passes only over the same data in dataset order, inputs tokenised /
  processed beforehand (not timed), same batch size: what "the raw batched forward pass" usually means;
- ``raw (sorted)``: the same over the very batches evalcard forms (length-sorted): pure model time, the strictest
  baseline.

Each is run ``--repeat`` times after a warm-up; the best time is kept. Target (issue 7): evalcard within 1.25x of the
raw forward. Memory: the text evaluation runs in a fresh process for N and 4N examples read from parquet
(memory-mapped); the peak RSS growth during ``evaluate`` is printed for both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

WORDS = [f"w{i}" for i in range(2000)]


def texts(n: int, seed: int = 0) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    out, ys = [], []
    for _ in range(n):
        out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 120))))
        ys.append(rng.randint(0, 3))
    return out, ys


def build_text_model(path: Path) -> None:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    torch.manual_seed(0)
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.train_from_iterator([" ".join(WORDS)], trainers.WordLevelTrainer(special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"]))
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", model_max_length=256)
    labels = ["a", "b", "c", "d"]
    cfg = BertConfig(vocab_size=len(fast), hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
                     max_position_embeddings=256, num_labels=4, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    BertForSequenceClassification(cfg).save_pretrained(str(path))
    fast.save_pretrained(str(path))


def build_image_model(path: Path) -> None:
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    labels = ["a", "b", "c", "d"]
    cfg = ViTConfig(image_size=32, patch_size=4, num_channels=3, hidden_size=128, num_hidden_layers=4, num_attention_heads=4,
                    intermediate_size=512, num_labels=4, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    ViTForImageClassification(cfg).save_pretrained(str(path))
    ViTImageProcessor(do_resize=True, size={"height": 32, "width": 32}, image_mean=[0.5] * 3, image_std=[0.5] * 3).save_pretrained(str(path))


def text_dataset(n: int):
    from datasets import ClassLabel, Dataset, Features, Value

    t, y = texts(n)
    return Dataset.from_dict({"text": t, "label": y}, features=Features({"text": Value("string"), "label": ClassLabel(names=["a", "b", "c", "d"])}))


def image_dataset(n: int):
    import numpy as np
    from datasets import ClassLabel, Dataset, Features, Image
    from PIL import Image as PILImage

    rng = np.random.default_rng(0)
    imgs = [PILImage.fromarray(rng.integers(0, 255, size=(32, 32, 3), dtype=np.uint8)) for _ in range(n)]
    ys = rng.integers(0, 4, size=n).tolist()
    return Dataset.from_dict({"image": imgs, "label": ys}, features=Features({"image": Image(), "label": ClassLabel(names=["a", "b", "c", "d"])}))


def _interleaved(fns, repeat: int) -> list[float]:
    """Best time of each function over ``repeat`` rounds, the functions alternating within a round (so a busy
    machine slows all of them alike), after one warm-up round."""
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def measure(kind: str, model_dir: Path, ds, batch_size: int, device: str, repeat: int) -> dict:
    import torch
    import transformers

    from evalcard.run.engine import evaluate, length_order
    from evalcard.run.spec import EvalSpec

    task = "multi_class_classification" if kind == "text" else "image_multi_class_classification"
    spec = EvalSpec(model=f"bench/{kind}", dataset=f"bench/{kind}", task_id=task, col_mapping={kind: kind, "label": "target"}, batch_size=batch_size)

    def run_evalcard():
        return evaluate(spec, ds, str(model_dir), device=device, cache=None, progress=False)

    # raw: the same model, inputs prepared beforehand, forward passes only
    if kind == "text":
        model = transformers.AutoModelForSequenceClassification.from_pretrained(str(model_dir)).eval().to(device)
        tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
        col = ds["text"]

        def prep(order):
            return [dict(tok([col[i] for i in order[j : j + batch_size]], padding=True, truncation=True, max_length=256, return_tensors="pt"))
                    for j in range(0, len(order), batch_size)]

        sorted_order = length_order(ds, ["text"])
    else:
        model = transformers.AutoModelForImageClassification.from_pretrained(str(model_dir)).eval().to(device)
        proc = transformers.AutoImageProcessor.from_pretrained(str(model_dir))
        imgs = [im.convert("RGB") for im in ds["image"]]

        def prep(order):
            return [{"pixel_values": proc(images=[imgs[i] for i in order[j : j + batch_size]], return_tensors="pt")["pixel_values"]}
                    for j in range(0, len(order), batch_size)]

        sorted_order = list(range(len(ds)))  # images are not sorted: every one has the same shape
    plain = [{k: v.to(device) for k, v in b.items()} for b in prep(list(range(len(ds))))]
    srt = [{k: v.to(device) for k, v in b.items()} for b in prep(sorted_order)]

    def forward(batches):
        def go():
            with torch.inference_mode():
                for b in batches:
                    model(**b).logits.argmax(-1).tolist()  # .tolist() waits for the device, as evalcard's decode does
        return go

    t_raw, t_sorted, t_ec = _interleaved([forward(plain), forward(srt), run_evalcard], repeat)
    n_params = sum(p.numel() for p in model.parameters())
    return {"kind": kind, "n": len(ds), "batch_size": batch_size, "device": device, "params": n_params,
            "evalcard_s": t_ec, "raw_dataset_order_s": t_raw, "raw_sorted_s": t_sorted,
            "ratio_vs_raw": t_ec / t_raw, "ratio_vs_raw_sorted": t_ec / t_sorted}


# -- memory (in a fresh process per size) ------------------------------------------------------------------------------


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def mem_child(model_dir: str, parquet: str, batch_size: int, device: str) -> None:
    import datasets

    from evalcard.run.engine import evaluate
    from evalcard.run.spec import EvalSpec

    datasets.disable_progress_bar()
    ds = datasets.Dataset.from_parquet(parquet, cache_dir=str(Path(parquet).parent / "cache"))
    spec = EvalSpec(model="bench/text", dataset="bench/text", task_id="multi_class_classification", col_mapping={"text": "text", "label": "target"},
                    batch_size=batch_size, limit=8)
    evaluate(spec, ds, model_dir, device=device, progress=False)  # imports, model load, allocator warm-up
    spec.limit = None
    before = _status("VmRSS")
    evaluate(spec, ds, model_dir, device=device, progress=False)
    print(json.dumps({"n": len(ds), "rss_before": before, "peak": _status("VmHWM")}))


def memory(model_dir: Path, n: int, batch_size: int, device: str, tmp: Path) -> list[dict]:
    out = []
    for size in (n, 4 * n):
        pq = tmp / f"text-{size}.parquet"
        text_dataset(size).to_parquet(str(pq))
        res = subprocess.run([sys.executable, __file__, "--mem-child", str(model_dir), str(pq), "--batch-size", str(batch_size), "--device", device],
                             capture_output=True, text=True, check=True)
        d = json.loads(res.stdout.strip().splitlines()[-1])
        d["growth"] = max(0, d["peak"] - d["rss_before"])
        out.append(d)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000, help="examples per dataset (default 3000)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=2, help="timed runs after the warm-up; the best is kept")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write-readme", action="store_true", help="also write the figures into bench/README.md")
    ap.add_argument("--mem-child", nargs=2, metavar=("MODEL", "PARQUET"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    from evalcard.run.engine import resolve_device

    device = resolve_device(a.device)
    if a.mem_child:
        mem_child(a.mem_child[0], a.mem_child[1], a.batch_size, device)
        return
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import datasets
    import torch
    import transformers

    datasets.disable_progress_bar()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    report: dict = {"device": device, "torch_threads": torch.get_num_threads(), "results": []}
    if device.startswith("cuda"):
        report["gpu"] = torch.cuda.get_device_name(device)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        build_text_model(tmp / "text")
        build_image_model(tmp / "image")
        report["results"].append(measure("text", tmp / "text", text_dataset(a.n), a.batch_size, device, a.repeat))
        report["results"].append(measure("image", tmp / "image", image_dataset(a.n), a.batch_size, device, a.repeat))
        if not a.skip_memory:
            report["memory"] = memory(tmp / "text", a.n, a.batch_size, device, tmp)
    if a.json:
        print(json.dumps(report, indent=2))
        return
    lines = [f"device {device}{' (' + report['gpu'] + ')' if 'gpu' in report else ''}, torch threads {report['torch_threads']}, batch size {a.batch_size}"]
    for r in report["results"]:
        lines.append(f"{r['kind']:5} classifier ({r['params'] / 1e6:.2f}M params), {r['n']} examples: evalcard {r['evalcard_s']:.3f} s | "
                     f"raw forward (dataset order) {r['raw_dataset_order_s']:.3f} s | raw forward (sorted) {r['raw_sorted_s']:.3f} s | "
                     f"ratio {r['ratio_vs_raw']:.2f}x ({r['ratio_vs_raw_sorted']:.2f}x vs sorted)")
    for m in report.get("memory", []):
        lines.append(f"memory, text, {m['n']:6} examples: peak RSS growth during evaluate {m['growth'] / 2**20:.1f} MiB")
    print("\n".join(lines))
    if a.write_readme:
        from readme_block import write

        write("run_overhead", lines)

if __name__ == "__main__":
    main()
