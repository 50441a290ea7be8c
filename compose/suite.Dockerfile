# The acceptance suite as an image, for a host that has Docker and nothing else:
# `scripts/acceptance.sh --in-container` (scripts/in_container.sh) builds and runs it.
#
# Its build context is not the repository but a directory scripts/in_container.sh stages: the
# suite's files in the repository's layout, the host's CA certificates (compose/certs/, as for the
# app image) and the host's static `docker` CLI and Compose v2 plugin (docker-cli/), which the
# fault scenarios and the stack's control use from inside. PYTHON_IMAGE is the stack's Python base
# image (ARENA_PYTHON_IMAGE of compose/.env): official, or the offline kit's drop-in.
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm

# The pinned requirements, on their own: the dependency layer below is rebuilt only when they
# change, not when anything else in pyproject.toml does.
FROM ${PYTHON_IMAGE} AS requirements
COPY pyproject.toml /in/
RUN python -c "import tomllib; \
deps = tomllib.load(open('/in/pyproject.toml', 'rb'))['project']['dependencies']; \
open('/requirements.txt', 'w').write('\n'.join(deps) + '\n')"

FROM ${PYTHON_IMAGE}
# Lets the suite prune this project's superseded builds (dangling, labelled), and nothing else.
LABEL org.arena.acceptance="true"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt

# The host's locally added CA certificates (possibly none): pip works behind an intercepting
# proxy — the corporate-proxy recipe of compose/app.Dockerfile.
COPY compose/certs/ /usr/local/share/ca-certificates/arena-host/
RUN update-ca-certificates >/dev/null

# The Docker CLI and the Compose v2 plugin, the host's static binaries. They must run here:
# a dynamically linked CLI from a newer distribution stops the build at this line, not a scenario.
COPY docker-cli/docker /usr/local/bin/docker
COPY docker-cli/docker-compose /usr/local/lib/docker/cli-plugins/docker-compose
RUN docker --version && docker compose version

COPY --from=requirements /requirements.txt /suite/requirements.txt
RUN pip install -r /suite/requirements.txt

# The suite runs as the host's user (files it writes into the mounted repository are theirs): a
# home any uid can write to, for the Docker CLI's config directory.
RUN mkdir -m 1777 /home/suite
ENV HOME=/home/suite

# The suite itself. scripts/in_container.sh mounts the working tree over this (same path as on
# the host, PYTHONPATH pointing there) so that compose's bind mounts resolve on the host; this
# copy makes the image usable on its own, e.g. against a staging stack (-D mode=external).
WORKDIR /suite
COPY pyproject.toml environment.py /suite/
COPY scripts/make_fixtures.py /suite/scripts/make_fixtures.py
COPY harness/ /suite/harness/
COPY steps/ /suite/steps/
COPY features/ /suite/features/
COPY fixtures/ /suite/fixtures/
RUN python scripts/make_fixtures.py
ENV PYTHONPATH=/suite

# The binary fixtures (git-ignored PDFs) are generated where the suite runs, then the suite as
# scripts/acceptance.sh runs it: features in parallel on one stack, the @fault scenarios after
# (harness/parallel.py; --serial for plain behave), with the behave arguments given.
ENTRYPOINT ["sh", "-c", "python scripts/make_fixtures.py && exec python -m harness.parallel \"$@\"", "suite"]
