# One image for every service: api, worker and the migration CLI.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api -p worker -p migration

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/minsheng --create-home minsheng
COPY --from=build /src/target/release/api /src/target/release/worker /src/target/release/migration /usr/local/bin/
USER minsheng
WORKDIR /var/lib/minsheng
ENV MINSHENG_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["api"]
