"""Steps about the beat scheduler, which dispatches retries that are due."""

from behave import given, when

from harness.scheduler import wait_for_scheduler

BEAT = "beat"


@given("the beat scheduler is running")
def step_beat_running(context):
    if context.stack.managed:
        context.stack.start_service(BEAT)
    # In external mode the shared stack must run its own scheduler: this fails if it does not.
    wait_for_scheduler(context.me.api, "running", timeout=30)


@given("the beat scheduler is stopped")
def step_beat_stopped(context):
    context.stack.stop_service(BEAT)
    wait_for_scheduler(context.me.api, "stopped", timeout=30)


@when("the beat scheduler is started again")
def step_beat_started_again(context):
    context.stack.start_service(BEAT)
    wait_for_scheduler(context.me.api, "running", timeout=30)
