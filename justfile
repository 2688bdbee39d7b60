# Thin aliases; each recipe is one command you can also type yourself.

# every test, with pyinfra for the differential tests
test *ARGS:
    ./scripts/test.sh {{ARGS}}

# formatting and lints, as CI runs them
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# micro-benchmarks (divan) and the whole-process comparison
bench N="10000":
    cargo bench -p strata
    bench/compare.sh {{N}}

# the resolved example inventory
demo:
    cargo run -q -p strata-cli -- -i examples/basic list --format toml

# coverage-guided fuzzing of one target (inventory, args, diff_archive) for SECONDS; docs/fuzzing.md
fuzz TARGET SECONDS="600":
    ./scripts/fuzz.sh {{TARGET}} {{SECONDS}}

# what CI runs
ci:
    bash .ci/run
