"""`arena-stack`: the stack for local debugging (the kept stack that `-D keep_stack=true` reuses).

  arena-stack up [--fresh] [--with-beat] [--with-router] [--tenant NAME]
                                           build and start, wait until healthy, register the
                                           fixtures' providers (as the suite does), print the ports;
                                           with --with-router, also start the LiteLLM router;
                                           with --tenant, also create a tenant and print its key
                                           and a request that works
  arena-stack tenant NAME                  create a tenant on the running stack, print its key
  arena-stack status                       services with state and health
  arena-stack ports                        the URLs the suite would use
  arena-stack logs [SERVICE ...] [--tail N] [--follow]
  arena-stack down                         remove containers, networks and volumes
  arena-stack clean                        remove stacks left behind by crashed suite runs
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from harness import cleanup, fixtures
from harness.api import ArenaClient
from harness.settings import REPORTS_DIR, Settings
from harness.stack import ComposeStack
from harness.timing import PhaseTimer


def _stack(with_beat: bool = False) -> ComposeStack:
    settings = Settings.load({"keep_stack": "true", "with_beat": str(with_beat)})
    return ComposeStack(settings)


def cmd_up(args) -> int:
    stack = _stack(args.with_beat)
    if args.fresh:
        stack.project.down()
    endpoints = stack.start(PhaseTimer(REPORTS_DIR / "timings-dev.json"))
    admin = ArenaClient(endpoints, admin_token=stack.settings.admin_token)
    for provider in fixtures.providers():  # what the suite's before_all does: runs need a provider
        admin.put_provider(provider["name"], provider["base_url"], provider["api_key"])
        print(f"provider      {provider['name']} registered ({provider['base_url']})")
    _print_endpoints(endpoints)
    if args.with_router:
        stack.start_service("router")
        print(f"{'router_url':13} {stack.url_of('router')}")
    if args.tenant:
        _print_tenant(admin, endpoints.api_url, args.tenant)
    print("run the suite against it: behave -D keep_stack=true --tags=@integration")
    return 0


def cmd_tenant(args) -> int:
    stack = _stack()
    endpoints = stack.discover()
    _print_tenant(ArenaClient(endpoints, admin_token=stack.settings.admin_token), endpoints.api_url, args.name)
    return 0


def _print_tenant(admin: ArenaClient, api_url: str, name: str) -> None:
    """Create a tenant and print its key with two requests that work as they are: a dataset, then
    a run of it on the test gateway (a debugging stack's key, printed on purpose)."""
    tenant = admin.create_tenant(name)
    key = tenant["api_key"]
    dataset = json.dumps({"name": "try-me", "samples": fixtures.dataset_samples("arithmetic", 2)})
    print(f"\ntenant        {tenant['name']} ({tenant['id']})\napi key       {key}\n")
    print("try it:")
    print(f"  curl -s -H 'X-API-Key: {key}' -H 'Content-Type: application/json' \\\n"
          f"    -d {shlex.quote(dataset)} {api_url}/datasets")
    print(f"  curl -s -H 'X-API-Key: {key}' -H 'Content-Type: application/json' \\\n"
          f"    -d '{{\"dataset_id\": \"<id from above>\", \"provider\": \"gateway\", \"model\": \"gpt-3.5-turbo\"}}' "
          f"{api_url}/runs")
    print(f"  curl -s -H 'X-API-Key: {key}' {api_url}/runs/<run id>\n")


def cmd_status(args) -> int:
    for state in _stack().project.ps():
        print(f"{state.get('Service', '?'):10} {state.get('State', '?'):10} "
              f"{state.get('Health') or '-':10} {state.get('Status', '')}")
    return 0


def cmd_ports(args) -> int:
    _print_endpoints(_stack().discover())
    return 0


def cmd_logs(args) -> int:
    project = _stack().project
    if args.follow:
        project.run("logs", "--follow", "--tail", str(args.tail), *args.services, capture=False, check=False)
        return 0
    print(project.logs(args.services or None, tail=args.tail))
    return 0


def cmd_down(args) -> int:
    _stack().project.down()
    print("stack removed")
    return 0


def cmd_clean(args) -> int:
    removed = cleanup.remove_stale_stacks()
    print(f"removed {len(removed)} stale stack(s)")
    return 0


def _print_endpoints(endpoints) -> None:
    for name, value in vars(endpoints).items():
        print(f"{name:13} {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arena-stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="build, start and wait until healthy")
    up.add_argument("--fresh", action="store_true", help="remove the existing stack and its volumes first")
    up.add_argument("--with-beat", action="store_true", help="also start the beat scheduler")
    up.add_argument("--tenant", metavar="NAME", help="also create a tenant and print its key and example requests")
    up.add_argument("--with-router", action="store_true", help="also start the LiteLLM router (profile router)")
    up.set_defaults(func=cmd_up)
    tenant = sub.add_parser("tenant", help="create a tenant on the running stack and print its key")
    tenant.add_argument("name")
    tenant.set_defaults(func=cmd_tenant)
    sub.add_parser("status", help="state and health of each service").set_defaults(func=cmd_status)
    sub.add_parser("ports", help="discovered URLs").set_defaults(func=cmd_ports)
    logs = sub.add_parser("logs", help="service logs (secrets masked)")
    logs.add_argument("services", nargs="*")
    logs.add_argument("--tail", type=int, default=100)
    logs.add_argument("--follow", action="store_true")
    logs.set_defaults(func=cmd_logs)
    sub.add_parser("down", help="remove the stack").set_defaults(func=cmd_down)
    sub.add_parser("clean", help="remove stale stacks of crashed runs").set_defaults(func=cmd_clean)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as err:  # a debugging tool: say what failed, no traceback
        print(f"arena-stack {args.command}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
