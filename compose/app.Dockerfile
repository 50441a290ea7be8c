# One image for every Python service of the stack (api, worker, beat, migrate, gateway).
# PYTHON_IMAGE is the official python image, or the offline kit's drop-in (scripts/images.sh).
ARG PYTHON_IMAGE=python:3.11.10-slim-bookworm
FROM ${PYTHON_IMAGE}
# Lets the suite prune this project's superseded builds, and nothing else.
LABEL org.arena.acceptance="true"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt

# The host's locally added CA certificates (copied here by scripts/images.sh; possibly none),
# so that pip works behind an intercepting proxy — the corporate-proxy recipe.
COPY compose/certs/ /usr/local/share/ca-certificates/arena-host/
RUN update-ca-certificates >/dev/null

WORKDIR /app/services
# Dependencies before sources: a code change does not reinstall them.
COPY services/requirements.txt ./requirements.txt
RUN pip install -r requirements.txt \
 # A hook that starts coverage in every Python process, only when COVERAGE_PROCESS_START is set
 # (importing coverage costs ~0.09 s; without it, each start of a service is that much quicker).
 && echo "import os; os.environ.get('COVERAGE_PROCESS_START') and __import__('coverage').process_startup()" \
      > "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/arena-coverage.pth"

COPY services/ ./
# While coverage is measured, every process also follows the scenario the suite is running
# (services/coverage_context.py), so the data says which scenario ran each line.
RUN echo "import os; os.environ.get('COVERAGE_PROCESS_START') and __import__('coverage_context').start()" \
      > "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/arena-coverage-context.pth"
# Compiled once here: with PYTHONDONTWRITEBYTECODE every process of every service would compile
# them again at each start.
RUN python -m compileall -q /app/services
ENV PYTHONPATH=/app/services
