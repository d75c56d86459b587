"""The student handout's config and table of contents (bookkit.handout_config)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bookkit import handout_config

ROOT = Path(__file__).resolve().parents[2]


TOC = {
    "format": "jb-book",
    "root": "book/intro",
    "parts": [
        {"caption": "Chapters", "numbered": True, "chapters": [{"glob": "book/chapters/*"}]},
        {"caption": "Appendices", "chapters": [{"glob": "book/appendices/*"}]},
    ],
}


def _page(root: Path, name: str, label: str) -> None:
    path = root / "book" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"({label})=\n# A title\n\nText.\n", encoding="utf-8")


def test_the_student_toc_keeps_the_chapters_and_drops_the_teachers_appendices(tmp_path):
    _page(tmp_path, "chapters/02_b", "ch-b")
    _page(tmp_path, "chapters/01_a", "ch-a")
    _page(tmp_path, "appendices/a_report", "app-verification")
    _page(tmp_path, "appendices/b_pitfalls", "app-pitfalls")
    _page(tmp_path, "appendices/c_stats", "app-execution")
    _page(tmp_path, "appendices/d_api", "app-api")
    _page(tmp_path, "appendices/e_refs", "app-references")
    toc = handout_config.student_toc(TOC, tmp_path)
    chapters, appendices = (part["chapters"] for part in toc["parts"])
    assert chapters == [{"file": "book/chapters/01_a"}, {"file": "book/chapters/02_b"}]
    assert appendices == [
        {"file": "book/appendices/b_pitfalls"},
        {"file": "book/appendices/e_refs"},
    ]
    assert toc["parts"][0]["numbered"] is True
    assert TOC["parts"][1]["chapters"] == [{"glob": "book/appendices/*"}], "the input is unchanged"


def test_the_book_toc_has_the_three_teacher_appendices():
    """Each label of TEACHER_ONLY opens a page of the book (else the filter drops nothing)."""
    book = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    kept = {
        entry["file"]
        for part in handout_config.student_toc(book)["parts"]
        for entry in part["chapters"]
    }
    dropped = [
        p for p in sorted((ROOT / "book/appendices").glob("*.md")) if handout_config.teacher_only(p)
    ]
    assert len(dropped) == len(handout_config.TEACHER_ONLY)
    assert not {p.relative_to(ROOT).with_suffix("").as_posix() for p in dropped} & kept
    assert all(f"book/chapters/{p.stem}" in kept for p in (ROOT / "book/chapters").glob("*.md"))


def test_the_student_config_hides_solutions_and_ignores_api_links_only_for_students():
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    student = handout_config.handout_config(base, chapters=6)
    teacher = handout_config.handout_config(base, teacher=True, chapters=6)
    for config in (student, teacher):
        assert config["sphinx"]["config"]["hide_solutions"] is True
        assert config["title"].endswith("Student Handout")
    settings = student["sphinx"]["config"]
    assert ["py:.*", r"gaussml(\..*)?"] in settings["nitpick_ignore_regex"]
    assert r"\value{chapter}=6\relax" in settings["latex_elements"]["preamble"]
    assert "nitpick_ignore_regex" not in teacher["sphinx"]["config"]
    assert "latex_elements" not in teacher["sphinx"]["config"]
