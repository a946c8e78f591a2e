"""Hostile and broken logs: ``.eval`` archives that inflate past any size (a Zstandard frame states its own size,
so a 65 KB member claims 2 GB), encrypted members, unknown compression, and JSON nested 1,000+ levels deep, ``1e400``,
5,000-digit integers and wrong types in every log format. Each is a clear error or a warning, never a traceback.

The corpus is generated here; it is read in a subprocess under ``resource`` limits (address space and CPU
seconds), so a reader that inflates a bomb or loops is killed by the limit and the test fails, without any
wall-clock assert. A hypothesis property test mutates the real log shapes in process.
"""

from __future__ import annotations

import copy
import json
import os
import random
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import zstandard
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalcard.cli.main import cli
from evalcard.errors import SourceError
from evalcard.sources.framework_logs import MAX_NSHOT, detect, parse_json, read_log
from evalcard.sources.inspect_logs import MAX_MEMBER_BYTES, parse_inspect
from evalcard.sources.lighteval import parse_lighteval
from evalcard.sources.lm_eval import parse_lm_eval

from test_import_inspect import eval_log
from test_import_lighteval import lighteval_013
from test_import_lm_eval import lm_eval_03, lm_eval_04

TESTS = Path(__file__).resolve().parent
#: limits of the subprocess that reads the corpus: far below what a 2 GB bomb needs, far above what a log needs
MEM_LIMIT = 1 << 30
CPU_LIMIT_S = 120


# -- zip archives built byte by byte (zipfile cannot write Zstandard members, encrypted flags or lies) -----------------


def zip_bytes(members: list[dict[str, Any]]) -> bytes:
    """A zip archive of ``members``: ``name``, ``data`` (the stored bytes), ``method``, and optionally ``crc``,
    ``size`` (declared uncompressed size) and ``flags``, written as given."""
    out, central = bytearray(), bytearray()
    for m in members:
        name = m["name"].encode()
        data = m["data"]
        fields = (20, m.get("flags", 0), m["method"], 0, 0x21, m.get("crc", 0), len(data), m.get("size", len(data)), len(name), 0)
        offset = len(out)
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + name + data
        central += b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset) + name
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + eocd)


def zstd_member(name: str, payload: bytes, **kw) -> dict[str, Any]:
    data = zstandard.ZstdCompressor().compress(payload)
    return {"name": name, "data": data, "method": 93, "crc": zlib.crc32(payload), "size": len(payload), **kw}


def deflate_member(name: str, payload: bytes, **kw) -> dict[str, Any]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = c.compress(payload) + c.flush()
    return {"name": name, "data": data, "method": 8, "crc": zlib.crc32(payload), "size": len(payload), **kw}


def zstd_bomb(size: int = 2 << 30) -> bytes:
    """A Zstandard frame of ``size`` zero bytes whose header states that size (about 65 KB for 2 GB)."""
    import io

    buf = io.BytesIO()
    zero = bytes(1 << 20)
    with zstandard.ZstdCompressor(level=1).stream_writer(buf, size=size, closefd=False) as w:
        for _ in range(size >> 20):
            w.write(zero)
    return buf.getvalue()


def header_json(log: dict | None = None) -> bytes:
    return json.dumps(log or eval_log()).encode()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- .eval archives ----------------------------------------------------------------------------------------------------


def test_zstd_members_are_read_and_checked(tmp_path):
    p = write(tmp_path / "ok.eval", zip_bytes([zstd_member("header.json", header_json())]))
    (r,) = read_log(p).results
    assert r.metric_type == "accuracy" and r.stderr == 0.0350644
    bad_crc = write(tmp_path / "crc.eval", zip_bytes([zstd_member("header.json", header_json(), crc=1234)]))
    with pytest.raises(SourceError, match="does not match its size or CRC"):
        read_log(bad_crc)
    m = zstd_member("header.json", header_json())
    m["data"] = m["data"][: len(m["data"]) // 2]
    with pytest.raises(SourceError, match="cannot decompress header.json|does not match"):
        read_log(write(tmp_path / "trunc.eval", zip_bytes([m])))


def test_a_zstd_frame_that_claims_more_than_the_archive_declares_is_refused(tmp_path):
    payload = header_json() + b" " * 5000  # valid JSON, larger than declared
    m = zstd_member("header.json", payload, size=100)
    with pytest.raises(SourceError, match="inflates to more than its declared 100 bytes"):
        read_log(write(tmp_path / "lie.eval", zip_bytes([m])))
    # the same without a content size in the frame (written in streaming mode)
    cobj = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    m["data"] = cobj.compress(payload) + cobj.flush()
    assert zstandard.get_frame_parameters(m["data"]).content_size == zstandard.CONTENTSIZE_UNKNOWN
    with pytest.raises(SourceError, match="inflates to more than its declared"):
        read_log(write(tmp_path / "lie2.eval", zip_bytes([m])))


def test_a_member_declared_larger_than_the_cap_is_refused_before_reading(tmp_path):
    m = zstd_member("header.json", header_json(), size=MAX_MEMBER_BYTES + 1)
    with pytest.raises(SourceError, match="would inflate to .* more than evalcard reads"):
        read_log(write(tmp_path / "big.eval", zip_bytes([m])))
    m = deflate_member("header.json", header_json(), size=MAX_MEMBER_BYTES + 1)
    with pytest.raises(SourceError, match="would inflate to"):
        read_log(write(tmp_path / "big2.eval", zip_bytes([m])))


def test_a_deflate_member_that_lies_about_its_size_is_refused(tmp_path):
    m = deflate_member("header.json", header_json() + b" " * 100_000, size=200)
    with pytest.raises(SourceError, match="cannot read header.json"):
        read_log(write(tmp_path / "lie.eval", zip_bytes([m])))


@pytest.mark.parametrize("method", [8, 93, 0])
def test_encrypted_members_are_refused(tmp_path, method):
    m = {8: deflate_member, 93: zstd_member}.get(method, lambda n, p, **kw: {"name": n, "data": p, "method": 0, "crc": zlib.crc32(p), **kw})
    p = write(tmp_path / "enc.eval", zip_bytes([m("header.json", header_json(), flags=0x1)]))
    with pytest.raises(SourceError, match="header.json is encrypted"):
        read_log(p)


@pytest.mark.parametrize("method", [12, 14, 98, 99])  # bzip2, lzma, ppmd, AES
def test_unknown_compression_is_refused(tmp_path, method):
    payload = header_json()
    p = write(tmp_path / "m.eval", zip_bytes([{"name": "header.json", "data": payload, "method": method, "crc": zlib.crc32(payload)}]))
    with pytest.raises(SourceError, match=f"compression method {method}, which evalcard does not read"):
        read_log(p)


def _with_end_record(archive: bytes, *, entries: int, dir_size: int | None = None, zip64: bool = False) -> bytes:
    """``archive`` with its end-of-central-directory record claiming ``entries`` members (and ``dir_size``), as a
    zip64 record plus locator when ``zip64``."""
    eocd_at = archive.rfind(b"PK\x05\x06")
    body, eocd = archive[:eocd_at], archive[eocd_at:]
    _, _, _, _, cd_size, cd_offset, _ = struct.unpack("<HHHHIIH", eocd[4:22])
    cd_size = cd_size if dir_size is None else dir_size
    if not zip64:
        return body + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, min(entries, 0xFFFF), min(entries, 0xFFFF), cd_size, cd_offset, 0)
    rec = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 1, entries, cd_size, cd_offset)  # 1 on "this disk": the total counts
    loc = b"PK\x06\x07" + struct.pack("<IQI", 0, len(body), 1)
    return body + rec + loc + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)


def test_an_archive_listing_too_many_members_is_refused_before_zipfile_lists_them(tmp_path, monkeypatch):
    from evalcard.sources import inspect_logs

    members = [zstd_member("header.json", header_json())] + [deflate_member(f"samples/{i}.json", b"{}") for i in range(4)]
    ok = zip_bytes(members)
    assert read_log(write(tmp_path / "ok.eval", ok)).results
    monkeypatch.setattr(inspect_logs, "MAX_MEMBERS", 4)
    with pytest.raises(SourceError, match="lists 5 members, more than evalcard reads .4."):
        read_log(write(tmp_path / "five.eval", ok))
    monkeypatch.setattr(inspect_logs, "MAX_MEMBERS", 5)
    assert read_log(write(tmp_path / "five.eval", ok)).results  # the limit itself is allowed
    monkeypatch.undo()
    # a record that claims more than it holds is refused on its claim, plain and zip64
    with pytest.raises(SourceError, match="lists 300,000 members"):
        read_log(write(tmp_path / "z64.eval", _with_end_record(ok, entries=300_000, zip64=True)))
    # a zip64 record with a directory larger than the cap
    with pytest.raises(SourceError, match="directory takes 2,147,483,647 bytes"):
        read_log(write(tmp_path / "dir.eval", _with_end_record(ok, entries=5, dir_size=0x7FFFFFFF, zip64=True)))
    with pytest.raises(SourceError, match="directory takes 2,147,483,647 bytes"):
        read_log(write(tmp_path / "dir2.eval", _with_end_record(ok, entries=5, dir_size=0x7FFFFFFF)))
    # a genuine zip64 archive (as zipfile writes one) within the limits is read
    import zipfile

    z64 = tmp_path / "real64.eval"
    with zipfile.ZipFile(z64, "w", allowZip64=True) as z:
        z.writestr("header.json", header_json())
    assert read_log(z64).results


def test_damaged_local_header(tmp_path):
    data = bytearray(zip_bytes([zstd_member("header.json", header_json())]))
    data[0:4] = b"XXXX"
    with pytest.raises(SourceError, match="bad local header|not a zip archive"):
        read_log(write(tmp_path / "d.eval", bytes(data)))


# -- hostile JSON, every format ----------------------------------------------------------------------------------------


DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJ = '{"a":' * 1200 + "1" + "}" * 1200
HUGE_INT = "9" * 5000


def _docs() -> dict[str, dict]:
    return {
        "lm-eval-0.4": lm_eval_04(),
        "lm-eval-0.3": lm_eval_03(),
        "lm-eval-bare": lm_eval_04()["results"],
        "lighteval": lighteval_013(),
        "inspect": eval_log(),
    }


def _with_token(doc: Any, path: tuple, token: str) -> str:
    """``doc`` as JSON text with the value at ``path`` replaced by the raw JSON ``token`` (which json.dumps could
    not write: 1e400, 5,000-digit integers, 5,000-level nesting)."""
    doc = copy.deepcopy(doc)
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = "\u0000TOKEN\u0000"
    return json.dumps(doc).replace('"\\u0000TOKEN\\u0000"', token)


def _lay_out(kind: str, text: str, path: Path) -> Path:
    """Write a log's text as its format's file: inspect logs both as .json and inside a .eval archive."""
    if kind == "inspect" and path.suffix == ".eval":
        return write(path, zip_bytes([zstd_member("header.json", text.encode())]))
    path.write_text(text, encoding="utf-8")
    return path


VALUE_PATHS = {
    "lm-eval-0.4": ("results", "hellaswag", "acc_norm,none"),
    "lm-eval-0.3": ("results", "hellaswag", "acc_norm"),
    "lm-eval-bare": ("hellaswag", "acc_norm,none"),
    "lighteval": ("results", "hellaswag|10", "acc_norm"),
    "inspect": ("results", "scores", 0, "metrics", "accuracy", "value"),
}


@pytest.mark.parametrize("kind,suffix", [(k, ".json") for k in sorted(VALUE_PATHS)] + [("inspect", ".eval")])
def test_deep_nesting_is_a_clear_error(tmp_path, kind, suffix):
    for i, text in enumerate([DEEP, DEEP_OBJ, _with_token(_docs()[kind], VALUE_PATHS[kind], DEEP), _with_token(_docs()[kind], VALUE_PATHS[kind], "[" * 150 + "]" * 150)]):
        p = _lay_out(kind, text, tmp_path / f"{kind}{i}{suffix}")
        with pytest.raises(SourceError, match="nested too deeply"):
            read_log(p)


@pytest.mark.parametrize("kind", sorted(VALUE_PATHS))
@pytest.mark.parametrize("token,why", [("1e400", "value is inf"), ("-1e400", "value is -inf"), (HUGE_INT, "integer of 5000 digits, too large"), ("-" + "9" * 401, "integer of 401 digits, too large"),
                                       ("9" * 350, "too large for a float"), ('"0.5"', "unexpected type str"), ("true", "boolean"), ("{}", "unexpected type dict"), ("null", "missing")])
def test_hostile_values_are_warnings(tmp_path, kind, token, why):
    p = _lay_out(kind, _with_token(_docs()[kind], VALUE_PATHS[kind], token), tmp_path / f"{kind}.json")
    out = read_log(p)
    assert any(why in w and "skipped" in w for w in out.warnings), out.warnings
    if kind == "inspect":  # its only metric
        assert out.results == []
        return
    task, key = VALUE_PATHS[kind][-2:]
    assert out.results  # the rest of the file still counts
    assert [r for r in out.results if (r.provenance["task"], r.provenance["metric_key"]) == (task, key)] == []  # never another metric instead
    assert any(r.provenance["task"] == task for r in read_log(_lay_out(kind, json.dumps(_docs()[kind]), tmp_path / "ok.json")).results)


def test_hostile_settings_are_dropped_not_raised(tmp_path):
    cases = [
        ("lm-eval-0.4", ("n-shot", "hellaswag"), HUGE_INT, "n-shot ignored"),
        ("lm-eval-0.4", ("n-shot", "hellaswag"), "1e400", "n-shot ignored"),
        ("lm-eval-0.4", ("n-shot", "hellaswag"), '"' + "9" * 5000 + '"', "n-shot ignored"),
        ("lm-eval-0.4", ("n-shot", "hellaswag"), '"\u00b2"', "n-shot ignored"),
        ("lm-eval-0.4", ("n-shot", "hellaswag"), str(MAX_NSHOT + 1), "implausibly large"),
        ("lm-eval-0.4", ("results", "hellaswag", "acc_norm_stderr,none"), HUGE_INT, "stderr ignored"),
        ("lm-eval-0.4", ("results", "hellaswag", "acc_norm_stderr,none"), "1e400", "stderr ignored"),
        ("lm-eval-0.4", ("config", "limit"), HUGE_INT, "config.limit ignored"),
        ("lm-eval-0.4", ("config", "limit"), '"all"', "config.limit ignored"),
        ("lighteval", ("config_general", "max_samples"), HUGE_INT, None),
        ("inspect", ("eval", "config", "limit"), "1e400", "limit ignored"),
        ("inspect", ("eval", "config", "epochs"), HUGE_INT, "epochs ignored"),
        ("inspect", ("eval", "task_args"), "[1, 2]", None),
        ("inspect", ("results", "scores", 0, "metrics", "stderr", "value"), HUGE_INT, "stderr ignored"),
    ]
    for kind, path, token, why in cases:
        p = _lay_out(kind, _with_token(_docs()[kind], path, token), tmp_path / "x.json")
        out = read_log(p)
        assert out.results, (path, token)
        if why:
            assert any(why in w for w in out.warnings), (path, token, out.warnings)
        for r in out.results:
            assert r.n_shot is None or 0 <= r.n_shot <= MAX_NSHOT
            assert r.stderr is None or abs(r.stderr) < float("inf")
        json.dumps(out.rows())
    for token in ("1e400", HUGE_INT, "9" * 350, '"x"', "-5"):  # lm-eval's run date
        out = read_log(_lay_out("lm-eval-0.4", _with_token(_docs()["lm-eval-0.4"], ("date",), token), tmp_path / "results_2026-01-15T10-30-00.json"))
        assert {r.date for r in out.results} <= {"2026-01-15", "1969-12-31"}


WRONG_TYPES = [[], "x", 1, None, True, {}, [[]], 1.5]


@pytest.mark.parametrize("kind", sorted(VALUE_PATHS))
def test_wrong_types_anywhere_never_raise(kind):
    """Every value of the real shape, replaced in turn by each wrong type: a parse never raises."""
    doc = _docs()[kind]
    parse = {"lighteval": parse_lighteval, "inspect": parse_inspect}.get(kind, parse_lm_eval)
    for path in _paths(doc, limit=4):
        for bad in WRONG_TYPES:
            d = copy.deepcopy(doc)
            _set(d, path, copy.deepcopy(bad))
            if detect(d) is None:
                continue
            out = parse(d, path="x")
            _check(out)


def _paths(doc: Any, limit: int, prefix: tuple = ()) -> list[tuple]:
    out = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        if len(prefix) + 1 < limit:
            out.extend(_paths(v, limit, prefix + (k,)))
    return out


def _set(doc: Any, path: tuple, value: Any) -> None:
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


def _check(out) -> None:
    """What every import must satisfy, whatever the input: finite numbers, sane n-shot, rows that serialise."""
    for r in out.results:
        assert isinstance(r.value, (int, float)) and not isinstance(r.value, bool) and abs(r.value) < float("inf")
        assert r.stderr is None or (isinstance(r.stderr, float) and abs(r.stderr) < float("inf"))
        assert r.n_shot is None or (isinstance(r.n_shot, int) and 0 <= r.n_shot <= MAX_NSHOT)
        assert r.notes is None or isinstance(r.notes, str)
        assert isinstance(r.metric_type, str) and isinstance(r.dataset_id, str)
    json.dumps(out.rows())
    assert all(isinstance(w, str) for w in out.warnings + out.notes)


# -- hypothesis: mutated real shapes, in process --------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**500), max_value=10**500), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["N/A", "none", "5", "\u00b2", "acc,none", "strict-match", "hellaswag", ""]),
)
_json = st.recursive(_scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(kind=st.sampled_from(sorted(VALUE_PATHS)), data=st.data())
def test_mutated_logs_never_raise(kind, data):
    doc = _docs()[kind]
    paths = _paths(doc, limit=6)
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        try:
            _set(doc, path, data.draw(_json))
        except (KeyError, IndexError, TypeError):  # an earlier mutation replaced a parent
            pass
    try:
        parsed = parse_json(json.dumps(doc), "x")  # the same path a file takes: huge ints become BigInt
    except SourceError:
        return
    fw = detect(parsed)
    if fw is None:
        return
    parse = {"lighteval": parse_lighteval, "inspect-ai": parse_inspect}.get(fw, parse_lm_eval)
    _check(parse(parsed, path="x", all_metrics=data.draw(st.booleans())))


@settings(max_examples=150, deadline=None)
@given(doc=_json)
def test_any_json_is_detected_or_not_without_raising(doc):
    detect(doc)


# -- the whole corpus, through the CLI, under resource limits ------------------------------------------------------------


HOSTILE_TOKENS = ["1e400", "-1e400", HUGE_INT, "-" + HUGE_INT, "NaN", "Infinity", DEEP, DEEP_OBJ, '"' + "x" * 10000 + '"', "true", "null",
                  "[]", "{}", '"\u00b2"', '"0.5"', "1.5", "-3", "12345678901234567890", '"N/A"', "[" * 99 + "]" * 99]


def build_corpus(root: Path, n: int = 240, seed: int = 10) -> list[Path]:
    """Mutated copies of every format (hostile tokens at random paths), as .json files and .eval archives, plus the
    archive bombs. Deterministic (seeded)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    docs = _docs()
    paths = {k: _paths(d, limit=6) for k, d in docs.items()}
    files = []
    for i in range(n):
        kind = rng.choice(sorted(docs))
        text = _with_token(docs[kind], rng.choice(paths[kind]), rng.choice(HOSTILE_TOKENS))
        for _ in range(rng.randint(0, 2)):  # a few more, by text substitution of another value
            text = text.replace(": " + rng.choice(["0.5324", "10", "0.0350644", "25", "true", "198", "1768472400.12"]), ": " + rng.choice(HOSTILE_TOKENS), 1)
        suffix = ".eval" if kind == "inspect" and rng.random() < 0.5 else ".json"
        files.append(_lay_out(kind, text, root / f"{i:03d}-{kind}{suffix}"))
    bombs = {
        "bomb-zstd-2gb.eval": zip_bytes([{"name": "header.json", "data": zstd_bomb(), "method": 93, "crc": 0, "size": 1000}]),
        "bomb-zstd-honest.eval": zip_bytes([{"name": "header.json", "data": zstd_bomb(), "method": 93, "crc": 0, "size": 2 << 30}]),
        "bomb-deflate.eval": zip_bytes([deflate_member("header.json", bytes(300 << 20), size=1000)]),
        "encrypted.eval": zip_bytes([deflate_member("header.json", header_json(), flags=0x1)]),
        "bzip2.eval": zip_bytes([{"name": "header.json", "data": b"BZh9", "method": 12}]),
        # a failed run's summaries (read to count its scored samples) are bounded too
        "bomb-summaries.eval": zip_bytes([zstd_member("header.json", header_json(dict(eval_log(), status="error", results=None))),
                                          {"name": "summaries.json", "data": zstd_bomb(), "method": 93, "crc": 0, "size": 1000}]),
    }
    files += [write(root / name, data) for name, data in bombs.items()]
    return files


WORKER = textwrap.dedent(
    """
    import json, resource, sys, traceback
    resource.setrlimit(resource.RLIMIT_AS, ({mem}, {mem}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    from click.testing import CliRunner
    from evalcard.cli.main import cli
    from evalcard.errors import SourceError
    from evalcard.sources.framework_logs import read_log
    import test_import_hostile as t

    files, card = json.load(open(sys.argv[1])), sys.argv[2]
    report = {{}}
    for f in files:
        try:
            t._check(read_log(f))
            got = "read"
        except SourceError as e:
            got = "error: " + e.message
        except BaseException:
            got = "CRASH " + traceback.format_exc(limit=-3)
        r = CliRunner().invoke(cli, ["import-log", f, card, "--json"])  # the preview: plan, validate, diff
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            got += " | CLI CRASH " + "".join(traceback.format_exception(r.exception, limit=-3))
        elif r.exit_code not in (0, 1) or "Traceback" in r.output:
            got += f" | CLI exit {{r.exit_code}}: {{r.output[-500:]}}"
        report[f] = got
    json.dump(report, open(sys.argv[3], "w"))
    """
)


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT, MEM_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))


def test_corpus_under_memory_and_cpu_limits(tmp_path):
    files = build_corpus(tmp_path / "corpus")
    (tmp_path / "corpus" / "files.json").write_text(json.dumps([str(f) for f in files]))
    card = tmp_path / "card" / "README.md"
    card.parent.mkdir()
    card.write_bytes(b"---\nlicense: mit\n---\n# m\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-c", WORKER.format(mem=MEM_LIMIT, cpu=CPU_LIMIT_S), str(tmp_path / "corpus" / "files.json"), str(card), str(tmp_path / "report.json")],
        env=env, capture_output=True, text=True, preexec_fn=_limits,
    )
    assert proc.returncode == 0, f"the reader died under the limits (rc {proc.returncode}): {proc.stderr[-3000:]}"
    report = json.loads((tmp_path / "report.json").read_text())
    crashes = {Path(f).name: got for f, got in report.items() if "CRASH" in got or "CLI exit" in got}
    assert not crashes, json.dumps(crashes, indent=1)[:6000]
    assert card.read_bytes() == b"---\nlicense: mit\n---\n# m\n"  # a preview writes nothing
    by_name = {Path(f).name: got for f, got in report.items()}
    assert "inflates to more than its declared 1,000 bytes" in by_name["bomb-zstd-2gb.eval"]
    assert "would inflate to 2,147,483,648 bytes" in by_name["bomb-zstd-honest.eval"]
    assert by_name["bomb-deflate.eval"].startswith("error: ")
    assert "encrypted" in by_name["encrypted.eval"] and "compression method 12" in by_name["bzip2.eval"]
    assert by_name["bomb-summaries.eval"] == "read"  # the header is fine; the sample count is unknown
    outcomes = [got.split(":")[0] for got in report.values()]
    assert outcomes.count("read") > 20 and outcomes.count("error") > 20  # the corpus exercises both ways


def test_a_json_log_larger_than_any_results_file_is_refused_before_it_is_read(tmp_path):
    from evalcard.sources.framework_logs import MAX_LOG_BYTES

    big = tmp_path / "results_huge.json"
    with open(big, "wb") as fh:  # sparse: no disk or memory spent
        fh.write(b'{"results": {}}')
        fh.truncate(MAX_LOG_BYTES + 1)
    with pytest.raises(SourceError, match="larger than a results log can be"):
        read_log(big)
    small = tmp_path / "results_ok.json"
    small.write_text(json.dumps(lm_eval_04()))
    assert read_log(small).results
