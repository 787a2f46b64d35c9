# cases.sh - the case harness of the CLI test scripts (errors.sh, text.sh).
# Source it after setting flame (the binary), work (the directory commands
# run in), out and err (files for stdout and stderr), pass=0 and fail=0.
# A case: begin LABEL, run or run_stdin, expect_* checks, finish.

label=
problems=()

# begin LABEL: start a case
begin() {
	label=$1
	problems=()
}

# finish: report the case
finish() {
	if [ ${#problems[@]} -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   $label"
		return
	fi
	fail=$((fail + 1))
	echo "FAIL $label"
	local p
	for p in "${problems[@]}"; do
		printf '     %s\n' "$p"
	done
	if [ -s "$err" ]; then
		echo "     stderr was:"
		head -n 8 "$err" | cut -c 1-300 | sed 's/^/       | /'
	fi
}

problem() {
	problems+=("$1")
}

# run ARGS...: flame ARGS in the work directory, stdin from /dev/null
run() {
	(cd "$work" && exec "$flame" "$@") </dev/null >"$out" 2>"$err"
	rc=$?
}

# run_stdin FILE ARGS...: the same with stdin piped from FILE
run_stdin() {
	local in=$1
	shift
	(cd "$work" && cat "$in" | "$flame" "$@") >"$out" 2>"$err"
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || problem "exit code $rc, expected $1"
}

# a line of stderr is exactly TEXT
expect_err_line() {
	grep -qxF -- "$1" "$err" || problem "stderr has no line: $1"
}

# stderr contains TEXT
expect_err_has() {
	grep -qF -- "$1" "$err" || problem "stderr does not contain: $1"
}

expect_err_lacks() {
	if grep -qF -- "$1" "$err"; then
		problem "stderr contains: $1"
	fi
}

# some line of stderr matches the extended regex
expect_err_match() {
	grep -qE -- "$1" "$err" || problem "no stderr line matches: $1"
}

expect_err_empty() {
	[ -s "$err" ] && problem "stderr is not empty"
	return 0
}

expect_out_empty() {
	[ -s "$out" ] && problem "stdout is not empty: $(head -c 200 "$out")"
	return 0
}

expect_out_has() {
	grep -qF -- "$1" "$out" || problem "stdout does not contain: $1"
}

# stdout is exactly TEXT (plus a final newline)
expect_out_is() {
	local got
	got=$(cat "$out")
	[ "$got" = "$1" ] || problem "stdout is '$(head -c 300 "$out")', expected '$1'"
}

expect_out_same_as() {
	cmp -s "$out" "$1" || problem "stdout differs from $1: $(head -c 200 "$out")"
}

# no temporary output files (".NAME.tmp.XXXXXX") left in DIR
expect_no_tmp() {
	local left
	left=$(cd "$1" && ls -A | grep -E '^\..*\.tmp\.' | tr '\n' ' ')
	[ -n "$left" ] && problem "temporary files left in $1: $left"
	return 0
}

expect_no_file() {
	[ -e "$1" ] && problem "$1 exists, expected no such file"
	return 0
}

# FILE holds exactly TEXT (plus a final newline)
expect_file_is() {
	local got
	if [ ! -f "$1" ]; then
		problem "$1 is missing"
		return
	fi
	got=$(cat "$1")
	[ "$got" = "$2" ] || problem "$1 holds '$(head -c 200 "$1")', expected '$2'"
}
