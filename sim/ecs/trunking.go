package ecs

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// AWS (ECS Developer Guide, "Elastic network interface trunking", supported
// instance types,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html):
// with the awsvpcTrunking account setting an instance of a listed type takes
// the table's "task limit with ENI trunking" awsvpc tasks; other types keep
// max ENIs - 1. trunking.csv is that table; its header gives the revision.

//go:embed trunking.csv
var trunkingCSV string

// trunkingLimits is one row of ECS's table: awsvpc tasks per instance.
type trunkingLimits struct {
	without int // "Task limit without ENI trunking"
	with    int // "Task limit with ENI trunking"
}

// trunkingTable is trunking.csv by instance type, parsed on first use and
// read-only after.
var trunkingTable = sync.OnceValue(func() map[string]trunkingLimits {
	t, err := parseTrunking(strings.NewReader(trunkingCSV))
	if err != nil {
		panic("ecs: embedded trunking.csv is corrupt: " + err.Error())
	}
	return t
})

// parseTrunking reads ECS's trunking table: '#' comment lines, the header
// instance_type,tasks_without_trunking,tasks_with_trunking, then one type per
// line. A type listed twice is an error.
func parseTrunking(r io.Reader) (map[string]trunkingLimits, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("trunking table: header: %w", err)
	}
	if strings.Join(header, ",") != "instance_type,tasks_without_trunking,tasks_with_trunking" {
		return nil, fmt.Errorf("trunking table: header %q, want instance_type,tasks_without_trunking,tasks_with_trunking", strings.Join(header, ","))
	}
	t := map[string]trunkingLimits{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("trunking table: %w", err)
		}
		line, _ := cr.FieldPos(0)
		without, err1 := strconv.Atoi(rec[1])
		with, err2 := strconv.Atoi(rec[2])
		_, dup := t[rec[0]]
		switch {
		case err1 != nil || err2 != nil:
			return nil, fmt.Errorf("trunking table: line %d: %s: want two integers, found %q and %q", line, rec[0], rec[1], rec[2])
		case dup:
			return nil, fmt.Errorf("trunking table: line %d: %s is listed twice", line, rec[0])
		}
		t[rec[0]] = trunkingLimits{without: without, with: with}
	}
}

// trunkingExcluded reports whether ECS's page names the type, or its family,
// as not supporting ENI trunking ("Although other instance types are
// supported in the same instance family, the a1.metal, ... are not
// supported"; "The c5n, d3, ... instance families are not supported"). It
// wins over a table row: the 2023-04 page lists m5n, m5zn, c5a.8xlarge,
// r5b.16xlarge, r5dn.16xlarge and u-6tb1.56xlarge in its tables as well.
func trunkingExcluded(name string) bool {
	switch name {
	case "a1.metal", "c5.metal", "c5a.8xlarge", "c5ad.8xlarge", "c5d.metal",
		"m5.metal", "p3dn.24xlarge", "r5.metal", "r5.8xlarge", "r5d.metal":
		return true
	}
	family, _, _ := strings.Cut(name, ".")
	switch family {
	case "c5n", "d3", "d3en", "g3", "g3s", "g4dn", "i3", "i3en", "inf1", "m5dn",
		"m5n", "m5zn", "mac1", "r5b", "r5n", "r5dn", "u-12tb1", "u-6tb1", "u-9tb1", "z1d":
		return true
	}
	return false
}

// TrunkingSupported reports whether ECS gives the type more awsvpc tasks with
// ENI trunking: ECS's table lists it with a positive trunked limit and the
// page does not exclude it. A scenario with cluster ENI trunking on can warn
// about a type for which this is false: its instances keep max ENIs - 1.
// The catalog's Trunking flag (the EKS VPC resource controller's list) plays
// no part. i4i.large, printed with a trunked limit of -2, counts as unlisted.
func TrunkingSupported(it catalog.InstanceType) bool {
	l, ok := trunkingTable()[it.Name]
	return ok && l.with > 0 && !trunkingExcluded(it.Name)
}

// awsvpcTaskLimit is how many awsvpc tasks an instance of the type holds:
// max ENIs - 1 (the primary), or with trunking on and TrunkingSupported, the
// trunked limit of ECS's table (m5.8xlarge 60, m6i.8xlarge 90, g5.xlarge 6).
func awsvpcTaskLimit(it catalog.InstanceType, trunking bool) int {
	if trunking && TrunkingSupported(it) {
		return trunkingTable()[it.Name].with
	}
	return max(it.MaxENIs-1, 0)
}
