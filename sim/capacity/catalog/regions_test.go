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
	assert.Equal(t, []string{"instance_type", "us-east-1", "us-gov-east-1", "us-gov-west-1"}, header[:4])
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
	_, err := ForRegion("ap-southeast-3") // Jakarta: in neither source
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no price table for region "ap-southeast-3"; regions with prices: af-south-1, ap-east-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-gov-east-1, us-gov-west-1, us-west-1, us-west-2`)
}

func TestZonesPerRegion(t *testing.T) {
	assert.Equal(t, []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}, Zones("us-east-1"))
	assert.Equal(t, []string{"us-gov-west-1a", "us-gov-west-1b", "us-gov-west-1c"}, Zones("us-gov-west-1"))
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, Zones("eu-west-1"))
	assert.Equal(t, []string{"ca-central-1a", "ca-central-1b", "ca-central-1d"}, Zones("ca-central-1"), "no ca-central-1c")
	assert.Equal(t, []string{"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}, Zones("ap-northeast-1"))
	assert.Len(t, Zones("us-west-2"), 4)
	assert.Nil(t, Zones("ap-southeast-3"))
	for _, r := range Regions() {
		zs := Zones(r)
		if r == "us-west-1" {
			assert.Len(t, zs, 3, "two per account, a to c across accounts")
			continue
		}
		assert.GreaterOrEqual(t, len(zs), 3, "every region has at least three zones: "+r)
	}
}

// The AWS Pricing Calculator's On-Demand Linux rates as libcloud read them
// on 2022-05-22 (libcloud/data/pricing.json at apache/libcloud ec6a28bd): an
// m5.large is $0.107 an hour in eu-west-1 (Ireland), $0.115 in eu-central-1,
// $0.096 in us-west-2, $0.124 in ap-northeast-1, $0.12 in ap-southeast-1.
func TestAnM5LargeInEUWest1IsTheCalculatorsPrice(t *testing.T) {
	for region, price := range map[string]float64{"eu-west-1": 0.107, "eu-central-1": 0.115, "us-west-2": 0.096, "ap-northeast-1": 0.124, "ap-southeast-1": 0.12} {
		c, err := ForRegion(region)
		require.NoError(t, err, region)
		it, ok := c.Lookup("m5.large")
		require.True(t, ok, region)
		assert.InDelta(t, price, it.PriceUSDPerHour, 1e-9, region)
		assert.Equal(t, CalculatorPriceSource, c.Source, region)
		assert.Equal(t, CalculatorPriceDate, RegionPriceDate(region))
	}
	eu, _ := ForRegion("eu-west-1")
	for name, price := range map[string]float64{"m6g.large": 0.086, "c5.large": 0.096, "t3.medium": 0.0456, "r5.large": 0.141} {
		it, ok := eu.Lookup(name)
		require.True(t, ok, name)
		assert.InDelta(t, price, it.PriceUSDPerHour, 1e-9, name)
	}
	assert.Equal(t, PriceSource, RegionPriceSource("us-gov-west-1"))
	assert.Equal(t, PriceDate, RegionPriceDate("us-east-1"))
	assert.Empty(t, RegionPriceSource("ap-southeast-3"))
}

// Every commercial region's column comes from the calculator feed and
// Karpenter's regions keep Karpenter's figures: the feed's us-east-1 prices
// are not read over them.
func TestEachRegionsPricesComeFromOneSource(t *testing.T) {
	header, _, err := readPrices()
	require.NoError(t, err)
	for _, r := range header[1:] {
		src := RegionPriceSource(r)
		if karpenterRegions[r] {
			assert.Equal(t, PriceSource, src, r)
		} else {
			assert.Equal(t, CalculatorPriceSource, src, r)
		}
	}
	assert.Contains(t, ec2Prices, "apache/libcloud ec6a28bd (2022-05-22)")
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
