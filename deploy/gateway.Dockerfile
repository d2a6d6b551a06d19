# syntax=docker/dockerfile:1
# The gateway (FastAPI on current Python): the public app on 8000, the service API on 8001
# (reachable by the action servers only: the chart's NetworkPolicy, compose's internal network).
#   docker build -f deploy/gateway.Dockerfile -t asisten-warga/gateway .

FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/api.lock /tmp/api.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-deps -r /tmp/api.lock

FROM python:3.11.7-slim-bookworm AS gateway
# The attachments' directory (AW_ATTACHMENTS_DIR) exists owned by the gateway's user, so a new
# shared volume mounted there (compose, the chart's PVC) starts writable by it.
RUN groupadd --gid 10001 aw && useradd --uid 10001 --gid aw --create-home --shell /usr/sbin/nologin aw \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/asisten-warga/attachments
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root api ./api
COPY --chown=root:root connectors ./connectors
COPY --chown=root:root simulators ./simulators
COPY --chown=root:root knowledge ./knowledge
COPY --chown=root:root alembic.ini ./
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 HOME=/home/aw \
    AW_ENVIRONMENT=production AW_SERVICE_API_HOST=0.0.0.0 AW_SERVICE_API_PORT=8001 \
    AW_ATTACHMENTS_DIR=/var/lib/asisten-warga/attachments
USER 10001:10001
EXPOSE 8000 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
# Migrations run at start-up under a PostgreSQL advisory lock (api/db.py): replicas may start together.
CMD ["python", "-m", "api.serve", "--host", "0.0.0.0", "--port", "8000"]
