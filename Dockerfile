# syntax=docker/dockerfile:1
# Quran Tracker: `docker build -t quran-tracker .`, then
# `docker run -p 8080:8080 -e TELEGRAM_BOT_TOKEN=… -e DATABASE_URL=postgres://… quran-tracker`.
# Fly.io builds and runs this same image (fly.toml); docs/deploy.md walks through it.

# ---- dependencies: exact versions and hashes from requirements.lock, wheels only (no compiler needed)
FROM python:3.11-slim AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.lock /tmp/requirements.lock
RUN /venv/bin/pip install --require-hashes --only-binary=:all: -r /tmp/requirements.lock

# ---- runtime: the venv, the source, a non-root user
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bot
COPY --from=deps /venv /venv
WORKDIR /app
# alembic.ini: fly.toml's release_command runs `alembic upgrade head` from this directory.
COPY alembic.ini ./
COPY bot ./bot
COPY quran ./quran
COPY scheduler ./scheduler
COPY storage ./storage
COPY tracker ./tracker
# Compile as root now: the code stays read-only for the user that runs it.
RUN python -m compileall -q /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080 \
    LOG_FORMAT=json \
    MPLCONFIGDIR=/tmp/matplotlib \
    MALLOC_ARENA_MAX=2
# MPLCONFIGDIR: matplotlib's font cache needs a writable home the `bot` user doesn't have.
# MALLOC_ARENA_MAX: fewer glibc arenas keep the chart worker's freed memory reusable on a 256 MB machine.
USER bot
EXPOSE 8080
# 503 from /healthz (database, bot, scheduler) makes urlopen raise, i.e. exit 1: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8080'), timeout=4)"]
CMD ["python", "-m", "bot", "run"]
