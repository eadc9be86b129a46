# syntax=docker/dockerfile:1
# One image recipe for every Tenfour service; docker-compose.yml passes the arguments. By hand:
#   docker build -f deploy/service.Dockerfile --build-arg SERVICE=identity --build-arg PORT=50051 \
#     --build-arg HEALTHCHECK="tenfour_shared.healthcheck 127.0.0.1:50051 tenfour.identity.v1.IdentityService" .
FROM python:3.11.7-slim-bookworm AS build
ARG SERVICE
WORKDIR /src
COPY requirements.lock requirements-dev.lock ./
# Code generators only live in this stage (pinned at the workspace's versions).
RUN python -m venv /tools && /tools/bin/pip install --no-cache-dir \
      $(grep -oE '^(grpcio|grpcio-tools|protobuf|setuptools)==[^ ]+' requirements-dev.lock)
COPY protos protos
COPY shared shared
COPY services/${SERVICE} services/${SERVICE}
# Generated code is produced here, never copied from a developer's tree. Dependencies are the
# run-time lock, every file checked against its hash; then our own packages on top of them.
RUN test -n "${SERVICE}" \
 && rm -rf shared/src/tenfour && mkdir -p shared/src/tenfour \
 && /tools/bin/python -m grpc_tools.protoc -I protos --python_out=shared/src --grpc_python_out=shared/src $(find protos -name '*.proto') \
 && find shared/src/tenfour -type d -exec touch {}/__init__.py \; \
 && python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock \
 && /venv/bin/pip install --no-cache-dir --no-deps ./shared ./services/${SERVICE}

FROM python:3.11.7-slim-bookworm
ARG SERVICE
ARG PORT
# `python -m` arguments that probe the service: gRPC health for the services, HTTP for the gateway.
ARG HEALTHCHECK
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin tenfour
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TENFOUR_HOST=0.0.0.0 \
    TENFOUR_PORT=${PORT} TENFOUR_SERVICE=${SERVICE} TENFOUR_HEALTHCHECK=${HEALTHCHECK}
USER 10001:10001
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD python -m $TENFOUR_HEALTHCHECK
STOPSIGNAL SIGTERM
# exec: the service itself is PID 1 and receives SIGTERM.
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"tenfour_${TENFOUR_SERVICE}\" \"$@\"", "--"]
