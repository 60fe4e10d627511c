# Build: the whole toolchain, thrown away after.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY migrations ./migrations
COPY tests ./tests
RUN cargo build --release --locked && strip target/release/pizza-factory

# Run: a slim Debian with only the binary, as a non-root user, data on a volume.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin factory \
    && mkdir -p /data /scenarios && chown factory /data
COPY --from=build /src/target/release/pizza-factory /usr/local/bin/pizza-factory
# Scenarios are mounted, not baked in: `-v "$PWD/scenarios:/scenarios:ro"` (compose does it).
USER factory
ENV FACTORY_HOST=0.0.0.0 \
    FACTORY_PORT=4000 \
    FACTORY_DATA_DIR=/data \
    FACTORY_SCENARIO_DIR=/scenarios \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["pizza-factory", "probe"]
ENTRYPOINT ["pizza-factory"]
CMD ["serve"]
