package catalog

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rows of karpenter-provider-aws 1d927085's zz_generated.pricing_aws_us_gov.go
// (AWS Pricing API, generated 2026-07-20).
func TestGovCloudPricesAreAWSsGeneratedFigures(t *testing.T) {
	for _, region := range []string{"us-gov-east-1", "us-gov-west-1"} {
		c, err := ForRegion(region)
		require.NoError(t, err)
		for name, price := range map[string]float64{"m5.large": 0.121, "m6g.large": 0.0968, "c5.large": 0.102, "t3.medium": 0.0488} {
			it, ok := c.Lookup(name)
			require.True(t, ok, name)
			assert.InDelta(t, price, it.PriceUSDPerHour, 1e-9, region+" "+name)
		}
		assert.Equal(t, region, c.Region)
	}
}

func TestTheRegionalTableAgreesWithTheCatalogInUSEast1(t *testing.T) {
	header, rows, err := readPrices()
	require.NoError(t, err)
	assert.Equal(t, []string{"instance_type", "us-east-1", "us-gov-east-1", "us-gov-west-1"}, header)
	c := Default()
	for _, n := range c.Names() {
		it, _ := c.Lookup(n)
		row, ok := rows[n]
		require.True(t, ok, n)
		assert.Equal(t, trimPrice(it.PriceUSDPerHour), row[1], n)
	}
}

func trimPrice(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

func TestARegionOffersFewerTypesAndSaysWhichItLacks(t *testing.T) {
	c, err := ForRegion("us-gov-west-1")
	require.NoError(t, err)
	assert.Less(t, c.Len(), Default().Len())
	_, ok := c.Lookup("a1.large") // Graviton 1: us-east-1 only in AWS's table
	assert.False(t, ok)
	assert.True(t, c.NotOffered("a1.large"))
	assert.False(t, c.NotOffered("m5.huge"), "an unknown type is not 'not offered'")
}

func TestAnUnknownRegionIsAnErrorNamingTheRegionsThereAre(t *testing.T) {
	_, err := ForRegion("eu-west-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no price table for region "eu-west-1"; regions with prices: us-east-1, us-gov-east-1, us-gov-west-1`)
}

func TestZonesPerRegion(t *testing.T) {
	assert.Equal(t, []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}, Zones("us-east-1"))
	assert.Equal(t, []string{"us-gov-west-1a", "us-gov-west-1b", "us-gov-west-1c"}, Zones("us-gov-west-1"))
	assert.Nil(t, Zones("eu-west-1"))
}

// EC2 User Guide, "Instance size flexibility for Regional Reserved
// Instances": the normalization factor table.
func TestNormalizationFactorsAreAWSs(t *testing.T) {
	for size, want := range map[string]float64{"nano": 0.25, "micro": 0.5, "small": 1, "medium": 2, "large": 4, "xlarge": 8, "2xlarge": 16, "4xlarge": 32, "24xlarge": 192} {
		got, ok := NormalizationFactor(size)
		assert.True(t, ok, size)
		assert.Equal(t, want, got, size)
	}
	_, ok := NormalizationFactor("metal")
	assert.False(t, ok)
}
