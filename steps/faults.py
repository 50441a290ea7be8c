"""Steps that break a service of the stack, and put it back."""

import parse
from behave import register_type, step, then, when

from harness import suite
from harness.runs import describe_run
from harness.waits import poll_until

SERVICES = {"the worker": "worker", "PostgreSQL": "postgres", "the gateway": "gateway", "Redis": "redis",
            "MongoDB": "mongo"}


@parse.with_pattern("|".join(SERVICES))
def parse_service(text: str) -> str:
    return SERVICES[text]


# Only these names, so "the beat scheduler is stopped" (steps/scheduler.py) stays its own step.
register_type(Service=parse_service)


def _faults(context):
    if not hasattr(context, "faults"):
        context.faults = context.stack.faults()
        # A scenario cleanup: runs even when the scenario fails, before the next one starts.
        context.add_cleanup(_undo, context)
    return context.faults


def _undo(context):
    context.faults.undo_all()
    suite.reconnect(context)


@step("{service:Service} is killed")
def step_kill(context, service):
    _faults(context).kill(service)


@step("{service:Service} is stopped")
def step_stop(context, service):
    _faults(context).stop(service)


def _restore(context, action) -> None:
    """Undo (part of) a fault, then wait until the whole stack is healthy and follow its new ports."""
    faults = _faults(context)
    action(faults)
    faults.wait_healthy()
    suite.reconnect(context)


@step("{service:Service} is started again")
def step_start_again(context, service):
    _restore(context, lambda faults: faults.start(service))


@step("{service:Service} is restarted")
def step_restart(context, service):
    _restore(context, lambda faults: faults.restart(service))


@step("{service:Service} is cut off from the network")
def step_disconnect(context, service):
    _faults(context).disconnect(service)


@step("{service:Service} is connected again")
def step_reconnect(context, service):
    _restore(context, lambda faults: faults.reconnect(service))


@when("the run has answered at least {count:d} question within {seconds:d} seconds")
def step_run_progressed(context, count, seconds):
    context.run = poll_until(lambda: context.me.api.run(context.run["id"]),
                             lambda run: run["progress"]["done"] >= count, timeout=seconds,
                             what=f"run {context.run['id']} to answer {count} question(s)", describe=describe_run)


@then('the health report answers 503 and names "{dependency}" as down')
def step_health_names_down(context, dependency):
    response = context.me.api.health()
    body = response.json()
    assert response.status_code == 503 and body["status"] == "degraded", (
        f"expected HTTP 503 and status 'degraded', saw {response.status_code}: {body}")
    down = sorted(name for name, check in body["checks"].items() if check["status"] != "ok")
    assert down == [dependency], f"expected only {dependency} down, saw {down}: {body['checks']}"


@then('reading the run answers 503 with the error code "{code}"')
def step_read_run_503(context, code):
    response = context.me.api.get_run(context.run["id"])
    assert response.status_code == 503, f"expected HTTP 503, saw {response.status_code}: {response.text[:300]}"
    assert response.json()["error"]["code"] == code, f"expected the code {code!r}, saw {response.text[:300]}"


@then("the platform reports itself healthy within {seconds:d} seconds")
def step_healthy_within(context, seconds):
    poll_until(lambda: context.me.api.health(), lambda r: r.status_code == 200, timeout=seconds,
               what="the platform to report itself healthy", describe=lambda r: f"{r.status_code} {r.text[:300]}")


@then("the run is still completed, with every question's result")
def step_run_survived(context):
    run = context.me.api.run(context.run["id"])
    assert run["status"] == "completed", f"expected the run completed, saw {describe_run(run)}"
    results = context.me.api.results(context.run["id"])
    assert len(results) == len(context.dataset_samples), (
        f"expected {len(context.dataset_samples)} results, saw {len(results)}: {results}")
