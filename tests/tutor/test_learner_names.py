"""Learners on trainers' pages: by name, or by a pseudonym that is stable within a
deployment, distinct between learners, and different in another deployment."""

from __future__ import annotations

import threading
from pathlib import Path

from pydantic import SecretStr

from tutor.learner_names import KEY_FILE, LearnerLabels, learner_label, pseudonym, pseudonym_key
from tutor.settings import Settings


def settings_in(data_dir: Path, secret: str | None = None) -> Settings:
    return Settings(data_dir=data_dir, web_secret=SecretStr(secret) if secret else None,
                    _env_file=None)


def test_pseudonyms_are_stable_and_distinct() -> None:
    ids = [f"telegram:{n}" for n in range(20_000)] + [f"slack:U{n:08X}" for n in range(20_000)]
    first = [pseudonym(i, b"key") for i in ids]
    assert first == [pseudonym(i, b"key") for i in ids]
    assert len(set(first)) == len(ids)
    assert all(len(p) == 9 and p[4] == "-" for p in first)
    other = [pseudonym(i, b"another deployment") for i in ids[:1000]]
    assert sum(a == b for a, b in zip(first, other, strict=False)) == 0


def test_a_pseudonym_does_not_show_the_id() -> None:
    label = learner_label("telegram:12345", "", "display", b"key")
    assert label.startswith("Learner ") and "12345" not in label


def test_display_mode_shows_the_name_pseudonymous_mode_never() -> None:
    assert learner_label("slack:U1", " Ana  Lima ", "display", b"k") == "Ana Lima"
    hidden = learner_label("slack:U1", "Ana Lima", "pseudonymous", b"k")
    assert hidden == f"Learner {pseudonym('slack:U1', b'k')}"


def test_the_key_is_kept_in_the_data_dir_and_the_same_for_every_worker(tmp_path: Path) -> None:
    keys: list[bytes] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        keys.append(pseudonym_key(settings_in(tmp_path / "data")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 4 and len(set(keys)) == 1 and len(keys[0]) == 32
    assert [p.name for p in (tmp_path / "data").iterdir()] == [KEY_FILE]  # no drafts left
    assert (tmp_path / "data" / KEY_FILE).stat().st_mode & 0o077 == 0
    assert pseudonym_key(settings_in(tmp_path / "data")) == keys[0]  # after a restart too
    assert pseudonym_key(settings_in(tmp_path / "other")) != keys[0]


def test_a_web_secret_gives_every_worker_the_key_without_a_file(tmp_path: Path) -> None:
    one = LearnerLabels.from_settings(settings_in(tmp_path / "a", "s3cret"))
    two = LearnerLabels.from_settings(settings_in(tmp_path / "b", "s3cret"))
    assert one == two and one.key != b"s3cret"
    assert one("telegram:1", "") == two("telegram:1", "")
    assert LearnerLabels.from_settings(settings_in(tmp_path, "other")).key != one.key
    assert not (tmp_path / "a").exists()
