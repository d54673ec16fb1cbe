package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rows from shared/aws-semantics.md "EC2 prices and billing" (AWS Pricing API,
// us-east-1, 2026-07, via aws/karpenter-provider-aws).
func TestDefaultCatalogMatchesAWSPublishedFigures(t *testing.T) {
	c := Default()
	tests := []struct {
		name    string
		price   float64
		vcpu    int
		memMiB  int64
		arch    string
		maxENIs int
	}{
		{"t3.medium", 0.0416, 2, 4096, "x86_64", 3},
		{"m5.large", 0.096, 2, 8192, "x86_64", 3},
		{"m5.xlarge", 0.192, 4, 16384, "x86_64", 4},
		{"m5.2xlarge", 0.384, 8, 32768, "x86_64", 4},
		{"m6g.large", 0.077, 2, 8192, "arm64", 3},
		{"c6g.large", 0.068, 2, 4096, "arm64", 3},
		{"r5.large", 0.126, 2, 16384, "x86_64", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it, ok := c.Lookup(tc.name)
			require.True(t, ok)
			assert.InDelta(t, tc.price, it.PriceUSDPerHour, 1e-9)
			assert.Equal(t, tc.vcpu, it.VCPU)
			assert.Equal(t, tc.memMiB, it.MemoryMiB)
			assert.Equal(t, tc.arch, it.Arch)
			assert.Equal(t, tc.maxENIs, it.MaxENIs)
		})
	}
}

func TestCatalogCoversTheRequiredFamiliesFromLargeTo4xlarge(t *testing.T) {
	c := Default()
	for _, fam := range []string{"t3", "m5", "m6i", "m6g", "c5", "c6g", "r5"} {
		for _, size := range []string{"large", "xlarge", "2xlarge", "4xlarge"} {
			if fam == "t3" && size == "4xlarge" {
				continue // EC2 has no t3.4xlarge
			}
			_, ok := c.Lookup(fam + "." + size)
			assert.True(t, ok, fam+"."+size)
		}
	}
	assert.Greater(t, c.Len(), 1000)
}

func TestUnknownTypeIsNotFoundAndSuggestsNeighbours(t *testing.T) {
	c := Default()
	_, ok := c.Lookup("m5.huge")
	assert.False(t, ok)
	assert.Contains(t, c.Suggest("m5.larg", 3), "m5.large")
}

func TestParseRejectsBadRowsWithLineAndColumn(t *testing.T) {
	src := "instance_type,family,size,vcpu,memory_mib,arch,max_enis,ipv4_per_eni,trunking_compatible,on_demand_usd_per_hour\n" +
		"x.large,x,large,two,8192,amd64,3,10,true,0.1\n"
	_, err := Parse(strings.NewReader(src), "test")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `line 2: x.large: vcpu: want an integer, found "two"`)

	_, err = Parse(strings.NewReader("instance_type,vcpu\n"), "test")
	assert.ErrorContains(t, err, `header has no column "family"`)
}
