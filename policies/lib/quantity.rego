# METADATA
# title: Kubernetes quantities, parsed with bounded work
# description: |
#   parsed(q) reads a Kubernetes quantity ("250m", "1.5Gi", "1e3", a JSON number) exactly as
#   Kubernetes' resource.ParseQuantity accepts it and returns {"nanos": s}, s the value as a
#   decimal string of nano-units (rounded away from zero below a nano, as Kubernetes rounds), or
#   {"error": e}: "syntax" (Kubernetes rejects it), "too large" (beyond 2^63-1 base units, the
#   largest value Kubernetes keeps in an int64; meshguard denies it) or "not a quantity" (neither
#   a string nor a number). Only string operations on at most a few hundred digits: no helper's
#   cost depends on the magnitude of a number ("1e1000" costs what "1e3" costs), and no
#   big-number arithmetic. The TypeScript parser (src/mutation/quantity.ts) has the same
#   semantics; policies/lib/testdata/quantities.json is the one table of cases both run.
package meshguard.lib.quantity

# sign, integer digits, fraction digits, suffix: Kubernetes' grammar (the suffix is checked
# below), written so that no digit can belong to two parts, as in src/mutation/quantity.ts.
grammar := `^([+-]?)([0-9]*)(?:\.([0-9]*))?((?:[eEinumkKMGTP]+[+-]?|[+-])[0-9]*)?$`

decimal_suffixes := {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

binary_suffixes := {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}

# Largest accepted magnitude: 2^63-1 base units, in nano-units.
max_nanos := "9223372036854775807000000000"

# Beyond this many nano digits a value is too large whatever its digits (count(max_nanos)).
max_digits := 28

# Fraction digits kept of a binary-suffix value; the rest only says "something non-zero follows".
# 69 = 9 (nano) + 60 (largest binary exponent) keeps the rounding exact (see ceil_exact below).
kept_fraction := 69

zeros := "0000000000000000000000000000"

# parsed(q) is {"nanos": s} or {"error": e} (see the package description).
parsed(q) := from_text(q) if is_string(q)

parsed(q) := from_text(json.marshal(q)) if is_number(q)

parsed(q) := {"error": "not a quantity"} if {
	not is_string(q)
	not is_number(q)
}

# nanos(q) is the canonical value of q (a decimal string of nano-units), undefined when invalid.
nanos(q) := parsed(q).nanos

# error(q) is why q is not accepted: "syntax", "too large" or "not a quantity".
error(q) := parsed(q).error

# less(a, b) holds when canonical value a is below canonical value b.
less(a, b) if {
	startswith(a, "-")
	not startswith(b, "-")
}

less(a, b) if {
	not startswith(a, "-")
	not startswith(b, "-")
	digits_less(a, b)
}

less(a, b) if {
	startswith(a, "-")
	startswith(b, "-")
	digits_less(substring(b, 1, -1), substring(a, 1, -1))
}

# digits_less(a, b) compares two non-negative integers written without leading zeros.
digits_less(a, b) if count(a) < count(b)

digits_less(a, b) if {
	count(a) == count(b)
	a < b
}

from_text(s) := result if {
	s != ""
	parts := regex.find_all_string_submatch_n(grammar, s, 1)
	count(parts) == 1
	[_, sign, whole, fraction, suffix] := parts[0]
	scale := suffix_scale(suffix)
	result := signed(sign, magnitude(trim_left(whole, "0"), trim_right(fraction, "0"), scale))
} else := {"error": "syntax"}

# signed(sign, m) puts the sign back on a non-zero magnitude m.
signed(sign, m) := {"nanos": concat("", ["-", m.nanos])} if {
	sign == "-"
	m.nanos != "0"
} else := m

# suffix_scale(suffix) is {"exp10": e, "exp2": k}; undefined for a suffix Kubernetes rejects.
suffix_scale(suffix) := {"exp10": decimal_suffixes[suffix], "exp2": 0}

suffix_scale(suffix) := {"exp10": 0, "exp2": binary_suffixes[suffix]}

suffix_scale(suffix) := {"exp10": exponent(parts[0][1], trim_left(parts[0][2], "0")), "exp2": 0} if {
	parts := regex.find_all_string_submatch_n(`^[eE]([+-]?)([0-9]+)$`, suffix, 1)
	count(parts) == 1
	fits_int64(parts[0][1], trim_left(parts[0][2], "0"))
}

# Kubernetes reads the exponent as an int64.
fits_int64(_, digits) if count(digits) < 19

fits_int64("-", digits) if {
	count(digits) == 19
	digits <= "9223372036854775808"
}

fits_int64(sign, digits) if {
	sign != "-"
	count(digits) == 19
	digits <= "9223372036854775807"
}

# exponent(sign, digits) is the exponent, clamped to +-9999999: far beyond that, every non-zero
# value is too large (or below a nano) all the same.
exponent(sign, digits) := -1 * bounded_exponent(digits) if sign == "-"

exponent(sign, digits) := bounded_exponent(digits) if sign != "-"

bounded_exponent("") := 0

bounded_exponent(digits) := to_number(digits) if {
	digits != ""
	count(digits) <= 7
}

bounded_exponent(digits) := 9999999 if count(digits) > 7

# magnitude(whole, fraction, scale): the absolute value in nano-units. whole has no leading zeros,
# fraction no trailing zeros.
magnitude(whole, fraction, _) := {"nanos": "0"} if {
	whole == ""
	fraction == ""
}

magnitude(whole, fraction, scale) := finish(trim_left(concat("", [whole, fraction]), "0"), (scale.exp10 + 9) - count(fraction)) if {
	concat("", [whole, fraction]) != ""
	scale.exp2 == 0
}

magnitude(whole, fraction, scale) := {"error": "too large"} if {
	concat("", [whole, fraction]) != ""
	scale.exp2 > 0
	count(whole) > 19
}

magnitude(whole, fraction, scale) := finish(trim_left(times_pow2(digits, scale.exp2), "0"), 9 - count(kept)) if {
	concat("", [whole, fraction]) != ""
	scale.exp2 > 0
	count(whole) <= 19
	kept := sticky_fraction(fraction)
	digits := concat("", [whole, kept])
}

# Fraction digits beyond kept_fraction only matter as "non-zero": one digit 1 stands for them.
# Exact: the value times 2^k * 10^9 then lies strictly between the same two multiples of
# 2^k / 10^(kept_fraction - 9), and no integer lies strictly between those (k <= 60).
sticky_fraction(fraction) := fraction if count(fraction) <= kept_fraction

sticky_fraction(fraction) := concat("", [substring(fraction, 0, kept_fraction), "1"]) if count(fraction) > kept_fraction

# finish(d, z): the nano-units of d x 10^z (d digits without leading zeros, non-empty), rounded
# up below a nano; too large beyond max_nanos.
finish(d, z) := {"error": "too large"} if count(d) + z > max_digits

finish(d, z) := checked(concat("", [d, substring(zeros, 0, z)])) if {
	count(d) + z <= max_digits
	z >= 0
}

finish(d, z) := {"nanos": "1"} if {
	z < 0
	count(d) + z <= 0
}

finish(d, z) := checked(rounded_up(substring(d, 0, count(d) + z), substring(d, count(d) + z, -1))) if {
	z < 0
	count(d) + z > 0
	count(d) + z <= max_digits
}

rounded_up(head, tail) := head if trim_right(tail, "0") == ""

rounded_up(head, tail) := increment(head) if trim_right(tail, "0") != ""

checked(n) := {"nanos": n} if not digits_less(max_nanos, n)

checked(n) := {"error": "too large"} if digits_less(max_nanos, n)

# increment(s) is the decimal string s plus one.
increment(s) := concat("", [parts[0][1], next_digit(parts[0][2]), substring(zeros, 0, count(parts[0][3]))]) if {
	parts := regex.find_all_string_submatch_n(`^(.*?)([0-8]?)(9*)$`, s, 1)
}

next_digit("") := "1"

next_digit(d) := {"0": "1", "1": "2", "2": "3", "3": "4", "4": "5", "5": "6", "6": "7", "7": "8", "8": "9"}[d]

# times_pow2(s, k) is decimal string s times 2^k (k a multiple of 10 up to 60), by doubling.
times_pow2(s, 10) := times_1024(s)

times_pow2(s, 20) := times_1024(times_1024(s))

times_pow2(s, 30) := times_1024(times_1024(times_1024(s)))

times_pow2(s, 40) := times_1024(times_1024(times_1024(times_1024(s))))

times_pow2(s, 50) := times_1024(times_1024(times_1024(times_1024(times_1024(s)))))

times_pow2(s, 60) := times_1024(times_1024(times_1024(times_1024(times_1024(times_1024(s))))))

times_1024(s) := double(double(double(double(double(double(double(double(double(double(s))))))))))

# double(s): each digit doubles and takes a carry of 1 when the digit after it is 5 or more; no
# carry ever ripples further, so every digit is computed on its own.
double(s) := concat("", [lead, body]) if {
	n := count(s)
	lead := carry_digit(substring(s, 0, 1))
	body := concat("", [doubled[substring(s, i, 1)][carry_of(s, i + 1, n)] | some i in numbers.range(0, n - 1)])
}

carry_digit(d) := "1" if d >= "5"

carry_digit(d) := "" if d < "5"

carry_of(s, j, n) := 1 if {
	j < n
	substring(s, j, 1) >= "5"
} else := 0

doubled := {
	"0": ["0", "1"], "1": ["2", "3"], "2": ["4", "5"], "3": ["6", "7"], "4": ["8", "9"],
	"5": ["0", "1"], "6": ["2", "3"], "7": ["4", "5"], "8": ["6", "7"], "9": ["8", "9"],
}
