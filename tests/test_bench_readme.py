"""bench/README.md's figures are written by the benchmarks (``--write-readme``), not typed in."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import readme_block  # noqa: E402


def test_every_benchmark_has_a_measured_block_and_no_typed_in_figures():
    text = (ROOT / "bench" / "README.md").read_text()
    for script in sorted((ROOT / "bench").glob("*.py")):
        if script.name == "readme_block.py":
            continue
        name = script.stem
        assert f"<!-- measured:{name} -->" in text and f"<!-- /measured:{name} -->" in text, name
        assert "--write-readme" in script.read_text(), f"{script.name} cannot write its figures"
    assert "Last measured" not in text


def test_write_replaces_only_its_block(tmp_path):
    readme = tmp_path / "README.md"
    before, after = "# B\n\nintro\n", "\n\nafter ✓\n"
    readme.write_text(before + "<!-- measured:x -->\nold figures\n<!-- /measured:x -->" + after + "<!-- measured:y -->\nkeep\n<!-- /measured:y -->\n")
    readme_block.write("x", ["figure 1", "figure 2"], readme=readme, argv=["--n", "5"])
    text = readme.read_text()
    assert text.startswith(before) and after + "<!-- measured:y -->\nkeep\n<!-- /measured:y -->\n" in text
    assert "old figures" not in text and "```text\nfigure 1\nfigure 2\n```" in text
    assert re.search(r"Measured \d{4}-\d\d-\d\d on \d+ CPU cores .* by `python bench/x.py --n 5`:", text)
    try:
        readme_block.write("z", ["a"], readme=readme)
    except SystemExit as e:
        assert "no <!-- measured:z --> block" in str(e)
    else:
        raise AssertionError("a missing block must not be appended silently")


def test_a_block_can_name_the_benchmark_that_printed_it(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- measured:extract_ablation -->\n<!-- /measured:extract_ablation -->\n")
    readme_block.write("extract_ablation", ["x"], readme=readme, argv=["--ablation"], script="extract_quality")
    assert "by `python bench/extract_quality.py --ablation`:" in readme.read_text()
