"""Steps about the platform's health report."""

from behave import then, when


@when("I ask the platform for its health")
def step_ask_health(context):
    context.response = context.me.api.health()


@then("the platform reports itself healthy")
def step_platform_healthy(context):
    body = context.response.json()
    assert context.response.status_code == 200 and body["status"] == "ok", (
        f"expected HTTP 200 and status 'ok', saw {context.response.status_code}: {body}")


@then("each of these dependencies is reported up with a latency:")
def step_dependencies_up(context):
    checks = context.response.json()["checks"]
    for row in context.table:
        name = row["dependency"]
        check = checks.get(name)
        assert check is not None, f"expected the health report to mention {name}, saw {checks}"
        assert check["status"] == "ok", f"expected {name} reported 'ok', saw {check}"
        assert isinstance(check["latency_ms"], int | float) and check["latency_ms"] >= 0, (
            f"expected {name}'s latency in ms (a number, 0 or more), saw {check}")
