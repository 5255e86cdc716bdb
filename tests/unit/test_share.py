"""A setup as link parameters: round trips, defaults left out, the sample's name, and bad links reported, not raised."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from lstm_core.config import RunConfig
from lstm_core.share import decode, encode
from lstm_core.tasks.forecast.samples import CLASSIFICATION_SAMPLES, SAMPLES

ALL_SAMPLES = [*SAMPLES, *CLASSIFICATION_SAMPLES]


def through_a_url(params: dict[str, str]) -> dict[str, str]:
    """What a browser hands back after the parameters went through an address bar."""
    return dict(parse_qsl(urlencode(params), keep_blank_values=True))


def test_defaults_give_an_empty_link_and_read_back_as_defaults():
    assert encode(RunConfig()) == {}
    shared = decode({})
    assert shared.config == RunConfig() and shared.problems == [] and shared.sample is None


def test_every_kind_of_setting_round_trips_and_only_changes_are_written():
    config = RunConfig(
        task="classify-sequences",           # a choice
        target="load, in MW",                # a column name, with a comma and a space
        features=("temperature", "hour"),    # a list of columns
        id_column="auto",                    # a column really called "auto" stays a column
        units=64,                            # int
        learning_rate=1e-5,                  # a small float
        dropout=0.2,                         # float
        bidirectional=True,                  # bool
        early_stopping=False,                # bool turned off
        loss="mae",                          # optional choice
        maxlen=50,                           # optional int
        seed_text="Once upon a time & more", # free text with URL-unsafe characters
    )

    params = encode(config, sample="shapes")

    assert params == {"sample": "shapes", "task": "classify-sequences", "target": "load, in MW",
                      "features": "temperature,hour", "units": "64", "dropout": "0.2", "bidirectional": "true",
                      "loss": "mae", "learning_rate": "1e-05", "early_stopping": "false", "id_column": "auto",
                      "maxlen": "50", "seed_text": "Once upon a time & more"}
    shared = decode(through_a_url(params), samples=ALL_SAMPLES)
    assert shared.problems == []
    assert shared.config == config and shared.config.to_dict() == config.to_dict()
    assert shared.sample == "shapes"
    assert set(shared.settings) == set(params) - {"sample"} and shared.names_columns


def test_a_sample_link_reproduces_the_samples_setup():
    sample = SAMPLES["monthly_sales"]
    config = RunConfig(target=sample.target, season=sample.season, units=16, **sample.settings)

    shared = decode(through_a_url(encode(config, "monthly_sales")), samples=ALL_SAMPLES)

    assert shared.config == config and shared.config.difference is True and shared.sample == "monthly_sales"


def test_unknown_keys_bad_values_and_unknown_samples_are_reported_and_ignored():
    params = {"units": "9999", "colour": "red", "learning_rate": "fast", "bidirectional": "maybe",
              "optimizer": "adamw", "epochs": "2.5", "sample": "weather", "layers": "2", "batch_size": ""}

    shared = decode(params, samples=ALL_SAMPLES)

    assert shared.config == RunConfig(layers=2)
    assert shared.settings == ["layers"] and shared.sample is None
    problems = "\n".join(shared.problems)
    assert len(shared.problems) == 8, problems
    for expected in ("units: units = 9999 is outside [1, 1024]", "colour: not a setting",
                     "learning_rate: cannot read 'fast'", "bidirectional: cannot read 'maybe'",
                     "optimizer = 'adamw' is not one of adam, rmsprop, sgd", "epochs: cannot read '2.5'",
                     "no built-in sample called 'weather'", "batch_size"):
        assert expected in problems


def test_settings_that_only_fail_together_keep_the_first_and_report_the_second():
    shared = decode({"val_fraction": "0.5", "test_fraction": "0.45"})
    assert shared.config.val_fraction == 0.5 and shared.config.test_fraction == RunConfig().test_fraction
    [problem] = shared.problems
    assert problem.startswith("test_fraction:") and "10 % of rows" in problem


def test_a_repeated_key_takes_its_last_value_and_a_base_config_is_kept_underneath():
    base = RunConfig(target="value", season=24)
    shared = decode({"units": ["8", "16"]}, base=base)
    assert shared.config == base.replace(units=16) and shared.problems == [] and not shared.names_columns


def test_no_value_in_any_setting_makes_reading_a_link_raise():
    garbage = ["", " ", "nan", "inf", "-inf", "1e400", "-1", "0", "1.5", "true", "auto", "none", "%00", "é", "[1]",
               "a,b", "9" * 40]
    for name in RunConfig().to_dict():
        for value in garbage:
            shared = decode({name: value, "sample": value})
            config = shared.config
            assert config.problems() == [], (name, value)
            if name not in shared.settings:
                assert any(p.startswith(f"{name}:") for p in shared.problems), (name, value, shared.problems)
