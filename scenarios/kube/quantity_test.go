package kube

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cases follow the behaviour apimachinery's quantity_test.go pins
// (TestQuantityParse, its invalid list, TestQuantityRoundUp), written anew:
// each gives the value in units and in thousandths, both rounded up away
// from zero.
func TestParseQuantity(t *testing.T) {
	const overflow = math.MinInt64 // marks "does not fit an int64"
	tests := []struct {
		in           string
		value, milli int64
	}{
		{"0", 0, 0},
		{"1", 1, 1000},
		{"250m", 1, 250},
		{"100m", 1, 100},
		{"0.5", 1, 500},
		{"1.5", 2, 1500},
		{"512Mi", 512 << 20, 512 << 20 * 1000},
		{"1Gi", 1 << 30, 1 << 30 * 1000},
		{"1.5Gi", 1610612736, 1610612736000},
		{"0.5Mi", 524288, 524288000},
		{"1G", 1e9, 1e12},
		{"256M", 256e6, 256e9},
		{"100.035k", 100035, 100035000},
		{"1e3", 1000, 1e6},
		{"1E3", 1000, 1e6},     // E with digits is an exponent...
		{"1E", 1e18, overflow}, // ...E alone is exa, and 10^21 thousandths overflow
		{"1.2e3", 1200, 1200000},
		{"1.3E+6", 1300000, 1300000000},
		{"1e-3", 1, 1},
		{"5n", 1, 1},
		{"4u", 1, 1},
		{"3.001n", 1, 1},
		{"0.0000000001", 1, 1},
		{"1e-100", 1, 1},
		{"+1", 1, 1000},
		{"-1", -1, -1000},
		{"-1.5", -2, -1500},
		{"-9.01", -10, -9010},
		{"1.", 1, 1000},
		{"1.G", 1e9, 1e12},
		{".001", 1, 1},
		{".5", 1, 500},
		// Kubernetes reads a missing number as 0.
		{".", 0, 0},
		{"-.", 0, 0},
		{"+", 0, 0},
		{"Mi", 0, 0},
		{"0e5", 0, 0},
		{"9223372036854775807", math.MaxInt64, overflow},
		{"7Ei", 7 << 60, overflow},
		{"8Ei", overflow, overflow},
		{"1e18", 1e18, overflow},
		{"1e19", overflow, overflow},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			q, err := ParseQuantity(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.in, q.String())
			for _, c := range []struct {
				name string
				get  func() (int64, bool)
				want int64
			}{{"Value", q.Value, tc.value}, {"MilliValue", q.MilliValue, tc.milli}} {
				v, ok := c.get()
				if c.want == overflow {
					assert.False(t, ok, "%s: %d should not fit", c.name, v)
					continue
				}
				assert.True(t, ok, c.name)
				assert.Equal(t, c.want, v, c.name)
			}
		})
	}
}

func TestParseQuantityRejects(t *testing.T) {
	for _, in := range []string{
		"", " 1", "1 ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
		"1e", "1Ki3", "1kb", "one", "1,5", "0x10", "1_000", "++1", "1e3.5", "1e4294967296",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseQuantity(in)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrQuantity))
		})
	}
}

func TestQuantitySign(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "0Mi": 0, "-0": 0, "1m": 1, "-1m": -1, "+2": 1} {
		q, err := ParseQuantity(in)
		require.NoError(t, err)
		assert.Equal(t, want, q.Sign(), in)
	}
}

// A manifest's quantity may be a YAML string or number, as Quantity's JSON
// decoding takes either; YAML integers in other bases reach Kubernetes as
// JSON numbers.
func TestManifestQuantitiesMayBeNumbers(t *testing.T) {
	tests := []struct {
		name, cpu, memory string
		milliCPU, bytes   int64
	}{
		{name: "strings", cpu: `"250m"`, memory: `"1Gi"`, milliCPU: 250, bytes: 1 << 30},
		{name: "a float and an exponent", cpu: "0.5", memory: "1e3", milliCPU: 500, bytes: 1000},
		{name: "integers", cpu: "2", memory: "1024", milliCPU: 2000, bytes: 1024},
		{name: "a hex YAML integer", cpu: "0x10", memory: "0o10", milliCPU: 16000, bytes: 8},
		{name: "spaces inside the quotes are trimmed", cpu: `" 250m "`, memory: `"1Gi "`, milliCPU: 250, bytes: 1 << 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, podWith("resources: {requests: {cpu: "+tc.cpu+", memory: "+tc.memory+"}}"))
			got := m.Pods[0].Spec.Containers[0].Requests
			assert.Equal(t, Resources{MilliCPU: tc.milliCPU, MemoryBytes: tc.bytes, Given: CPU | Memory}, got)
		})
	}
}

// podWith is a one-container Pod whose container has the given flow-style
// fields (on line 6).
func podWith(containerFields string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: busybox, " + containerFields + "}\n"
}
