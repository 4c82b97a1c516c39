# Shared by bench/history.sh and bench/crash.sh (sourced from the project root): builds the
# release logmap and the log generator, sets LOGMAP (absolute path) and AUTH (the benchmark
# auth.log of $SIZE, seed 1, generated when missing or older than the generator).
TARGET=${CARGO_TARGET_DIR:-target}
DATA=bench/data
mkdir -p "$DATA"
say() { printf '%s\n' "$*" >&2; }

cargo build --release --quiet --bin logmap --example genlog || exit 2
LOGMAP=$(realpath "$TARGET/release/logmap")
AUTH=$DATA/auth-$SIZE-s1.log
if [ ! -s "$AUTH" ] || [ "$TARGET/release/examples/genlog" -nt "$AUTH" ]; then
    say "== generating $AUTH"
    "$TARGET/release/examples/genlog" --kind auth --size "$SIZE" --seed 1 --out "$AUTH.tmp" && mv "$AUTH.tmp" "$AUTH" || exit 2
fi
