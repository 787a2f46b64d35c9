# C++ names are demangled (namespaces, templates, anonymous namespaces),
# argument lists cut as flame collapse does; --no-demangle keeps them raw.
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record -o c.folded -- "$WORKDIR/flame-test-cxx" 0.8
has c.folded ';main;shapes::Matrix<double>::multiply$' "demangled method missing"
has c.folded ';main::\{lambda\(int\)#1\}::operator;\(anonymous namespace\)::helper$' \
	"lambda calling a function in an anonymous namespace missing"
hasnt c.folded '_Z' "mangled names left"
hasnt c.folded '\)( const)?(;|$)' "argument lists left"
run 0 "$FLAME" record --no-demangle -o m.folded -- "$WORKDIR/flame-test-cxx" 0.5
has m.folded ';_ZNK6shapes6MatrixIdE8multiplyERKS1_i$' "--no-demangle: mangled name missing"
echo "ok"
