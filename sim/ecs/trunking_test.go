package ecs

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// Numbers from ECS's table (trunking.csv; "Supported Amazon EC2 instance
// types", revision 2023-04-18): without = "Task limit without ENI trunking",
// with = "Task limit with ENI trunking". A type the table does not list, or
// the page excludes, keeps max ENIs - 1 with trunking on.
func TestAwsvpcTaskLimitFollowsECSTrunkingTable(t *testing.T) {
	c := catalog.Default()
	tests := []struct {
		name      string
		without   int
		with      int
		supported bool
	}{
		{"a1.medium", 1, 10, true},
		{"m5.large", 2, 10, true},
		{"m5.8xlarge", 7, 60, true},
		{"m5.16xlarge", 14, 120, true},
		{"m6i.8xlarge", 7, 90, true},
		{"m6i.12xlarge", 7, 120, true},
		{"c6g.medium", 1, 4, true},
		{"g5.xlarge", 3, 6, true},
		{"g5.48xlarge", 6, 120, true},
		{"x2iedn.xlarge", 3, 13, true},
		{"u-3tb1.56xlarge", 7, 12, true},
		{"c5n.large", 2, 2, false},  // "The c5n ... instance families are not supported"
		{"m5n.large", 2, 2, false},  // listed 2/10, but the m5n family is excluded too
		{"m5.metal", 14, 14, false}, // excluded type of a supported family
		{"i4i.large", 2, 2, false},  // printed with a trunked limit of -2
		{"m7i.large", 2, 2, false},  // not in this revision of the table
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, ok := c.Lookup(tc.name)
			require.True(t, ok, "catalog has no %s", tc.name)
			assert.Equal(t, tc.without, awsvpcTaskLimit(it, false), "without trunking")
			assert.Equal(t, tc.with, awsvpcTaskLimit(it, true), "with trunking")
			assert.Equal(t, tc.supported, TrunkingSupported(it))
		})
	}
}

// Every type ECS's table lists is in the us-east-1 catalog but these, which
// the catalog's sources (a us-east-1 price and a reference row) do not both
// carry. They stay in trunking.csv, which copies the page; a scenario cannot
// name them.
func TestTrunkingTableTypesAreInTheCatalog(t *testing.T) {
	notInCatalog := []string{
		"dl1.24xlarge", "hpc6a.48xlarge", "hpc6id.32xlarge", "mac2.metal",
		"p3.16xlarge", "p3.2xlarge", "p3.8xlarge", "u-18tb1.metal", "u-24tb1.metal",
	}
	c := catalog.Default()
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(trunkingTable())) {
		if _, ok := c.Lookup(name); !ok {
			missing = append(missing, name)
		}
	}
	assert.Equal(t, notInCatalog, missing)
	assert.Len(t, trunkingTable(), 435, "rows of trunking.csv")
}

// The table's "without" column is max ENIs - 1 as ECS counted them. It
// agrees with the catalog's ENI counts except for these, where ECS prints 13
// and the catalog has 16 ENIs (15 tasks); fleetsim keeps the catalog's.
func TestTrunkingTableUntrunkedColumnMatchesCatalogENIs(t *testing.T) {
	disagree := []string{
		"c6in.32xlarge", "c6in.metal", "m6idn.32xlarge", "m6idn.metal", "m6in.32xlarge",
		"m6in.metal", "r6idn.32xlarge", "r6idn.metal", "r6in.32xlarge", "r6in.metal",
	}
	c := catalog.Default()
	table := trunkingTable()
	var differ []string
	for _, name := range slices.Sorted(maps.Keys(table)) {
		it, ok := c.Lookup(name)
		if ok && table[name].without != awsvpcTaskLimit(it, false) {
			differ = append(differ, name)
		}
	}
	assert.Equal(t, disagree, differ)
}

func TestParseTrunkingRejectsBadRows(t *testing.T) {
	const header = "# source\ninstance_type,tasks_without_trunking,tasks_with_trunking\n"
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a wrong header", "instance_type,without,with\n", `header "instance_type,without,with"`},
		{"a limit that is not a number", header + "m5.large,2,ten\n", `line 3: m5.large: want two integers, found "2" and "ten"`},
		{"a type listed twice", header + "m5.large,2,10\nm5.large,2,10\n", "line 4: m5.large is listed twice"},
		{"a missing column", header + "m5.large,2\n", "wrong number of fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTrunking(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
