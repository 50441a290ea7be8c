import pytest

from harness.settings import Settings


def test_defaults_to_compose_mode_with_teardown():
    settings = Settings.load({}, environ={})
    assert (settings.mode, settings.keep_stack, settings.with_beat) == ("compose", False, False)


def test_userdata_wins_over_environment():
    settings = Settings.load({"keep_stack": "true"}, environ={"ARENA_KEEP_STACK": "false"})
    assert settings.keep_stack is True


def test_external_mode_names_every_missing_url():
    with pytest.raises(ValueError) as err:
        Settings.load({"mode": "external", "api_url": "http://127.0.0.1:8000"}, environ={})
    assert "gateway_url, database_url, mongo_url" in str(err.value)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="compose' or 'external"):
        Settings.load({"mode": "kubernetes"}, environ={})
