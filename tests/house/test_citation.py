"""CITATION.cff names the package's version and licence (so a citation cannot drift)."""

import pathlib

import equilibria

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_citation_matches_the_package():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    fields = dict(line.split(":", 1) for line in text.splitlines()
                  if line and not line.startswith((" ", "#", "-")) and ":" in line)
    assert fields["cff-version"].strip() == "1.2.0"
    assert fields["version"].strip().strip('"\'') == equilibria.__version__
    assert fields["license"].strip() == "BSD-3-Clause"
    assert "BSD" in (ROOT / "LICENSE").read_text(encoding="utf-8")
