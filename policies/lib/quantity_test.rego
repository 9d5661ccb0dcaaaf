package meshguard.lib.quantity_test

import data.meshguard.lib.quantity

# The shared table (policies/lib/testdata/quantities.json, also run by the TypeScript tests).
cases := data.lib.testdata.cases

outcome(q) := {"nanos": quantity.nanos(q)} if quantity.nanos(q)

outcome(q) := {"error": quantity.error(q)} if quantity.error(q)

expected(c) := {"nanos": c.nanos} if c.nanos

expected(c) := {"error": c.error} if c.error

mismatches contains {"in": c["in"], "want": expected(c), "got": object.get(outcomes, i, "undefined")} if {
	some i, c in cases
	object.get(outcomes, i, "undefined") != expected(c)
}

outcomes := {i: outcome(c["in"]) | some i, c in cases}

test_the_table_is_loaded if count(cases) > 100

test_every_case_of_the_table if {
	count(mismatches) == 0
}

test_less_orders_signed_values if {
	quantity.less("-2000", "-1000")
	quantity.less("-1", "0")
	quantity.less("999", "1000")
	quantity.less("1000", "1001")
	not quantity.less("1000", "1000")
	not quantity.less("0", "-1")
	not quantity.less("1001", "1000")
}
