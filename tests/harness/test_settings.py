"""One precedence: -D beats ARENA_* beats the defaults; a bad value is one line naming the key."""

import pytest

from harness.settings import Settings, SettingsError

EXTERNAL_ENV = {
    "ARENA_MODE": "external", "ARENA_API_URL": "http://127.0.0.1:8000", "ARENA_GATEWAY_URL": "http://127.0.0.1:8080",
    "ARENA_DATABASE_URL": "postgresql+psycopg://arena:arena@127.0.0.1:5432/arena",
    "ARENA_MONGO_URL": "mongodb://127.0.0.1:27017/arena",
}


def test_defaults_to_compose_mode_with_teardown():
    settings = Settings.load({}, environ={})
    assert (settings.mode, settings.keep_stack, settings.with_beat, settings.up_timeout) == ("compose", False, False,
                                                                                            180.0)


def test_userdata_wins_over_environment():
    settings = Settings.load({"keep_stack": "true"}, environ={"ARENA_KEEP_STACK": "false"})
    assert settings.keep_stack is True
    assert settings.sources["keep_stack"] == "-D keep_stack"


def test_environment_wins_over_defaults():
    settings = Settings.load({}, environ={"ARENA_KEEP_STACK": "1", "ARENA_UP_TIMEOUT": "42"})
    assert (settings.keep_stack, settings.up_timeout) == (True, 42.0)
    assert settings.sources["up_timeout"] == "ARENA_UP_TIMEOUT"


def test_environment_alone_selects_external_mode():
    settings = Settings.load({}, environ=EXTERNAL_ENV)
    assert settings.mode == "external" and settings.api_url == "http://127.0.0.1:8000"


def test_an_empty_userdata_value_does_not_shadow_the_environment():
    assert Settings.load({"mode": ""}, environ=EXTERNAL_ENV).mode == "external"


def test_pyproject_holds_no_userdata_that_would_shadow_the_environment():
    import tomllib

    from harness.settings import REPO_ROOT

    behave = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["behave"]
    assert "userdata" not in behave, "values in [tool.behave.userdata] count as -D and beat ARENA_*"


def test_external_mode_names_every_missing_url():
    with pytest.raises(SettingsError) as err:
        Settings.load({"mode": "external", "api_url": "http://127.0.0.1:8000"}, environ={})
    assert "gateway_url, database_url, mongo_url" in str(err.value)


@pytest.mark.parametrize(("userdata", "environ", "expected"), [
    ({"mode": "kubernetes"}, {}, "-D mode='kubernetes' is not allowed: mode must be compose or external"),
    ({}, {"ARENA_MODE": "k8s"}, "ARENA_MODE='k8s' is not allowed: mode must be compose or external"),
    ({}, {"ARENA_UP_TIMEOUT": "soon"}, "ARENA_UP_TIMEOUT='soon' is not allowed: up_timeout must be a number"),
    ({"up_timeout": "-5"}, {}, "-D up_timeout='-5' is not allowed"),
    ({}, {"ARENA_KEEP_STACK": "maybe"}, "ARENA_KEEP_STACK='maybe' is not allowed: keep_stack must be true or false"),
    ({"api_url": "127.0.0.1:8000"}, {}, "api_url must be a URL starting with http://"),
    ({"keep-stack": "true"}, {}, "-D keep-stack is not a setting of the suite"),
])
def test_a_bad_value_is_one_line_naming_the_key_and_what_is_allowed(userdata, environ, expected):
    with pytest.raises(SettingsError) as err:
        Settings.load(userdata, environ=environ)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_the_console_line_never_shows_credentials():
    line = Settings.load({}, environ={**EXTERNAL_ENV, "ARENA_ADMIN_TOKEN": "s3cret-token"}).describe()
    assert "s3cret" not in line and "arena:arena" not in line
    assert "api_url=http://127.0.0.1:8000 (ARENA_API_URL)" in line
