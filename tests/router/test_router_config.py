"""The router's configuration agrees with the stack it routes for: prices from Arena's price table,
every deployment on the test gateway, every fallback naming a model group that exists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness import fixtures
from harness import router as rt

CONFIG = rt.config()
DEPLOYMENTS = [(entry["model_name"], entry["litellm_params"]) for entry in CONFIG["model_list"]]


@pytest.mark.parametrize(("group", "params"), DEPLOYMENTS, ids=[group for group, _ in DEPLOYMENTS])
def test_every_deployment_is_priced_per_token_as_the_price_table_prices_its_model(group, params):
    model = params["model"].split("/", 1)[1]
    per_1k_prompt, per_1k_completion = fixtures.price_of(model, 1000, 0), fixtures.price_of(model, 0, 1000)
    assert per_1k_prompt > 0, f"{group}: the price table has no price for {model}"
    assert Decimal(str(params["input_cost_per_token"])) * 1000 == per_1k_prompt, group
    assert Decimal(str(params["output_cost_per_token"])) * 1000 == per_1k_completion, group


@pytest.mark.parametrize(("group", "params"), DEPLOYMENTS, ids=[group for group, _ in DEPLOYMENTS])
def test_every_deployment_is_a_gateway_model(group, params):
    assert params["api_base"] == "http://gateway:8080/v1", group
    assert params["model"].startswith("openai/"), group


def test_fallbacks_name_model_groups_that_exist():
    groups = {group for group, _ in DEPLOYMENTS}
    for rule in CONFIG["router_settings"]["fallbacks"]:
        for primary, chain in rule.items():
            assert {primary, *chain} <= groups, rule


def test_the_arena_provider_router_uses_the_routers_key():
    router = next(p for p in fixtures.providers() if p["name"] == "router")
    assert router["base_url"] == "http://router:4000/v1"
    assert router["api_key"] == rt.master_key()
