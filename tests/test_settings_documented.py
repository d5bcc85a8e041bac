from pathlib import Path

from govgrid.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"GOVGRID_{name.upper()}" for name in Settings.model_fields if f"GOVGRID_{name.upper()}" not in text
    ]
    assert missing == []


def test_the_settings_page_is_generated_from_the_settings_class_and_not_stale():
    from govgrid.settings import settings_reference

    assert DOC.read_text(encoding="utf-8") == settings_reference(), (
        "run: python -m govgrid.settings > docs/settings.md"
    )


def test_a_weak_secret_key_is_refused():
    import pytest

    from govgrid.settings import load_settings, resolve_secret_key

    with pytest.raises(ValueError):
        resolve_secret_key(load_settings(secret_key="changeme"))
    with pytest.raises(ValueError):
        resolve_secret_key(load_settings(database_url="postgresql://db/x", secret_key=None))
