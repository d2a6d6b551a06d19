# syntax=docker/dockerfile:1
# The Rasa runtime (Rasa Open Source 3.6 on Python 3.10): two images from one build.
#   docker build -f deploy/rasa.Dockerfile --target rasa    -t asisten-warga/rasa .
#   docker build -f deploy/rasa.Dockerfile --target actions -t asisten-warga/actions .
# The model is trained in the build from data/, domain/ and config.yml, so an image tag names
# one model: rolling it out is rolling out the image (docs/deployment.md).

FROM python:3.10.13-slim-bookworm AS build
# Compilers for the few locked packages without a wheel; this stage is not shipped.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential=12.9 \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/rasa.lock /tmp/rasa.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-deps -r /tmp/rasa.lock

FROM build AS model
WORKDIR /src
COPY config.yml domain.yml ./
COPY domain ./domain
COPY data ./data
COPY bot ./bot
COPY knowledge ./knowledge
ENV PYTHONPATH=/src TF_CPP_MIN_LOG_LEVEL=2
RUN /opt/venv/bin/rasa train --fixed-model-name asisten-warga --out /src/models

FROM python:3.10.13-slim-bookworm AS runtime
RUN groupadd --gid 10001 aw && useradd --uid 10001 --gid aw --create-home --shell /usr/sbin/nologin aw
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root bot ./bot
COPY --chown=root:root actions ./actions
COPY --chown=root:root knowledge ./knowledge
COPY --chown=root:root domain ./domain
COPY --chown=root:root config.yml domain.yml credentials.yml endpoints.prod.yml ./
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 HOME=/home/aw

FROM runtime AS actions
USER 10001:10001
EXPOSE 5055
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=2)"]
# Binds every interface inside the container; every call but /health needs ACTION_SERVER_TOKEN.
CMD ["python", "-m", "actions.server", "--actions", "actions", "--host", "0.0.0.0", "--port", "5055"]

FROM runtime AS rasa
COPY --from=model --chown=root:root /src/models/asisten-warga.tar.gz /app/models/asisten-warga.tar.gz
USER 10001:10001
EXPOSE 5005
# Rasa answers / only once the model is loaded (about 30 s on 2 cores).
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=2)"]
# AW_RASA_TOKEN: the HTTP API's token (agent-assist reads trackers through it).
CMD ["sh", "-c", "exec python -m bot.server run --interface 0.0.0.0 --port 5005 --model models/asisten-warga.tar.gz --enable-api --auth-token \"$AW_RASA_TOKEN\" --endpoints endpoints.prod.yml --credentials credentials.yml"]
