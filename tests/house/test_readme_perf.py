"""The README's Performance section is the rendering of the committed benchmark JSON.

``tools/readme_perf.py`` renders ``benchmarks/results/<name>.json`` (written by ``python
benchmarks/<name>.py --json`` through ``benchmarks/_report.py``) between the markers
``<!-- perf:begin -->`` / ``<!-- perf:end -->``; these tests run its ``--check`` comparison
in-process (no benchmark runs) and check that every rendered table cell comes from a run's
JSON record of the shared schema.
"""

import importlib.util
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def perf():
    return _load("readme_perf", ROOT / "tools" / "readme_perf.py")


def test_readme_performance_section_is_the_rendering(perf):
    text = README.read_text(encoding="utf-8")
    assert perf.render(text) == text, "README Performance section is stale: " \
                                      "python tools/readme_perf.py"
    assert perf.main(["--check"]) == 0


def test_markers_sit_inside_the_performance_section(perf):
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Performance\n")
    end = text.index("\n## ", start + 1)
    assert start < text.index(perf.BEGIN) < text.index(perf.END) < end


def test_every_record_has_the_shared_schema(perf):
    found, _ = perf.records()
    assert found, "no benchmark JSON in benchmarks/results/"
    for rec in found:
        for key in ("name", "title", "command", "columns", "rows", "notes", "machine",
                    "versions", "date"):
            assert key in rec, (rec["name"], key)
        assert rec["command"].startswith(f"python benchmarks/{rec['name']}.py")
        assert "--json" in rec["command"]
        assert all(len(r) == len(rec["columns"]) for r in rec["rows"]), rec["name"]
        m = rec["machine"]
        assert len(m["load_start"]) == 3 and len(m["load_end"]) == 3 and m["cores"] >= 1


def test_rendered_rows_are_the_json_rows(perf):
    text = README.read_text(encoding="utf-8")
    found, _ = perf.records()
    for rec in found:
        block = perf.render_one(rec)
        assert block in text
        for row in rec["rows"]:
            assert "| " + " | ".join(perf._cell(c) for c in row) + " |" in block


def test_check_fails_on_a_hand_edited_number(perf, tmp_path, monkeypatch):
    found, _ = perf.records()
    rec = found[0]
    text = README.read_text(encoding="utf-8")
    row = "| " + " | ".join(perf._cell(c) for c in rec["rows"][0]) + " |"
    edited = text.replace(row, row.replace(" |", " 1 |", 1), 1)
    assert edited != text
    assert perf.render(edited) != edited
    fake = tmp_path / "README.md"
    fake.write_text(edited, encoding="utf-8")
    monkeypatch.setattr(perf, "README", fake)
    assert perf.main(["--check"]) == 1


def test_missing_json_is_listed_not_rendered(perf, tmp_path):
    src = ROOT / "benchmarks" / "results"
    name = perf.ORDER[0]
    (tmp_path / f"{name}.json").write_text((src / f"{name}.json").read_text())
    out = perf.section(tmp_path)
    assert f"`benchmarks/{name}.py`" in out
    for other in perf.ORDER[1:]:
        assert f"`benchmarks/{other}.py`" not in out
        assert f"`{other}`" in out


def test_a_record_of_another_schema_is_refused(perf, tmp_path):
    name = perf.ORDER[0]
    (tmp_path / f"{name}.json").write_text(json.dumps({"records": []}))
    with pytest.raises(ValueError, match="schema"):
        perf.records(tmp_path)
