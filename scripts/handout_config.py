"""Write the student handout's Jupyter Book config: _config.yml with every solution hidden.

The handout is the same book built from the same sources; only the title,
the PDF's file name and sphinx-exercise's `hide_solutions` differ, so the
config is derived from _config.yml rather than kept as a second copy.

Usage: python scripts/handout_config.py OUTPUT_YML
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def handout_config(config: dict) -> dict:
    config = dict(config)
    config["title"] = f"{config['title']}: Student Handout"
    config["latex"] = {**config["latex"], "latex_documents": {"targetname": "gaussml-handout.tex"}}
    # The config is read from another folder: make its relative paths absolute.
    config["bibtex_bibfiles"] = [str(ROOT / p) for p in config.get("bibtex_bibfiles", [])]
    sphinx = dict(config["sphinx"])
    sphinx["local_extensions"] = {
        k: str(ROOT / v) for k, v in sphinx.get("local_extensions", {}).items()
    }
    sphinx["config"] = {**sphinx["config"], "hide_solutions": True}
    config["sphinx"] = sphinx
    return config


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(handout_config(base), sort_keys=False), encoding="utf-8")
    print(out)
