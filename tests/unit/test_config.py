"""RunConfig: one value that survives JSON, refuses nonsense by name, and reads strings from a CLI or a URL."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lstm_core.config import LIMITS, ConfigError, RunConfig

CUSTOM = RunConfig(target="load_mw", features=("temperature", "hour"), missing="ffill", timesteps=48, horizon=6,
                   multi_step=True, stride=2, val_fraction=0.1, test_fraction=0.25, scaling="minmax", layers=2,
                   units=16, dropout=0.2, bidirectional=True, output_units=6, output_activation="linear",
                   loss="huber", optimizer="rmsprop", learning_rate=3e-4, batch_size=64, epochs=7,
                   early_stopping=False, patience=3, season=24, seed=7)


@pytest.mark.parametrize("config", [RunConfig(), CUSTOM], ids=["defaults", "custom"])
def test_json_round_trip_gives_an_equal_config(config):
    text = config.to_json()
    back = RunConfig.from_json(text)
    assert back == config
    assert back.to_json() == text
    assert isinstance(back.features, tuple)


def test_to_dict_is_plain_json_with_every_setting():
    data = CUSTOM.to_dict()
    assert data["features"] == ["temperature", "hour"]
    assert "extra" not in data
    assert set(data) == {f.name for f in dataclasses.fields(RunConfig)} - {"extra"}
    assert json.loads(json.dumps(data)) == data


def test_from_dict_fills_missing_settings_with_defaults():
    config = RunConfig.from_dict({"units": 8})
    assert config.units == 8
    assert config.timesteps == RunConfig().timesteps


def test_from_dict_rejects_unknown_settings_by_name():
    with pytest.raises(ConfigError, match="unitz"):
        RunConfig.from_dict({"unitz": 8, "epochs": 3})


@pytest.mark.parametrize(("field", "value"), [
    ("timesteps", 0), ("timesteps", 2001), ("horizon", 0), ("units", 2048), ("dropout", 0.99),
    ("learning_rate", 0.0), ("epochs", 5000), ("val_fraction", 0.6), ("batch_size", -1), ("layers", 4),
    ("optimizer", "adamw"), ("scaling", "robust"), ("loss", "cosine"), ("missing", "zero"),
])
def test_from_dict_rejects_out_of_range_values_naming_the_field(field, value):
    with pytest.raises(ConfigError) as raised:
        RunConfig.from_dict({field: value})
    assert field in str(raised.value)
    assert repr(value) in str(raised.value) or str(value) in str(raised.value)


def test_the_limits_themselves_are_allowed():
    for field, (low, high) in LIMITS.items():
        kind = type(getattr(RunConfig(), field))
        if field in ("val_fraction", "test_fraction"):
            high = 0.4  # together they must leave 10 % of rows for training
        for value in (low, high):
            RunConfig.from_dict({field: kind(value) if kind in (int, float) else value})


def test_fractions_must_leave_rows_for_training():
    with pytest.raises(ConfigError, match="training"):
        RunConfig(val_fraction=0.5, test_fraction=0.45)


def test_from_json_rejects_broken_json_and_non_objects():
    with pytest.raises(ConfigError, match="not valid JSON"):
        RunConfig.from_json('{"units": 8,')
    with pytest.raises(ConfigError, match="JSON object"):
        RunConfig.from_json("[1, 2]")


@pytest.mark.parametrize(("patch", "expected"), [
    ({"units": "32"}, {"units": 32}),
    ({"epochs": "5.0"}, {"epochs": 5}),
    ({"learning_rate": "0.01"}, {"learning_rate": 0.01}),
    ({"dropout": "0"}, {"dropout": 0.0}),
    ({"multi_step": "true"}, {"multi_step": True}),
    ({"bidirectional": "True"}, {"bidirectional": True}),
    ({"early_stopping": "false"}, {"early_stopping": False}),
    ({"early_stopping": "0"}, {"early_stopping": False}),
    ({"multi_step": "yes"}, {"multi_step": True}),
    ({"features": "a,b"}, {"features": ("a", "b")}),
    ({"features": " a , b ,"}, {"features": ("a", "b")}),
    ({"features": ["x"]}, {"features": ("x",)}),
    ({"output_units": "auto"}, {"output_units": None}),
    ({"target": ""}, {"target": None}),
    ({"season": "auto"}, {"season": 0}),
])
def test_replace_coerces_strings_from_a_cli_or_url(patch, expected):
    config = RunConfig().replace(**patch)
    for field, value in expected.items():
        got = getattr(config, field)
        assert got == value
        assert type(got) is type(value)


@pytest.mark.parametrize(("field", "value"), [
    ("units", "lots"), ("units", "3.5"), ("epochs", "inf"), ("epochs", "nan"), ("multi_step", "maybe"),
    ("epochs", True), ("dropout", False), ("learning_rate", "fast"), ("features", 5),
])
def test_replace_rejects_unreadable_values_with_a_config_error_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        RunConfig().replace(**{field: value})


def test_replace_rejects_coerced_values_outside_the_limits():
    with pytest.raises(ConfigError, match="epochs"):
        RunConfig().replace(epochs="0")


def test_replace_returns_a_new_value_and_leaves_the_old_one_alone():
    config = RunConfig()
    patched = config.replace(units="8", features="a")
    assert patched is not config
    assert (config.units, config.features) == (32, ())
    assert (patched.units, patched.features) == (8, ("a",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.units = 4  # type: ignore[misc]


def test_a_finding_fix_applies_as_a_patch():
    fix = {"timesteps": 12, "scaling": "standard"}
    config = RunConfig(timesteps=500, scaling="none").replace(**fix)
    assert (config.timesteps, config.scaling) == (12, "standard")


def test_head_fills_auto_output_settings():
    assert RunConfig().head() == (1, "linear", "mse")
    assert RunConfig(horizon=6, multi_step=True).head() == (6, "linear", "mse")
    assert RunConfig(horizon=6, multi_step=True, output_units=2, loss="mae").head() == (2, "linear", "mae")
