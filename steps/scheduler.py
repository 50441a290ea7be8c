"""Steps about the beat scheduler, which dispatches retries that are due."""

from behave import given, step, then, when

from harness.scheduler import scheduler_status, wait_for_scheduler

BEAT = "beat"


@given("the beat scheduler is running")
def step_beat_running(context):
    if context.stack.managed:
        context.stack.start_service(BEAT)
    # In external mode the shared stack must run its own scheduler: this fails if it does not.
    wait_for_scheduler(context.me.api, "running", timeout=30)


@step("the beat scheduler is stopped")
def step_beat_stopped(context):
    context.stack.stop_service(BEAT)  # returns once the container has exited


@then("the health report calls the scheduler stopped at once")
def step_scheduler_reported_stopped(context):
    # A clean stop is recorded as beat exits: no wait for its ticks to run out (3 s here, 20 s
    # by default). A tick it sent just before may still run now, and must not undo that
    # (tests/services/test_arena_scheduler_status.py).
    status = scheduler_status(context.me.api)
    assert status["status"] == "stopped", (
        f"expected GET /health to call the scheduler stopped once beat has exited, saw {status}")


@when("the beat scheduler is started again")
def step_beat_started_again(context):
    context.stack.start_service(BEAT)
    wait_for_scheduler(context.me.api, "running", timeout=30)
